import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { COMPILED_MIGRATIONS_GLOB } from '#src/config/project-paths.js';
import { SLOW_QUERY_THRESHOLD_MS, TypeOrmLog, type LogSink } from '#src/database/typeorm-log.js';

export const MIGRATIONS_TABLE = 'finch_migrations';

export interface DataSourceSettings {
  url: string;
  poolSize: number;
  log: LogSink;
  /** Entity classes; the app registers its own through TypeOrmModule.forFeature instead. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  applicationName?: string;
  /** Trace every SQL statement. Off unless LOG_LEVEL=trace: formatting each query costs. */
  logQueries?: boolean;
}

/** The one description of Finch's database connection, shared by the app and the CLI. */
export function buildDataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    // gen_random_uuid() is built into PostgreSQL 13+, the embedded database included; any
    // extension Finch needs is created by a migration, never implicitly at connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrations: settings.migrations ?? [COMPILED_MIGRATIONS_GLOB],
    entities: settings.entities ?? [],
    logging: [
      ...(settings.logQueries ? (['query'] as const) : []),
      'error',
      'warn',
      'migration',
      'schema',
      'info',
      'log',
    ],
    logger: new TypeOrmLog(settings.log),
    maxQueryExecutionTime: SLOW_QUERY_THRESHOLD_MS,
    applicationName: settings.applicationName ?? 'finch',
    extra: { max: settings.poolSize, connectionTimeoutMillis: 10_000 },
  };
}
