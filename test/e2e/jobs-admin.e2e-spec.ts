import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobQueues } from '#src/jobs/job-queues.js';
import { JobsService } from '#src/jobs/jobs.service.js';
import { probeJob, ProbeJobsModule, probeRuns } from '#test/fixtures/probe-jobs.module.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

interface Problem {
  status: number;
  type: string;
  detail: string;
}

describe('the operator view of the job queues', () => {
  let app: TestApp;
  let superuser: Record<string, string>;
  let plainUser: Record<string, string>;
  let failedJobId: string;

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS_IN_PROCESS: 'true' }, { imports: [ProbeJobsModule] });
    const admin = await createUser(app, { isSuperuser: true });
    const editor = await createUser(app);
    superuser = bearer((await signIn(app, admin.email, TEST_PASSWORD)).accessToken);
    plainUser = bearer((await signIn(app, editor.email, TEST_PASSWORD)).accessToken);

    failedJobId = await app.finch.app
      .get(JobsService)
      .enqueue(probeJob, { key: 'operator-sees-me', permanent: true });
    const queue = app.finch.app.get(JobQueues).queue(probeJob.name);
    await waitFor('the job to fail', async () => {
      const job = await queue.getJob(failedJobId);
      return job && (await job.getState()) === 'failed';
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${app.baseUrl}/api/admin/jobs${path}`, init);

  it('lists each queue with its counts', async () => {
    const response = await call('/queues', { headers: superuser });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      items: Array<{ name: string; counts: Record<string, number> }>;
    };
    const probe = body.items.find((queue) => queue.name === probeJob.name);
    expect(probe?.counts.failed).toBe(1);
    expect(body.items.map((queue) => queue.name)).toContain('send-mail');
  });

  it('lists failed jobs with their error, attempts and payload', async () => {
    const response = await call(`/queues/${probeJob.name}/failed?limit=10`, { headers: superuser });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      items: Array<{ id: string; error: string; attemptsMade: number; payload: unknown }>;
      meta: { total_count: number };
    };
    expect(body.meta.total_count).toBe(1);
    expect(body.items[0]).toMatchObject({
      id: failedJobId,
      error: 'cannot ever work',
      attemptsMade: 1,
      payload: { key: 'operator-sees-me', permanent: true },
    });
  });

  it('refuses anonymous callers with 401 and signed-in non-superusers with 403', async () => {
    for (const path of ['/queues', `/queues/${probeJob.name}/failed`]) {
      expect((await call(path)).status).toBe(401);
      expect((await call(path, { headers: plainUser })).status).toBe(403);
    }
    const retry = await call(`/queues/${probeJob.name}/jobs/${failedJobId}/retry`, {
      method: 'POST',
      headers: plainUser,
    });
    expect(retry.status).toBe(403);
    const discard = await call(`/queues/${probeJob.name}/jobs/${failedJobId}`, {
      method: 'DELETE',
      headers: plainUser,
    });
    expect(discard.status).toBe(403);
    // Nothing changed.
    const job = await app.finch.app.get(JobQueues).queue(probeJob.name).getJob(failedJobId);
    expect(await job?.getState()).toBe('failed');
  });

  it('answers unknown queues, unknown jobs and bad paging with problem details', async () => {
    const unknownQueue = await call('/queues/no-such-queue/failed', { headers: superuser });
    expect(unknownQueue.status).toBe(404);
    expect(((await unknownQueue.json()) as Problem).type).toBe('urn:finch:problem:unknown-queue');

    const unknownJob = await call(`/queues/${probeJob.name}/jobs/nope/retry`, {
      method: 'POST',
      headers: superuser,
    });
    expect(unknownJob.status).toBe(404);

    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'sort=id']) {
      const response = await call(`/queues/${probeJob.name}/failed?${query}`, {
        headers: superuser,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('retries a failed job by hand, and refuses to retry one that is not failed', async () => {
    const before = probeRuns.filter((run) => run.key === 'operator-sees-me').length;
    const response = await call(`/queues/${probeJob.name}/jobs/${failedJobId}/retry`, {
      method: 'POST',
      headers: superuser,
    });
    expect(response.status).toBe(202);
    await waitFor(
      'the retried job to run again',
      () => probeRuns.filter((run) => run.key === 'operator-sees-me').length > before,
    );

    const healthy = await app.finch.app.get(JobsService).enqueue(probeJob, { key: 'fine' });
    const queue = app.finch.app.get(JobQueues).queue(probeJob.name);
    await waitFor('the healthy job to complete', async () => {
      const job = await queue.getJob(healthy);
      return job && (await job.getState()) === 'completed';
    });
    const notFailed = await call(`/queues/${probeJob.name}/jobs/${healthy}/retry`, {
      method: 'POST',
      headers: superuser,
    });
    expect(notFailed.status).toBe(409);
  });

  it('discards a failed job for good', async () => {
    const queue = app.finch.app.get(JobQueues).queue(probeJob.name);
    await waitFor('the retried job to fail again', async () => {
      const job = await queue.getJob(failedJobId);
      return job && (await job.getState()) === 'failed';
    });
    const response = await call(`/queues/${probeJob.name}/jobs/${failedJobId}`, {
      method: 'DELETE',
      headers: superuser,
    });
    expect(response.status).toBe(204);
    expect(await queue.getJob(failedJobId)).toBeUndefined();
  });
});
