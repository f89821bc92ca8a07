import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAuthThrottleAndSessionTokenVersion1795241709244 implements MigrationInterface {
  name = 'AddAuthThrottleAndSessionTokenVersion1795241709244';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "auth_throttle" ("key" character varying(100) NOT NULL, "events" integer NOT NULL, "last_event_at" TIMESTAMP WITH TIME ZONE NOT NULL, "blocked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4c7fca5065c568fa2bae24a1d26" PRIMARY KEY ("key"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_auth_throttle_last_event" ON "auth_throttle"  ("last_event_at") ',
    );
    // Sessions started before this column existed get version 0: they go on refreshing
    // while the user's version is still 0, as they did before.
    await queryRunner.query(
      'ALTER TABLE "auth_sessions" ADD "token_version" integer NOT NULL DEFAULT 0',
    );
    await queryRunner.query(
      'ALTER TABLE "auth_sessions" ALTER COLUMN "token_version" DROP DEFAULT',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "auth_sessions" DROP COLUMN "token_version"');
    await queryRunner.query('DROP INDEX "public"."IDX_auth_throttle_last_event"');
    await queryRunner.query('DROP TABLE "auth_throttle"');
  }
}
