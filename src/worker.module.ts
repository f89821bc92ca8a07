import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig } from '#src/config/app-config.js';
import { ConfigModule } from '#src/config/config.module.js';
import { DatabaseModule, type DatabaseTarget } from '#src/database/database.module.js';
import { FEATURE_MODULES } from '#src/feature-modules.js';
import { JobsModule } from '#src/jobs/jobs.module.js';

/** What a worker process needs: configuration, the database and the queues; no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(
    config: AppConfig,
    database: DatabaseTarget,
    /** More modules with job handlers (plugins; fixtures in tests). */
    imports: Array<Type | DynamicModule> = [],
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        // The app migrates; workers never race it for the schema.
        DatabaseModule.forRoot(database, { migrateOnBoot: false }),
        JobsModule.forRoot({ runWorkers: true }),
        ...FEATURE_MODULES,
        ...imports,
      ],
    };
  }
}
