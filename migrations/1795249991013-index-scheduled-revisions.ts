import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IndexScheduledRevisions1795249991013 implements MigrationInterface {
  name = 'IndexScheduledRevisions1795249991013';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "IDX_revisions_scheduled" ON "revisions"  ("approved_go_live_at") WHERE "approved_go_live_at" IS NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_revisions_scheduled"');
  }
}
