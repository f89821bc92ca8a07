import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { PARTIAL_FEATURE_SET } from '#src/accounts/permission-boot-check.js';
import type { AppConfig } from '#src/config/app-config.js';
import { ConfigModule } from '#src/config/config.module.js';
import { DatabaseModule, type DatabaseTarget } from '#src/database/database.module.js';

/** Tells the permission boot check that a command loads only some feature modules. */
@Module({})
class CliFeatureSetModule {}

/**
 * What the management commands need: configuration, the database (migrated like the
 * server does, per MIGRATE_ON_BOOT) and accounts. No HTTP, no queues, no workers.
 */
@Module({})
export class CliModule {
  static forRoot(
    config: AppConfig,
    database: DatabaseTarget,
    /** What a command needs besides accounts (the schema and seed commands: the content features). */
    imports: Array<Type | DynamicModule> = [],
  ): DynamicModule {
    return {
      module: CliModule,
      imports: [
        // A command does exactly what it is asked: never the server's FINCH_ADMIN_* set-up.
        ConfigModule.forRoot({ ...config, firstSuperuser: undefined }),
        DatabaseModule.forRoot(database, { migrateOnBoot: config.migrateOnBoot }),
        {
          module: CliFeatureSetModule,
          global: true,
          providers: [{ provide: PARTIAL_FEATURE_SET, useValue: true }],
          exports: [PARTIAL_FEATURE_SET],
        },
        AccountsModule,
        ...imports,
      ],
    };
  }
}
