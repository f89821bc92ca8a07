import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FeedsAndSiteBaseUrls1795289618270 implements MigrationInterface {
  name = 'FeedsAndSiteBaseUrls1795289618270';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "feeds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" character varying(100) NOT NULL, "title" character varying(255) NOT NULL, "description" character varying(1000) NOT NULL DEFAULT \'\', "source_page_id" uuid, "source" character varying(16) NOT NULL DEFAULT \'descendants\', "item_types" character varying array NOT NULL DEFAULT \'{}\', "link_filter" jsonb, "item_order" character varying(32) NOT NULL DEFAULT \'-first_published_at\', "item_limit" integer NOT NULL DEFAULT \'20\', "fields" jsonb NOT NULL DEFAULT \'{}\', "locale" character varying(35), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bfa41c5c83f538ffeeb7bf49a30" UNIQUE ("slug"), CONSTRAINT "PK_3dafbf766ecbb1eb2017732153f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('ALTER TABLE "sites" ADD "base_url" character varying(2000)');
    // A feed of a page's children, newest first, reads the first rows of this index and stops.
    await queryRunner.query(
      'CREATE INDEX "IDX_pages_live_children_by_first_published" ON "pages" (left("path", -4), "first_published_at" DESC NULLS LAST, "path") WHERE "live"',
    );
    await queryRunner.query(
      'ALTER TABLE "feeds" ADD CONSTRAINT "FK_470868a99391025a73124a9a5b9" FOREIGN KEY ("source_page_id") REFERENCES "pages"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "feeds" DROP CONSTRAINT "FK_470868a99391025a73124a9a5b9"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_live_children_by_first_published"');
    await queryRunner.query('ALTER TABLE "sites" DROP COLUMN "base_url"');
    await queryRunner.query('DROP TABLE "feeds"');
  }
}
