// Runs once before the e2e files: with DATABASE_URL, migrate a template database that
// every test file clones (CREATE DATABASE ... TEMPLATE), which is far quicker than
// migrating per file. Without DATABASE_URL each file starts its own embedded database.
// It runs outside jest's module system, so #src/ resolves to the compiled dist/src/.
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '#src/database/data-source-options.js';
import { createDatabase, dropDatabase } from '#src/database/postgres-admin.js';
import { runPendingMigrations } from '#src/database/migration-runner.js';

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };

export default async function globalSetup() {
  if (process.env.NODE_ENV !== 'test') throw new Error('e2e tests need NODE_ENV=test');
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return;
  const template = `finch_test_tpl_${process.pid}`;
  await dropDatabase(serverUrl, template);
  const url = await createDatabase(serverUrl, template);
  const dataSource = new DataSource(buildDataSourceOptions({ url, poolSize: 2, log: quiet }));
  await dataSource.initialize();
  await runPendingMigrations(dataSource);
  await dataSource.destroy();
  // A template must have no connections while it is cloned.
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`ALTER DATABASE "${template}" WITH ALLOW_CONNECTIONS false`);
  await client.end();
  process.env.FINCH_TEST_TEMPLATE_DATABASE = template;
}
