import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { createTestDatabase, type TestDatabase } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

interface RunRow {
  attempt: number;
  event: 'started' | 'finished';
}

/** Needs a PostgreSQL server: a separate worker process cannot share the embedded database. */
const withServer = process.env.DATABASE_URL ? describe : describe.skip;
const backends: Array<{ name: string; redisUrl?: string }> = [
  { name: 'PostgreSQL queues' },
  ...(process.env.REDIS_URL ? [{ name: 'Redis queues', redisUrl: process.env.REDIS_URL }] : []),
];

withServer('a worker killed in the middle of a job', () => {
  describe.each(backends)('with $name', ({ redisUrl }) => {
    let database: TestDatabase;
    let client: pg.Client;
    const children: ChildProcess[] = [];
    const prefix = `test_${randomBytes(5).toString('hex')}`;

    beforeAll(async () => {
      database = await createTestDatabase();
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(
        'CREATE TABLE slow_job_runs (job_id text, attempt int, event text, at timestamptz DEFAULT clock_timestamp())',
      );
    });
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await client?.end();
      await database?.drop();
    });

    function startWorker(): { child: ChildProcess; output: () => string } {
      let output = '';
      const child = spawn(process.execPath, ['test/fixtures/slow-job-worker.mjs'], {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_FORMAT: 'json',
          LOG_LEVEL: 'info',
          DATA_DIR: database.dataDir,
          DATABASE_URL: database.url,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: prefix,
          // A dead worker's job is taken up again after this long.
          JOB_STALLED_INTERVAL_MS: '1000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      children.push(child);
      return { child, output: () => output };
    }

    async function runs(jobId: string): Promise<RunRow[]> {
      const result = await client.query<RunRow>(
        'SELECT attempt, event FROM slow_job_runs WHERE job_id = $1 ORDER BY at',
        [jobId],
      );
      return result.rows;
    }

    it('is processed to the end after the worker restarts, and finished once', async () => {
      const first = startWorker();
      await waitFor(
        'the worker to start',
        () => first.output().includes('slow-job worker ready'),
        30_000,
      );

      // Enqueued the way every feature does: an outbox row and a notification.
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO outbox (job_name, payload) VALUES ('test-slow', '{"ms": 4000}') RETURNING id`,
      );
      const jobId = rows[0].id;
      await client.query(`SELECT pg_notify('finch_outbox', 'test-slow')`);

      await waitFor('the job to start', async () => (await runs(jobId)).length > 0, 20_000);
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');

      const second = startWorker();
      await waitFor(
        'the job to finish after the restart',
        async () => (await runs(jobId)).some((run) => run.event === 'finished'),
        30_000,
      );
      const history = await runs(jobId);
      expect(history.filter((run) => run.event === 'finished')).toHaveLength(1);
      expect(history.filter((run) => run.event === 'started').length).toBeGreaterThanOrEqual(2);

      second.child.kill('SIGTERM');
      const [code] = (await once(second.child, 'exit')) as [number | null];
      expect(code).toBe(0);
    });
  });
});
