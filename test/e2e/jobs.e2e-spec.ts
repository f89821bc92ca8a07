import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { JobQueues } from '#src/jobs/job-queues.js';
import { JobsService } from '#src/jobs/jobs.service.js';
import { OutboxRelay } from '#src/jobs/outbox-relay.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';
import { probeJob, ProbeJobsModule, probeRuns } from '#test/fixtures/probe-jobs.module.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

const backend = process.env.REDIS_URL ? 'redis' : 'postgres';

describe(`jobs through the transactional outbox (${backend} queue backend)`, () => {
  let app: TestApp;
  let jobs: JobsService;
  let relay: OutboxRelay;
  let queues: JobQueues;
  let dataSource: DataSource;

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS_IN_PROCESS: 'true' }, { imports: [ProbeJobsModule] });
    jobs = app.finch.app.get(JobsService);
    relay = app.finch.app.get(OutboxRelay);
    queues = app.finch.app.get(JobQueues);
    dataSource = app.finch.app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    probeRuns.length = 0;
  });

  const runsOf = (key: string) => probeRuns.filter((run) => run.key === key);
  const outboxRow = async (id: string) =>
    (
      await dataSource.query<Array<{ dispatched_at: Date | null }>>(
        'SELECT dispatched_at FROM outbox WHERE id = $1',
        [id],
      )
    )[0];

  it('uses the queue backend the environment asks for', () => {
    expect(app.finch.app.get(QueueConnection).backend).toBe(backend);
  });

  it('runs a job enqueued in a committed transaction exactly once, with the outbox id as job id', async () => {
    const id = await dataSource.transaction((manager) =>
      jobs.enqueue(probeJob, { key: 'committed' }, { manager }),
    );
    await waitFor('the job to run', () => runsOf('committed').length === 1);
    await sleep(500);
    expect(runsOf('committed')).toEqual([{ key: 'committed', jobId: id, attempt: 1 }]);
    expect((await outboxRow(id)).dispatched_at).toBeInstanceOf(Date);
  });

  it('enqueues nothing when the transaction rolls back', async () => {
    let id: string | undefined;
    await expect(
      dataSource.transaction(async (manager) => {
        id = await jobs.enqueue(probeJob, { key: 'rolled-back' }, { manager });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(id).toBeDefined();
    await sleep(1_500); // longer than the relay's polling interval
    expect(runsOf('rolled-back')).toEqual([]);
    expect(await outboxRow(id!)).toBeUndefined();
  });

  it('runs a job once when the relay hands it over twice (a crash between hand-over and marking)', async () => {
    await relay.stop();
    try {
      const id = await jobs.enqueue(probeJob, { key: 'handed-over-twice' });
      // The relay that crashed had already added the job under the outbox id...
      await queues
        .queue(probeJob.name)
        .add(probeJob.name, { key: 'handed-over-twice' }, { jobId: id });
      await waitFor('the first hand-over to run', () => runsOf('handed-over-twice').length === 1);
      expect((await outboxRow(id)).dispatched_at).toBeNull();
    } finally {
      // ...and the relay that starts next finds the row still pending and hands it over again.
      await relay.start();
    }
    await waitFor('the row to be marked dispatched', async () => {
      const rows = await dataSource.query<unknown[]>(
        'SELECT 1 FROM outbox WHERE dispatched_at IS NULL',
      );
      return rows.length === 0;
    });
    await sleep(500);
    expect(runsOf('handed-over-twice')).toHaveLength(1);
  });

  it('retries a transient failure with backoff, then succeeds', async () => {
    await jobs.enqueue(probeJob, { key: 'flaky', failTimes: 2 });
    await waitFor('three attempts', () => runsOf('flaky').length === 3);
    await sleep(400);
    expect(runsOf('flaky').map((run) => run.attempt)).toEqual([1, 2, 3]);
  });

  it('does not retry a permanent failure, and keeps the failed job with its error', async () => {
    const id = await jobs.enqueue(probeJob, { key: 'hopeless', permanent: true });
    await waitFor('the attempt', () => runsOf('hopeless').length === 1);
    const failed = await waitFor('the job to be failed', async () => {
      const job = await queues.queue(probeJob.name).getJob(id);
      return job && (await job.getState()) === 'failed' ? job : undefined;
    });
    await sleep(500);
    expect(runsOf('hopeless')).toHaveLength(1);
    expect(failed?.failedReason).toBe('cannot ever work');
  });

  it('holds a delayed job until its time', async () => {
    const enqueuedAt = Date.now();
    await jobs.enqueue(probeJob, { key: 'delayed' }, { delayMs: 1_200 });
    await waitFor('the delayed job', () => runsOf('delayed').length === 1);
    expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(1_100);
  });

  it('runs a repeatable job on its interval until stopped', async () => {
    await jobs.repeat(probeJob, 'probe-every-300ms', { everyMs: 300 }, { key: 'repeated' });
    await waitFor('two repetitions', () => runsOf('repeated').length >= 2, 10_000);
    await jobs.stopRepeating(probeJob, 'probe-every-300ms');
    await sleep(400);
    const settled = runsOf('repeated').length;
    await sleep(900);
    expect(runsOf('repeated').length).toBe(settled);
  });

  it('prunes dispatched outbox rows older than the retention period, and only those', async () => {
    const old = await jobs.enqueue(probeJob, { key: 'old' });
    const fresh = await jobs.enqueue(probeJob, { key: 'fresh' });
    await waitFor('both to run', () => runsOf('old').length + runsOf('fresh').length === 2);
    await waitFor('both rows dispatched', async () =>
      (await outboxRow(old))?.dispatched_at && (await outboxRow(fresh))?.dispatched_at
        ? true
        : false,
    );
    await dataSource.query(
      `UPDATE outbox SET dispatched_at = now() - interval '200 hours' WHERE id = $1`,
      [old],
    );
    expect(await relay.prune()).toBeGreaterThanOrEqual(1);
    expect(await outboxRow(old)).toBeUndefined();
    expect(await outboxRow(fresh)).toBeDefined();
  });
});
