import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMailMessages1795240814802 implements MigrationInterface {
  name = 'CreateMailMessages1795240814802';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "mail_messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "recipients" jsonb NOT NULL, "reply_to" jsonb NOT NULL, "template" character varying(63) NOT NULL, "context" jsonb NOT NULL, "subject" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'queued\', "attempts" integer NOT NULL DEFAULT \'0\', "last_error" text, "provider_message_id" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_mail_messages_status" CHECK ("status" IN (\'queued\', \'sending\', \'sent\', \'failed\')), CONSTRAINT "PK_1bd6e76ef3b3d4aff7d0510a509" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_mail_messages_unsent" ON "mail_messages"  ("status", "created_at") WHERE "status" <> \'sent\'',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_mail_messages_created_at" ON "mail_messages"  ("created_at") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."IDX_mail_messages_created_at"');
    await queryRunner.query('DROP INDEX "public"."IDX_mail_messages_unsent"');
    await queryRunner.query('DROP TABLE "mail_messages"');
  }
}
