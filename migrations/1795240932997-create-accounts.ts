import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccounts1795240932997 implements MigrationInterface {
  name = 'CreateAccounts1795240932997';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "email_normalized" character varying(254) NOT NULL, "name" character varying(150) NOT NULL DEFAULT \'\', "is_active" boolean NOT NULL DEFAULT true, "is_superuser" boolean NOT NULL DEFAULT false, "password_hash" character varying(255), "token_version" integer NOT NULL DEFAULT \'0\', "preferred_locale" character varying(35), "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_5a42435a9cd1daeec3adbb42636" UNIQUE ("email_normalized"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(150) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_664ea405ae2a10c264d582ee563" UNIQUE ("name"), CONSTRAINT "PK_659d1483316afb28afd3a90646e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "group_permissions" ("group_id" uuid NOT NULL, "codename" character varying(100) NOT NULL, CONSTRAINT "PK_1b024389df51d4a0a9db37fdab0" PRIMARY KEY ("group_id", "codename"))',
    );
    await queryRunner.query(
      'CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "token_hash" character varying(64) NOT NULL, "scopes" text array NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bbd687a104e1921e6702c6e3aad" UNIQUE ("token_hash"), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "IDX_api_tokens_user" ON "api_tokens"  ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "one_time_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "purpose" character varying(32) NOT NULL, "token_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_22e595d22f108ce4f2843e043ae" UNIQUE ("token_hash"), CONSTRAINT "PK_8e470cc9ffc1b2afa054304db17" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_one_time_tokens_user" ON "one_time_tokens"  ("user_id", "purpose") ',
    );
    await queryRunner.query(
      'CREATE TABLE "auth_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character varying(64) NOT NULL, "user_agent" character varying(512) NOT NULL DEFAULT \'\', "ip" character varying(64) NOT NULL DEFAULT \'\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "rotated_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_fc7c8b01bebb6839399c494d68a" UNIQUE ("token_hash"), CONSTRAINT "PK_641507381f32580e8479efc36cd" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_auth_sessions_user" ON "auth_sessions"  ("user_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_auth_sessions_family" ON "auth_sessions"  ("family_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "actor_id" uuid, "action" character varying(64) NOT NULL, "object_type" character varying(64), "object_id" character varying(64), "data" jsonb NOT NULL DEFAULT \'{}\', "ip" character varying(64) NOT NULL DEFAULT \'\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_log_object" ON "audit_log"  ("object_type", "object_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_audit_log_actor" ON "audit_log"  ("actor_id", "created_at") ',
    );
    await queryRunner.query('CREATE INDEX "IDX_audit_log_created" ON "audit_log"  ("created_at") ');
    await queryRunner.query(
      'CREATE TABLE "user_groups" ("user_id" uuid NOT NULL, "group_id" uuid NOT NULL, CONSTRAINT "PK_c95039f66f5d7a452fc53945bfe" PRIMARY KEY ("user_id", "group_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_95bf94c61795df25a515435010" ON "user_groups"  ("user_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_4c5f2c23c34f3921fbad2cd394" ON "user_groups"  ("group_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "group_permissions" ADD CONSTRAINT "FK_3924be6485a5b5d0d2fe1a94c08" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_b74883f5884a42fd8496d389b25" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "one_time_tokens" ADD CONSTRAINT "FK_0dc2deee64e514ad6f7e69504e1" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "auth_sessions" ADD CONSTRAINT "FK_50ccaa6440288a06f0ba693ccc6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "user_groups" ADD CONSTRAINT "FK_95bf94c61795df25a5154350102" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE',
    );
    await queryRunner.query(
      'ALTER TABLE "user_groups" ADD CONSTRAINT "FK_4c5f2c23c34f3921fbad2cd3940" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "user_groups" DROP CONSTRAINT "FK_4c5f2c23c34f3921fbad2cd3940"',
    );
    await queryRunner.query(
      'ALTER TABLE "user_groups" DROP CONSTRAINT "FK_95bf94c61795df25a5154350102"',
    );
    await queryRunner.query(
      'ALTER TABLE "auth_sessions" DROP CONSTRAINT "FK_50ccaa6440288a06f0ba693ccc6"',
    );
    await queryRunner.query(
      'ALTER TABLE "one_time_tokens" DROP CONSTRAINT "FK_0dc2deee64e514ad6f7e69504e1"',
    );
    await queryRunner.query(
      'ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_b74883f5884a42fd8496d389b25"',
    );
    await queryRunner.query(
      'ALTER TABLE "group_permissions" DROP CONSTRAINT "FK_3924be6485a5b5d0d2fe1a94c08"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_4c5f2c23c34f3921fbad2cd394"');
    await queryRunner.query('DROP INDEX "public"."IDX_95bf94c61795df25a515435010"');
    await queryRunner.query('DROP TABLE "user_groups"');
    await queryRunner.query('DROP INDEX "public"."IDX_audit_log_created"');
    await queryRunner.query('DROP INDEX "public"."IDX_audit_log_actor"');
    await queryRunner.query('DROP INDEX "public"."IDX_audit_log_object"');
    await queryRunner.query('DROP TABLE "audit_log"');
    await queryRunner.query('DROP INDEX "public"."IDX_auth_sessions_family"');
    await queryRunner.query('DROP INDEX "public"."IDX_auth_sessions_user"');
    await queryRunner.query('DROP TABLE "auth_sessions"');
    await queryRunner.query('DROP INDEX "public"."IDX_one_time_tokens_user"');
    await queryRunner.query('DROP TABLE "one_time_tokens"');
    await queryRunner.query('DROP INDEX "public"."IDX_api_tokens_user"');
    await queryRunner.query('DROP TABLE "api_tokens"');
    await queryRunner.query('DROP TABLE "group_permissions"');
    await queryRunner.query('DROP TABLE "groups"');
    await queryRunner.query('DROP TABLE "users"');
  }
}
