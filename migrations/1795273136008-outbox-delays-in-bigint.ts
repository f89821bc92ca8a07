import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job delayed by more than 2^31 ms (24.8 days: a publication scheduled next month) did
 * not fit the integer column. Changed in place, so jobs not yet dispatched keep their delay.
 */
export class OutboxDelaysInBigint1795273136008 implements MigrationInterface {
  name = 'OutboxDelaysInBigint1795273136008';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "outbox" ALTER COLUMN "delay_ms" TYPE bigint');
    await queryRunner.query('ALTER TABLE "outbox" ALTER COLUMN "delay_ms" SET DEFAULT \'0\'');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "outbox" ALTER COLUMN "delay_ms" TYPE integer USING LEAST("delay_ms", 2147483647)',
    );
    await queryRunner.query('ALTER TABLE "outbox" ALTER COLUMN "delay_ms" SET DEFAULT 0');
  }
}
