import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig } from '#src/config/app-config.js';
import { ConfigModule } from '#src/config/config.module.js';
import { DatabaseModule, type DatabaseTarget } from '#src/database/database.module.js';
import { FEATURE_MODULES } from '#src/feature-modules.js';
import { FinchGraphqlModule } from '#src/graphql/graphql.module.js';
import { HealthModule } from '#src/health/health.module.js';
import { JobsModule } from '#src/jobs/jobs.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  database: DatabaseTarget;
  /** More feature modules: plugins, or fixtures in tests. */
  imports?: Array<Type | DynamicModule>;
}

@Module({})
export class AppModule {
  static forRoot({ config, database, imports = [] }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(database, { migrateOnBoot: config.migrateOnBoot }),
        JobsModule.forRoot({ runWorkers: config.jobs.runWorkersInProcess }),
        HealthModule,
        ...FEATURE_MODULES,
        // Server only: the worker process loads the feature modules without it.
        FinchGraphqlModule,
        ...imports,
      ],
    };
  }
}
