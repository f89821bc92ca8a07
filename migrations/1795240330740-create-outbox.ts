import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutbox1795240330740 implements MigrationInterface {
  name = 'CreateOutbox1795240330740';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "job_name" character varying(63) NOT NULL, "payload" jsonb NOT NULL, "delay_ms" integer NOT NULL DEFAULT \'0\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_outbox_dispatched" ON "outbox"  ("dispatched_at") WHERE "dispatched_at" IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_outbox_pending" ON "outbox"  ("created_at") WHERE "dispatched_at" IS NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_outbox_pending"');
    await queryRunner.query('DROP INDEX "public"."IDX_outbox_dispatched"');
    await queryRunner.query('DROP TABLE "outbox"');
  }
}
