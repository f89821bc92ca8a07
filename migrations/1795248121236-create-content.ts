import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateContent1795248121236 implements MigrationInterface {
  name = 'CreateContent1795248121236';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "content_types" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" character varying(63) NOT NULL, "kind" character varying(16) NOT NULL, "label" character varying(150) NOT NULL, "definition" jsonb NOT NULL, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a28eefba61d10375c7aa0fad303" UNIQUE ("key"), CONSTRAINT "PK_ce94145fcda04af3b3153f44f2f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "content_references" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "source_type" character varying(16) NOT NULL, "source_id" uuid NOT NULL, "target_type" character varying(16) NOT NULL, "target_id" uuid NOT NULL, "field_path" character varying(512) NOT NULL, "live" boolean NOT NULL, CONSTRAINT "PK_31629217e7f38590c21b0ed999e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_content_references_source" ON "content_references"  ("source_type", "source_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_content_references_target" ON "content_references"  ("target_type", "target_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "revisions" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "object_type" character varying(16) NOT NULL, "object_id" uuid NOT NULL, "content_type_key" character varying(63) NOT NULL, "content_type_version" integer NOT NULL, "title" character varying(255) NOT NULL, "slug" character varying(255), "content" jsonb NOT NULL, "author_id" uuid, "message" character varying(255) NOT NULL DEFAULT \'\', "approved_go_live_at" TIMESTAMP WITH TIME ZONE, "approved_expire_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4aa9ee2c71c50508c3c501573c9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_revisions_object" ON "revisions"  ("object_type", "object_id", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "pages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "content_type_key" character varying(63) NOT NULL, "title" character varying(255) NOT NULL, "content" jsonb NOT NULL DEFAULT \'{}\', "locale" character varying(35) NOT NULL DEFAULT \'en\', "live" boolean NOT NULL DEFAULT false, "has_unpublished_changes" boolean NOT NULL DEFAULT true, "first_published_at" TIMESTAMP WITH TIME ZONE, "last_published_at" TIMESTAMP WITH TIME ZONE, "live_revision_id" bigint, "latest_revision_id" bigint, "go_live_at" TIMESTAMP WITH TIME ZONE, "expire_at" TIMESTAMP WITH TIME ZONE, "expired" boolean NOT NULL DEFAULT false, "locked" boolean NOT NULL DEFAULT false, "locked_by_id" uuid, "locked_at" TIMESTAMP WITH TIME ZONE, "owner_id" uuid, "search_vector" tsvector, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "path" character varying(255) COLLATE "C" NOT NULL, "depth" integer NOT NULL, "numchild" integer NOT NULL DEFAULT \'0\', "slug" character varying(255) NOT NULL, "url_path" character varying(1024) COLLATE "C" NOT NULL, CONSTRAINT "PK_8f21ed625aa34c8391d636b7d3b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_pages_first_published" ON "pages"  ("first_published_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_pages_content_type" ON "pages"  ("content_type_key") ',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "IDX_pages_url_path" ON "pages"  ("url_path") ');
    await queryRunner.query('CREATE UNIQUE INDEX "IDX_pages_path" ON "pages"  ("path") ');
    await queryRunner.query(
      'CREATE TABLE "snippets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "content_type_key" character varying(63) NOT NULL, "title" character varying(255) NOT NULL, "content" jsonb NOT NULL DEFAULT \'{}\', "locale" character varying(35) NOT NULL DEFAULT \'en\', "live" boolean NOT NULL DEFAULT false, "has_unpublished_changes" boolean NOT NULL DEFAULT true, "first_published_at" TIMESTAMP WITH TIME ZONE, "last_published_at" TIMESTAMP WITH TIME ZONE, "live_revision_id" bigint, "latest_revision_id" bigint, "go_live_at" TIMESTAMP WITH TIME ZONE, "expire_at" TIMESTAMP WITH TIME ZONE, "expired" boolean NOT NULL DEFAULT false, "locked" boolean NOT NULL DEFAULT false, "locked_by_id" uuid, "locked_at" TIMESTAMP WITH TIME ZONE, "owner_id" uuid, "search_vector" tsvector, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_da592ff802b6af1369e622402a6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_snippets_type_title" ON "snippets"  ("content_type_key", "title") ',
    );
    await queryRunner.query(
      'CREATE TABLE "page_permissions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "group_id" uuid NOT NULL, "page_id" uuid NOT NULL, "permission" character varying(16) NOT NULL, CONSTRAINT "PK_757d978a5b7efe07544d92bf9e5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_page_permissions_page" ON "page_permissions"  ("page_id", "permission") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_page_permissions_grant" ON "page_permissions"  ("group_id", "page_id", "permission") ',
    );
    await queryRunner.query(
      'CREATE TABLE "sites" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "hostname" character varying(255) NOT NULL, "name" character varying(150) NOT NULL, "root_page_id" uuid NOT NULL, "is_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_280818a56dcbb6cdc056408d796" UNIQUE ("hostname"), CONSTRAINT "UQ_bf96db627595c165d66b8dafca0" UNIQUE ("root_page_id"), CONSTRAINT "REL_bf96db627595c165d66b8dafca" UNIQUE ("root_page_id"), CONSTRAINT "PK_4f5eccb1dfde10c9170502595a7" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "page_permissions" ADD CONSTRAINT "FK_effb917778c6169619d6b130da2" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "page_permissions" ADD CONSTRAINT "FK_78e402cba55bb3e7b116a114927" FOREIGN KEY ("page_id") REFERENCES "pages"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sites" ADD CONSTRAINT "FK_bf96db627595c165d66b8dafca0" FOREIGN KEY ("root_page_id") REFERENCES "pages"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    // Full-text search: GIN indexes TypeORM does not manage (the entities mark them
    // `synchronize: false`).
    await queryRunner.query(
      'CREATE INDEX "IDX_pages_search" ON "pages" USING GIN ("search_vector")',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_snippets_search" ON "snippets" USING GIN ("search_vector")',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_snippets_search"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_search"');
    await queryRunner.query('ALTER TABLE "sites" DROP CONSTRAINT "FK_bf96db627595c165d66b8dafca0"');
    await queryRunner.query(
      'ALTER TABLE "page_permissions" DROP CONSTRAINT "FK_78e402cba55bb3e7b116a114927"',
    );
    await queryRunner.query(
      'ALTER TABLE "page_permissions" DROP CONSTRAINT "FK_effb917778c6169619d6b130da2"',
    );
    await queryRunner.query('DROP TABLE "sites"');
    await queryRunner.query('DROP INDEX "public"."UQ_page_permissions_grant"');
    await queryRunner.query('DROP INDEX "public"."IDX_page_permissions_page"');
    await queryRunner.query('DROP TABLE "page_permissions"');
    await queryRunner.query('DROP INDEX "public"."IDX_snippets_type_title"');
    await queryRunner.query('DROP TABLE "snippets"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_path"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_url_path"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_content_type"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_first_published"');
    await queryRunner.query('DROP TABLE "pages"');
    await queryRunner.query('DROP INDEX "public"."IDX_revisions_object"');
    await queryRunner.query('DROP TABLE "revisions"');
    await queryRunner.query('DROP INDEX "public"."IDX_content_references_target"');
    await queryRunner.query('DROP INDEX "public"."IDX_content_references_source"');
    await queryRunner.query('DROP TABLE "content_references"');
    await queryRunner.query('DROP TABLE "content_types"');
  }
}
