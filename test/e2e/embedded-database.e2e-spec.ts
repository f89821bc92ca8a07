import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

/** Runs with or without DATABASE_URL: these apps are told to use the embedded database. */
describe('embedded database (no DATABASE_URL)', () => {
  let dataDir: string;
  const embedded = () => ({ DATABASE_URL: undefined, DATA_DIR: dataDir, REDIS_URL: undefined });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'finch-embedded-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the app from PGlite over the PostgreSQL protocol, ready and migrated', async () => {
    const app = await startTestApp(embedded());
    try {
      expect(app.finch.database.embedded).toBe(true);
      expect(app.finch.database.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const response = await fetch(`${app.baseUrl}/readyz`);
      const body = (await response.json()) as { checks: { database: { embedded: boolean } } };
      expect(response.status).toBe(200);
      expect(body.checks.database.embedded).toBe(true);
      const version = await app.finch.app
        .get(DataSource)
        .query<Array<{ version: string }>>('SELECT version()');
      expect(version[0].version).toMatch(/PGlite/);
      await app.finch.app
        .get(DataSource)
        .query(
          `CREATE TABLE kept_between_starts (note text); INSERT INTO kept_between_starts VALUES ('still here')`,
        );
    } finally {
      await app.close().catch(() => undefined);
    }
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['pgdata', 'secret_key']));
  });

  it('reuses the data directory on the next start', async () => {
    const app = await startTestApp(embedded());
    try {
      const rows = await app.finch.app
        .get(DataSource)
        .query<unknown[]>('SELECT note FROM kept_between_starts');
      expect(rows).toEqual([{ note: 'still here' }]);
    } finally {
      await app.finch.close();
    }
  });

  it('keeps concurrent queries and transactions of many connections apart', async () => {
    const app = await startTestApp(embedded());
    const pool = new pg.Pool({ connectionString: app.finch.database.url, max: 10 });
    try {
      await pool.query('CREATE TABLE concurrent_notes (id int PRIMARY KEY, note text)');
      // Parameterized queries use the extended protocol (Parse, Bind, Execute, Sync): before
      // the fix, two connections' messages interleaved on PGlite's one session.
      const outcomes = await Promise.all(
        Array.from({ length: 150 }, async (_, index) => {
          if (index % 3 === 0) {
            const client = await pool.connect();
            try {
              await client.query('BEGIN');
              await client.query('INSERT INTO concurrent_notes VALUES ($1, $2)', [
                index,
                `note ${index}`,
              ]);
              const { rows } = await client.query<{ note: string }>(
                'SELECT note FROM concurrent_notes WHERE id = $1',
                [index],
              );
              await client.query('COMMIT');
              return rows[0]?.note === `note ${index}`;
            } finally {
              client.release();
            }
          }
          const { rows } = await pool.query<{ n: number; s: string }>(
            'SELECT $1::int AS n, $2::text AS s',
            [index, `text ${index}`],
          );
          return rows[0]?.n === index && rows[0]?.s === `text ${index}`;
        }),
      );
      expect(outcomes.every(Boolean)).toBe(true);
      const { rows } = await pool.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM concurrent_notes',
      );
      expect(rows[0].count).toBe(50);
    } finally {
      await pool.end();
      await app.finch.close();
    }
  });

  it('refuses a second process on the same data directory with a clear message', async () => {
    let first: TestApp | undefined;
    try {
      first = await startTestApp(embedded());
      await expect(startTestApp(embedded())).rejects.toThrow(
        /is in use by another Finch process\. Stop that process first, or point DATA_DIR at another directory/,
      );
      // The first is unharmed.
      expect((await fetch(`${first.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      await first?.finch.close();
    }
  });
});
