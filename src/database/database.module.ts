import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { buildDataSourceOptions } from '#src/database/data-source-options.js';
import { loadCompiledMigrations } from '#src/database/migration-files.js';
import { runPendingMigrations } from '#src/database/migration-runner.js';
import type { LogSink } from '#src/database/typeorm-log.js';

/** Which database this process uses, for readiness reports and logs. */
export interface DatabaseTarget {
  url: string;
  embedded: boolean;
  /** The data directory of the embedded database. */
  directory?: string;
}

export const DATABASE_TARGET = Symbol('DATABASE_TARGET');

function nestLogSink(context: string): LogSink {
  const logger = new Logger(context);
  return {
    trace: (message) => logger.verbose(message),
    debug: (message) => logger.debug(message),
    info: (message) => logger.log(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  };
}

@Module({})
export class DatabaseModule {
  static forRoot(target: DatabaseTarget, options: { migrateOnBoot: boolean }): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => ({
            ...buildDataSourceOptions({
              url: target.url,
              poolSize: config.databasePoolSize,
              log: nestLogSink('Database'),
              logQueries: config.log.level === 'trace',
              migrations: await loadCompiledMigrations(),
            }),
            autoLoadEntities: true,
            // Fail boot instead of retrying for minutes: the orchestrator restarts us.
            retryAttempts: 0,
          }),
          dataSourceFactory: async (dataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('Database options are missing.');
            const dataSource = await new DataSource(dataSourceOptions).initialize();
            if (options.migrateOnBoot) {
              const applied = await runPendingMigrations(dataSource);
              new Logger('Database').log(
                applied.length > 0
                  ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
                  : 'Database schema is up to date.',
              );
            }
            return dataSource;
          },
        }),
      ],
      providers: [{ provide: DATABASE_TARGET, useValue: target }],
      exports: [DATABASE_TARGET],
    };
  }
}
