import type { MigrationInterface, QueryRunner } from 'typeorm';

const EDITORS = [
  'add_page',
  'change_page',
  'lock_page',
  'add_snippet',
  'change_snippet',
  'delete_snippet',
  'lock_snippet',
];
const MODERATORS = [
  ...EDITORS,
  'publish_page',
  'unlock_page',
  'delete_page',
  'publish_snippet',
  'unlock_snippet',
];

/**
 * The content permissions of the default groups, as docs/security.md planned and Wagtail
 * does: Editors write, Moderators also publish, delete pages and lift others' locks. Granted
 * model-wide, which holds for the whole page tree. Only groups that still carry the default
 * names get them, and a grant an administrator already removed is not brought back on a
 * later run because this runs once.
 */
export class GrantContentPermissionsToDefaultGroups1795251611406 implements MigrationInterface {
  name = 'GrantContentPermissionsToDefaultGroups1795251611406';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [group, codenames] of [
      ['Editors', EDITORS],
      ['Moderators', MODERATORS],
    ] as const) {
      await queryRunner.query(
        `INSERT INTO group_permissions (group_id, codename)
         SELECT g.id, c.codename FROM groups g CROSS JOIN unnest($2::text[]) AS c(codename)
          WHERE g.name = $1
         ON CONFLICT DO NOTHING`,
        [group, codenames],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM group_permissions gp USING groups g
        WHERE gp.group_id = g.id AND g.name IN ('Editors', 'Moderators')
          AND gp.codename = ANY($1::text[])`,
      [MODERATORS],
    );
  }
}
