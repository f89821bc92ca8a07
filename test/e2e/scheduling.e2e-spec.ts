import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { JobQueues } from '#src/jobs/job-queues.js';
import {
  ExpireLiveContentHandler,
  PruneRevisionsHandler,
  PublishScheduledRevisionHandler,
  SweepPublishingSchedulesHandler,
} from '#src/publishing/jobs/publishing-job-handlers.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';
import { SNIPPET_TEST_TYPES } from '#test/fixtures/snippet-content-types.js';

interface State {
  status: string;
  live: boolean;
  goLiveAt: string | null;
  expireAt: string | null;
  liveRevisionId: string | null;
  latestRevisionId: string | null;
}
interface Snippet extends State {
  id: string;
  title: string;
}

describe('scheduled publishing and expiry of snippets', () => {
  let app: TestApp;
  let db: DataSource;
  let auth: Record<string, string>;

  const url = (path: string) => `${app.baseUrl}/api/admin/snippets${path}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response =
      body === undefined
        ? await fetch(url(path), { method, headers: auth })
        : await sendJson(url(path), body, { method, headers: auth });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const create = (name: string) => call<Snippet>('POST', '/topic', { content: { name } });
  const stateOf = (id: string) => call<Snippet>('GET', `/topic/${id}`);
  const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
  const count = async (sql: string, parameters: unknown[]) =>
    Number((await db.query<Array<{ n: string }>>(sql, parameters))[0].n);
  const publishedEntries = (id: string) =>
    count(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'snippets.published' AND object_id = $1`,
      [id],
    );
  const revisions = (id: string) =>
    count('SELECT count(*) AS n FROM revisions WHERE object_id = $1', [id]);
  /** As if the scheduled time had passed while no job ran (a restart, a lost job). */
  const makeDue = async (id: string) => {
    await db.query(
      `UPDATE revisions SET approved_go_live_at = now() - interval '1 second'
        WHERE object_id = $1 AND approved_go_live_at IS NOT NULL`,
      [id],
    );
    await db.query(
      `UPDATE snippets SET go_live_at = now() - interval '1 second' WHERE id = $1 AND go_live_at IS NOT NULL`,
      [id],
    );
  };
  const handler = <T>(type: new (...args: never[]) => T) => app.finch.app.get(type);

  beforeAll(async () => {
    // The delayed jobs must run in this process for the job path to be observable.
    app = await startTestApp({ RUN_WORKERS_IN_PROCESS: 'true', REVISION_RETENTION_DAYS: '30' });
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true });
    const token = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    auth = bearer(token);
    await applyContentTypes(app, token, SNIPPET_TEST_TYPES);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('registers the minute sweep and the daily prune as repeating jobs', async () => {
    const queues = app.finch.app.get(JobQueues);
    const sweep = await queues.queue('sweep-publishing-schedules').getJobSchedulers();
    expect(sweep).toEqual([
      expect.objectContaining({ key: 'sweep-publishing-schedules', pattern: '* * * * *' }),
    ]);
    const prune = await queues.queue('prune-revisions').getJobSchedulers();
    expect(prune).toEqual([
      expect.objectContaining({ key: 'prune-revisions', pattern: '17 3 * * *' }),
    ]);
  });

  it('schedules a draft (status scheduled) and the delayed job publishes it on time', async () => {
    const snippet = await create('Soon');
    const goLiveAt = inFuture(1500);
    const outcome = await call<{
      scheduled: boolean;
      state: State;
      revision: { approvedGoLiveAt: string };
    }>('POST', `/topic/${snippet.id}/publish`, { goLiveAt });
    expect(outcome.scheduled).toBe(true);
    expect(outcome.state).toMatchObject({ status: 'scheduled', live: false, goLiveAt });
    expect(outcome.revision.approvedGoLiveAt).toBe(goLiveAt);
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'snippets.scheduled' AND object_id = $1`,
        [snippet.id],
      ),
    ).toBe(1);

    const live = await waitFor('the delayed job to publish it', async () => {
      const state = await stateOf(snippet.id);
      return state.status === 'live' ? state : undefined;
    });
    expect(live).toMatchObject({ goLiveAt: null, liveRevisionId: snippet.latestRevisionId });
    expect(await publishedEntries(snippet.id)).toBe(1);
  });

  it('keeps a live version online while a newer revision waits (live + scheduled)', async () => {
    const snippet = await create('Now');
    await call('POST', `/topic/${snippet.id}/publish`, {});
    const edited = await call<Snippet>('PUT', `/topic/${snippet.id}`, {
      content: { name: 'Later' },
    });
    const outcome = await call<{ state: State }>('POST', `/topic/${snippet.id}/publish`, {
      goLiveAt: inFuture(3_600_000),
    });
    expect(outcome.state).toMatchObject({ status: 'live + scheduled', live: true });
    const row = await db.query<Array<{ title: string }>>(
      'SELECT title FROM snippets WHERE id = $1',
      [snippet.id],
    );
    expect(row[0].title).toBe('Now');

    await makeDue(snippet.id);
    await handler(SweepPublishingSchedulesHandler).handle();
    expect(await stateOf(snippet.id)).toMatchObject({
      status: 'live',
      title: 'Later',
      liveRevisionId: edited.latestRevisionId,
      goLiveAt: null,
    });
  });

  it('schedules a year ahead and expires two years ahead: delays past 2^31 ms fit the outbox', async () => {
    const snippet = await create('Next year');
    const yearMs = 365 * 86_400_000;
    const goLiveAt = inFuture(yearMs);
    const outcome = await call<{ scheduled: boolean; state: State }>(
      'POST',
      `/topic/${snippet.id}/publish`,
      { goLiveAt, expireAt: inFuture(2 * yearMs) },
    );
    expect(outcome).toMatchObject({ scheduled: true, state: { status: 'scheduled', goLiveAt } });
    const [delay] = await db.query<Array<{ delay_ms: string }>>(
      `SELECT delay_ms::text FROM outbox WHERE job_name = 'publish-scheduled-revision'
        ORDER BY created_at DESC LIMIT 1`,
    );
    expect(Number(delay.delay_ms)).toBeGreaterThan(2 ** 31);
  });

  it('publishes a missed schedule from the sweep, and the late job then does nothing', async () => {
    const snippet = await create('Missed');
    await call('POST', `/topic/${snippet.id}/publish`, { goLiveAt: inFuture(3_600_000) });
    await makeDue(snippet.id);
    await handler(SweepPublishingSchedulesHandler).handle();
    expect((await stateOf(snippet.id)).status).toBe('live');
    await handler(PublishScheduledRevisionHandler).handle({
      objectType: 'snippet',
      objectId: snippet.id,
      revisionId: snippet.latestRevisionId!,
    });
    expect(await publishedEntries(snippet.id)).toBe(1);
  });

  it('never publishes twice: two workers running the job and the sweep at the same moment', async () => {
    const snippet = await create('Race');
    await call('POST', `/topic/${snippet.id}/publish`, { goLiveAt: inFuture(3_600_000) });
    const before = await revisions(snippet.id);
    await makeDue(snippet.id);
    const payload = {
      objectType: 'snippet' as const,
      objectId: snippet.id,
      revisionId: snippet.latestRevisionId!,
    };
    const job = handler(PublishScheduledRevisionHandler);
    const sweep = handler(SweepPublishingSchedulesHandler);
    await Promise.all([job.handle(payload), job.handle(payload), sweep.handle(), sweep.handle()]);
    expect(await publishedEntries(snippet.id)).toBe(1);
    expect(await revisions(snippet.id)).toBe(before);
    expect((await stateOf(snippet.id)).status).toBe('live');
  });

  it('cancels a schedule: status back to draft, and neither job nor sweep publishes it', async () => {
    const snippet = await create('Cancelled');
    await call('POST', `/topic/${snippet.id}/publish`, { goLiveAt: inFuture(3_600_000) });
    const state = await call<State>('DELETE', `/topic/${snippet.id}/schedule`);
    expect(state).toMatchObject({ status: 'draft', goLiveAt: null });
    await makeDue(snippet.id);
    await handler(PublishScheduledRevisionHandler).handle({
      objectType: 'snippet',
      objectId: snippet.id,
      revisionId: snippet.latestRevisionId!,
    });
    await handler(SweepPublishingSchedulesHandler).handle();
    expect((await stateOf(snippet.id)).status).toBe('draft');
    expect(await publishedEntries(snippet.id)).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'snippets.schedule_cancelled' AND object_id = $1`,
        [snippet.id],
      ),
    ).toBe(1);
    await expectProblem(
      await fetch(url(`/topic/${snippet.id}/schedule`), { method: 'DELETE', headers: auth }),
      409,
    );
  });

  it('a new schedule replaces the previous one', async () => {
    const snippet = await create('First plan');
    await call('POST', `/topic/${snippet.id}/publish`, { goLiveAt: inFuture(3_600_000) });
    const second = await call<Snippet>('PUT', `/topic/${snippet.id}`, {
      content: { name: 'Second plan' },
    });
    const goLiveAt = inFuture(7_200_000);
    await call('POST', `/topic/${snippet.id}/publish`, { goLiveAt });
    const scheduled = await db.query<Array<{ id: string }>>(
      `SELECT id::text AS id FROM revisions WHERE object_id = $1 AND approved_go_live_at IS NOT NULL`,
      [snippet.id],
    );
    expect(scheduled.map((row) => row.id)).toEqual([second.latestRevisionId]);
    expect((await stateOf(snippet.id)).goLiveAt).toBe(goLiveAt);
  });

  it('expires live content at expireAt through the delayed job (status expired), and republishing revives it', async () => {
    const snippet = await create('Short-lived');
    const expireAt = inFuture(1500);
    const outcome = await call<{ state: State }>('POST', `/topic/${snippet.id}/publish`, {
      expireAt,
    });
    expect(outcome.state).toMatchObject({ status: 'live', expireAt });
    const expired = await waitFor('the delayed job to expire it', async () => {
      const state = await stateOf(snippet.id);
      return state.status === 'expired' ? state : undefined;
    });
    expect(expired).toMatchObject({ live: false, liveRevisionId: null });
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'snippets.unpublished' AND object_id = $1 AND data->>'expired' = 'true'`,
        [snippet.id],
      ),
    ).toBe(1);
    const again = await call<{ state: State }>('POST', `/topic/${snippet.id}/publish`, {});
    expect(again.state).toMatchObject({ status: 'live', expireAt: null });
  });

  it('expires missed expiries from the sweep, once, and a cancelled expiry never happens', async () => {
    const due = await create('Due');
    await call('POST', `/topic/${due.id}/publish`, { expireAt: inFuture(3_600_000) });
    const kept = await create('Kept');
    await call('POST', `/topic/${kept.id}/publish`, { expireAt: inFuture(3_600_000) });
    expect(await call<State>('DELETE', `/topic/${kept.id}/schedule`)).toMatchObject({
      status: 'live',
      expireAt: null,
    });
    await db.query(`UPDATE snippets SET expire_at = now() - interval '1 second' WHERE id = $1`, [
      due.id,
    ]);
    await Promise.all([
      handler(SweepPublishingSchedulesHandler).handle(),
      handler(ExpireLiveContentHandler).handle({ objectType: 'snippet', objectId: due.id }),
    ]);
    expect((await stateOf(due.id)).status).toBe('expired');
    expect((await stateOf(kept.id)).status).toBe('live');
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'snippets.unpublished' AND object_id = $1`,
        [due.id],
      ),
    ).toBe(1);
  });

  it('the daily prune job deletes revisions older than REVISION_RETENTION_DAYS, keeping live and latest', async () => {
    const snippet = await create('Pruned 1');
    await call('PUT', `/topic/${snippet.id}`, { content: { name: 'Pruned 2' } });
    const live = await call<{ state: State }>('POST', `/topic/${snippet.id}/publish`, {});
    await call('PUT', `/topic/${snippet.id}`, { content: { name: 'Pruned 3' } });
    const latest = await call<Snippet>('PUT', `/topic/${snippet.id}`, {
      content: { name: 'Pruned 4' },
    });
    await db.query(
      `UPDATE revisions SET created_at = now() - interval '31 days' WHERE object_id = $1`,
      [snippet.id],
    );
    const recent = await call<Snippet>('PUT', `/topic/${snippet.id}`, {
      content: { name: 'Pruned 5' },
    });
    await handler(PruneRevisionsHandler).handle();
    const kept = await db.query<Array<{ id: string }>>(
      'SELECT id::text AS id FROM revisions WHERE object_id = $1 ORDER BY id',
      [snippet.id],
    );
    expect(kept.map((row) => row.id)).toEqual([live.state.liveRevisionId, recent.latestRevisionId]);
    expect(latest.latestRevisionId).not.toBe(recent.latestRevisionId);
  });
});
