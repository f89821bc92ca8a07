import type pg from 'pg';
import { type Scenario, sendJson } from './scenario.js';

/*
 * The probes of src/health/. Their baselines mirror what Finch does per request:
 * /healthz answers from memory; /readyz runs, concurrently, the database check (SELECT 1 on
 * the app pool), the queue check (SELECT 1 on the queue pool: without REDIS_URL the queues
 * live in PostgreSQL) and the migrations check (TypeORM's
 * MigrationExecutor.getPendingMigrations: on one app-pool connection, does the migrations
 * table exist, then read all of it).
 */

const startedAt = Date.now();
const NO_STORE = { 'cache-control': 'no-store' };

/** TypeORM's `migrationsTableName` in src/database/data-source-options.ts. */
const MIGRATIONS_TABLE = 'finch_migrations';
/** TypeORM asks in the connection's search schema, which is `public` on a fresh database. */
const MIGRATIONS_SCHEMA = 'public';

/** The migrations Finch knows (it applied them all at boot); read by the seed. */
let knownMigrations: string[] = [];

interface CheckResult {
  status: 'up' | 'down';
  latencyMs?: number;
  [detail: string]: unknown;
}

async function timedCheck(run: () => Promise<Record<string, unknown>>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const details = await run();
    return { status: 'up', latencyMs: Math.round(performance.now() - started), ...details };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}

async function pendingMigrations(db: pg.Pool): Promise<string[]> {
  const client = await db.connect();
  try {
    const table = await client.query(
      'SELECT * FROM "information_schema"."tables" WHERE "table_schema" = $1 AND "table_name" = $2',
      [MIGRATIONS_SCHEMA, MIGRATIONS_TABLE],
    );
    if (table.rowCount === 0) return knownMigrations;
    const applied = await client.query<{ name: string }>(
      `SELECT * FROM "${MIGRATIONS_TABLE}" "${MIGRATIONS_TABLE}" ORDER BY "id" DESC`,
    );
    const names = new Set(applied.rows.map((row) => row.name));
    return knownMigrations.filter((name) => !names.has(name));
  } finally {
    client.release();
  }
}

export const healthProbeScenarios: Scenario[] = [
  {
    name: 'healthz',
    description:
      'GET /healthz: no I/O, so pure framework cost (Fastify, Nest routing, helmet, request id and log hooks)',
    request: { path: '/healthz' },
    baseline: (_request, response) => {
      sendJson(
        response,
        200,
        { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) },
        NO_STORE,
      );
    },
    target: { minThroughputRatio: 0.4 },
  },
  {
    name: 'readyz',
    description:
      'GET /readyz: 4 small queries on 3 pooled connections (SELECT 1 on the app and the queue pool, migrations table check and read)',
    request: { path: '/readyz' },
    seed: async ({ pools }) => {
      const applied = await pools.app.query<{ name: string }>(
        `SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY id`,
      );
      knownMigrations = applied.rows.map((row) => row.name);
    },
    baseline: async (_request, response, pools) => {
      const [database, migrations, queue] = await Promise.all([
        timedCheck(async () => {
          await pools.app.query('SELECT 1');
          return { embedded: false };
        }),
        timedCheck(async () => ({ pending: await pendingMigrations(pools.app) })),
        timedCheck(async () => {
          await pools.queue.query('SELECT 1');
          return { backend: 'postgres' };
        }),
      ]);
      const pending = (migrations.pending as string[] | undefined) ?? [];
      const ready = [database, migrations, queue].every((check) => check.status === 'up');
      const body = {
        status: ready && pending.length === 0 ? 'ready' : 'not ready',
        checks: { database, migrations, queue },
      };
      sendJson(response, body.status === 'ready' ? 200 : 503, body, NO_STORE);
    },
    target: { minThroughputRatio: 0.6 },
  },
];
