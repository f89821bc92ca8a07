import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery API counts the live pages of a subtree (`child_of`, `descendant_of`, the
 * site) on every listing: with these columns in the index, PostgreSQL counts them from the
 * index alone instead of visiting every row of the table.
 */
export class IndexPageTreeCounts1795252207672 implements MigrationInterface {
  name = 'IndexPageTreeCounts1795252207672';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "IDX_pages_tree_count" ON "pages" ("path") INCLUDE ("live", "depth", "content_type_key")',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_pages_tree_count"');
  }
}
