import { type DataSource, MigrationExecutor } from 'typeorm';

/** Arbitrary but fixed: every Finch process agrees on it, so only one migrates at a time. */
const MIGRATION_LOCK_KEY = 4_737_201;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so several app
 * replicas booting together migrate once and the others wait, then find nothing to do.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await runner.release();
  }
}

export async function pendingMigrationNames(dataSource: DataSource): Promise<string[]> {
  const executor = new MigrationExecutor(dataSource);
  const pending = await executor.getPendingMigrations();
  return pending.map((migration) => migration.name);
}

/**
 * The SQL that would bring the database in line with the entities. Empty means the
 * entities and the (applied) migrations agree.
 */
export async function schemaDrift(
  dataSource: DataSource,
): Promise<{ up: string[]; down: string[] }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((query) => query.query),
    down: sql.downQueries.map((query) => query.query).reverse(),
  };
}
