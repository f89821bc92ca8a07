import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default groups, as in Wagtail: Editors write, Moderators also review and publish.
 * Created once; an administrator may rename or delete them and they stay that way. The
 * permissions that exist today are all administrative (manage_users, manage_groups,
 * view_audit_log, manage_jobs), so neither group is granted any yet: each content
 * feature grants its own to these groups in its own data migration, when it lands (see
 * docs/security.md, "Default groups").
 */
export class SeedDefaultGroups1795241432934 implements MigrationInterface {
  name = 'SeedDefaultGroups1795241432934';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "groups" ("name") VALUES ('Editors'), ('Moderators') ON CONFLICT ("name") DO NOTHING`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "groups" WHERE "name" IN ('Editors', 'Moderators')`);
  }
}
