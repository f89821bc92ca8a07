import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '#src/database/data-source-options.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#src/database/embedded-postgres.js';
import {
  pendingMigrationNames,
  runPendingMigrations,
  schemaDrift,
} from '#src/database/migration-runner.js';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { CreateWidget1795240000000 } from '#test/fixtures/create-widget.migration.js';
import { Widget } from '#test/fixtures/widget.entity.js';
import { createTestDatabase, type TestDatabase } from '#test/helpers/test-app.js';

const run = promisify(execFile);
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('migrations', () => {
  let database: TestDatabase;
  let embedded: EmbeddedPostgres | undefined;
  let url: string;
  const open: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    if (database.url) url = database.url;
    else {
      embedded = await startEmbeddedPostgres(database.dataDir);
      url = embedded.url;
    }
  });
  afterEach(async () => {
    for (const dataSource of open.splice(0))
      if (dataSource.isInitialized) await dataSource.destroy();
  });
  afterAll(async () => {
    await embedded?.stop();
    await database.drop();
  });

  async function connect(options: { migrations: boolean }): Promise<DataSource> {
    const dataSource = new DataSource(
      buildDataSourceOptions({
        url,
        poolSize: 3,
        log: quiet,
        entities: [Widget],
        migrations: options.migrations ? [CreateWidget1795240000000] : [],
      }),
    );
    open.push(dataSource);
    return dataSource.initialize();
  }

  it('reports the SQL an entity needs when no migration creates its table', async () => {
    const dataSource = await connect({ migrations: false });
    const drift = await schemaDrift(dataSource);
    expect(drift.up.join('\n')).toMatch(/CREATE TABLE "widget"/);
  });

  it('lists a migration as pending, applies it once, and then finds no drift', async () => {
    const dataSource = await connect({ migrations: true });
    expect(await pendingMigrationNames(dataSource)).toEqual(['CreateWidget1795240000000']);
    expect(await runPendingMigrations(dataSource)).toEqual(['CreateWidget1795240000000']);
    expect(await runPendingMigrations(dataSource)).toEqual([]);
    expect(await pendingMigrationNames(dataSource)).toEqual([]);
    expect((await schemaDrift(dataSource)).up).toEqual([]);
    await dataSource.query(`INSERT INTO widget (name) VALUES ('sprocket')`);
    expect(await dataSource.query('SELECT name FROM widget')).toEqual([{ name: 'sprocket' }]);
  });

  it('reverts the last migration, dropping what it created', async () => {
    const dataSource = await connect({ migrations: true });
    await runPendingMigrations(dataSource);
    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await pendingMigrationNames(dataSource)).toEqual(['CreateWidget1795240000000']);
    const tables = await dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'widget'`,
    );
    expect(tables[0].n).toBe(0);
  });

  // One process owns an embedded database, so only a real server can see replicas race.
  const withServer = process.env.DATABASE_URL ? it : it.skip;
  withServer('applies a migration once when several processes boot at the same time', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => connect({ migrations: true })));
    const applied = await Promise.all(replicas.map((replica) => runPendingMigrations(replica)));
    expect(applied.flat()).toEqual(['CreateWidget1795240000000']);
  });
});

describe('migration CLI', () => {
  const cli = `${PROJECT_ROOT}/dist/src/database/cli/migrate.js`;
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' };

  it('check passes when the entities and the migrations agree', async () => {
    const { stdout } = await run(process.execPath, [cli, 'check'], { env, cwd: PROJECT_ROOT });
    expect(stdout).toMatch(/OK: the entities and the migrations agree/);
  });

  it('show lists every migration with its state, and exits 1 while any is pending', async () => {
    // A database of the test's own: a migrated clone on PostgreSQL, a fresh directory embedded.
    const database = await createTestDatabase();
    try {
      const result = await run(process.execPath, [cli, 'show'], {
        env: { ...env, DATABASE_URL: database.url, DATA_DIR: database.dataDir },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => error,
      );
      if (database.url) {
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^\[X\] CreateOutbox\d+$/m);
        expect(result.stdout).toMatch(/All \d+ migrations are applied\./);
      } else {
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^\[ \] CreateOutbox\d+$/m);
        expect(result.stdout).toMatch(/pending: npm run migration:run applies them/);
      }
      expect(result.stdout).not.toMatch(/glob pattern/);
    } finally {
      await database.drop();
    }
  });

  it('explains its commands and exits 2 on an unknown one', async () => {
    const failure = (await run(process.execPath, [cli, 'frobnicate'], { env }).catch(
      (error: unknown) => error,
    )) as { code: number; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/migration:generate -- <Name>/);
  });

  it('refuses to generate a migration without a name', async () => {
    const failure = (await run(process.execPath, [cli, 'generate'], { env }).catch(
      (error: unknown) => error,
    )) as { code: number; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/Name the migration/);
  });
});
