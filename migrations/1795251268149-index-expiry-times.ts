import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IndexExpiryTimes1795251268149 implements MigrationInterface {
  name = 'IndexExpiryTimes1795251268149';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "IDX_pages_expire_at" ON "pages"  ("expire_at") WHERE "expire_at" IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_snippets_expire_at" ON "snippets"  ("expire_at") WHERE "expire_at" IS NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_snippets_expire_at"');
    await queryRunner.query('DROP INDEX "public"."IDX_pages_expire_at"');
  }
}
