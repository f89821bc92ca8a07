import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WorkflowsAndComments1795271974038 implements MigrationInterface {
  name = 'WorkflowsAndComments1795271974038';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "workflows" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "active" boolean NOT NULL DEFAULT true, "allow_bypass" boolean NOT NULL DEFAULT true, "resubmit_from" character varying(16) NOT NULL DEFAULT \'current_task\', "is_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5b5757cc1cd86268019fef52e0c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_workflows_default" ON "workflows"  ("is_default") WHERE "is_default"',
    );
    await queryRunner.query(
      'CREATE TABLE "workflow_tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "type" character varying(63) NOT NULL, "options" jsonb NOT NULL DEFAULT \'{}\', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_702a80959e8b659ab50fb64938a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "workflow_states" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "object_type" character varying(16) NOT NULL, "object_id" uuid NOT NULL, "workflow_id" uuid NOT NULL, "status" character varying(16) NOT NULL, "requested_by" uuid, "current_task_state_id" uuid, "approved_task_ids" uuid array NOT NULL DEFAULT \'{}\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d495dad7ebe116fb8f989f1e144" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_workflow_states_requested_by" ON "workflow_states"  ("requested_by", "created_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_workflow_states_active" ON "workflow_states"  ("object_type", "object_id") WHERE "status" IN (\'in_progress\', \'needs_changes\')',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_workflow_states_object" ON "workflow_states"  ("object_type", "object_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "workflow_task_states" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workflow_state_id" uuid NOT NULL, "task_id" uuid NOT NULL, "revision_id" bigint, "status" character varying(16) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "finished_by" uuid, "comment" text, CONSTRAINT "PK_ce270d62d88ad72fe595342c9e8" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_workflow_task_states_open" ON "workflow_task_states"  ("task_id") WHERE "status" = \'in_progress\'',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_workflow_task_states_state" ON "workflow_task_states"  ("workflow_state_id", "started_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "workflow_steps" ("workflow_id" uuid NOT NULL, "task_id" uuid NOT NULL, "position" integer NOT NULL, CONSTRAINT "PK_dd8a365d9f41a05a7d3ad8c9f61" PRIMARY KEY ("workflow_id", "task_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "page_comments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "object_type" character varying(16) NOT NULL, "object_id" uuid NOT NULL, "revision_id" bigint, "field_path" character varying(255), "parent_id" uuid, "author_id" uuid, "text" text NOT NULL, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d4a6946454d450afc14a7f00a96" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_page_comments_object" ON "page_comments"  ("object_type", "object_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "user_notification_preferences" ("user_id" uuid NOT NULL, "kind" character varying(40) NOT NULL, "enabled" boolean NOT NULL, CONSTRAINT "PK_852cd5fb8c22b79648cc59db88b" PRIMARY KEY ("user_id", "kind"))',
    );
    await queryRunner.query(
      'CREATE TABLE "workflow_pages" ("page_id" uuid NOT NULL, "workflow_id" uuid NOT NULL, CONSTRAINT "PK_a77fbdfdb29b7f9fef5ac1ee375" PRIMARY KEY ("page_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_workflow_pages_workflow" ON "workflow_pages"  ("workflow_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "workflow_task_groups" ("task_id" uuid NOT NULL, "group_id" uuid NOT NULL, CONSTRAINT "PK_0f17d94db57717922b8362329f7" PRIMARY KEY ("task_id", "group_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_700dc6f8640fa2d868a3fc5e83" ON "workflow_task_groups"  ("task_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_736638abbf61d3be8c2befb868" ON "workflow_task_groups"  ("group_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_states" ADD CONSTRAINT "FK_f2cf3978de9bc29cfbb2de763ee" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_states" ADD CONSTRAINT "FK_e53dff13c3d27e397e868da9c08" FOREIGN KEY ("requested_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" ADD CONSTRAINT "FK_efa6353cf58a0a8b65c270bf81c" FOREIGN KEY ("workflow_state_id") REFERENCES "workflow_states"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" ADD CONSTRAINT "FK_8e691305efdefd14ab8e3df90ac" FOREIGN KEY ("task_id") REFERENCES "workflow_tasks"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" ADD CONSTRAINT "FK_d9e2c8ce7718320e4a957503ace" FOREIGN KEY ("revision_id") REFERENCES "revisions"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" ADD CONSTRAINT "FK_b21590a826aab7e8824780a9513" FOREIGN KEY ("finished_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_steps" ADD CONSTRAINT "FK_02f0092e12343bfed27bb65fa89" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_steps" ADD CONSTRAINT "FK_32ebefb637f4ccfd1f9a2434464" FOREIGN KEY ("task_id") REFERENCES "workflow_tasks"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" ADD CONSTRAINT "FK_c78adcd2b05f63290e9544ede72" FOREIGN KEY ("parent_id") REFERENCES "page_comments"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" ADD CONSTRAINT "FK_1f92b1decb5daac8be17bb56b37" FOREIGN KEY ("revision_id") REFERENCES "revisions"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" ADD CONSTRAINT "FK_69967ad418a0f8b3a2374fd8794" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" ADD CONSTRAINT "FK_bc91bb0ad9b5bccb47c524ebefc" FOREIGN KEY ("resolved_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "user_notification_preferences" ADD CONSTRAINT "FK_816517663cdb51e17cd20947556" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_pages" ADD CONSTRAINT "FK_a77fbdfdb29b7f9fef5ac1ee375" FOREIGN KEY ("page_id") REFERENCES "pages"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_pages" ADD CONSTRAINT "FK_a9c99eed26057ceefe2a015255a" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_groups" ADD CONSTRAINT "FK_700dc6f8640fa2d868a3fc5e833" FOREIGN KEY ("task_id") REFERENCES "workflow_tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_groups" ADD CONSTRAINT "FK_736638abbf61d3be8c2befb8683" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE',
    );
    // Names are unique whatever their case (`Legal` and `legal` would confuse reviewers);
    // an expression index, so the entity declares it with `synchronize: false`.
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_workflows_name" ON "workflows" (lower("name"))',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."UQ_workflows_name"');
    await queryRunner.query(
      'ALTER TABLE "workflow_task_groups" DROP CONSTRAINT "FK_736638abbf61d3be8c2befb8683"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_groups" DROP CONSTRAINT "FK_700dc6f8640fa2d868a3fc5e833"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_pages" DROP CONSTRAINT "FK_a9c99eed26057ceefe2a015255a"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_pages" DROP CONSTRAINT "FK_a77fbdfdb29b7f9fef5ac1ee375"',
    );
    await queryRunner.query(
      'ALTER TABLE "user_notification_preferences" DROP CONSTRAINT "FK_816517663cdb51e17cd20947556"',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" DROP CONSTRAINT "FK_bc91bb0ad9b5bccb47c524ebefc"',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" DROP CONSTRAINT "FK_69967ad418a0f8b3a2374fd8794"',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" DROP CONSTRAINT "FK_1f92b1decb5daac8be17bb56b37"',
    );
    await queryRunner.query(
      'ALTER TABLE "page_comments" DROP CONSTRAINT "FK_c78adcd2b05f63290e9544ede72"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_steps" DROP CONSTRAINT "FK_32ebefb637f4ccfd1f9a2434464"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_steps" DROP CONSTRAINT "FK_02f0092e12343bfed27bb65fa89"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" DROP CONSTRAINT "FK_b21590a826aab7e8824780a9513"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" DROP CONSTRAINT "FK_d9e2c8ce7718320e4a957503ace"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" DROP CONSTRAINT "FK_8e691305efdefd14ab8e3df90ac"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_task_states" DROP CONSTRAINT "FK_efa6353cf58a0a8b65c270bf81c"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_states" DROP CONSTRAINT "FK_e53dff13c3d27e397e868da9c08"',
    );
    await queryRunner.query(
      'ALTER TABLE "workflow_states" DROP CONSTRAINT "FK_f2cf3978de9bc29cfbb2de763ee"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_736638abbf61d3be8c2befb868"');
    await queryRunner.query('DROP INDEX "public"."IDX_700dc6f8640fa2d868a3fc5e83"');
    await queryRunner.query('DROP TABLE "workflow_task_groups"');
    await queryRunner.query('DROP INDEX "public"."IDX_workflow_pages_workflow"');
    await queryRunner.query('DROP TABLE "workflow_pages"');
    await queryRunner.query('DROP TABLE "user_notification_preferences"');
    await queryRunner.query('DROP INDEX "public"."IDX_page_comments_object"');
    await queryRunner.query('DROP TABLE "page_comments"');
    await queryRunner.query('DROP TABLE "workflow_steps"');
    await queryRunner.query('DROP INDEX "public"."IDX_workflow_task_states_state"');
    await queryRunner.query('DROP INDEX "public"."IDX_workflow_task_states_open"');
    await queryRunner.query('DROP TABLE "workflow_task_states"');
    await queryRunner.query('DROP INDEX "public"."IDX_workflow_states_object"');
    await queryRunner.query('DROP INDEX "public"."UQ_workflow_states_active"');
    await queryRunner.query('DROP INDEX "public"."IDX_workflow_states_requested_by"');
    await queryRunner.query('DROP TABLE "workflow_states"');
    await queryRunner.query('DROP TABLE "workflow_tasks"');
    await queryRunner.query('DROP INDEX "public"."UQ_workflows_default"');
    await queryRunner.query('DROP TABLE "workflows"');
  }
}
