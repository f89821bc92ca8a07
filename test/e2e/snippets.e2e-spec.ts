import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { PublishingService } from '#src/publishing/publishing.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { SNIPPET_TEST_TYPES } from '#test/fixtures/snippet-content-types.js';

interface Snippet {
  id: string;
  type: string;
  title: string;
  liveTitle: string | null;
  content: Record<string, unknown>;
  status: string;
  live: boolean;
  hasUnpublishedChanges: boolean;
  latestRevisionId: string | null;
  liveRevisionId: string | null;
  goLiveAt: string | null;
  expireAt: string | null;
  lock: { lockedBy: string; lockedAt: string } | null;
}

interface RevisionSummary {
  id: string;
  title: string;
  message: string;
  authorId: string | null;
  isLive: boolean;
  isLatest: boolean;
}

describe('snippets through the management API: the whole draft/live lifecycle', () => {
  let app: TestApp;
  let db: DataSource;
  let auth: Record<string, string>;
  let userId: string;

  const url = (path: string) => `${app.baseUrl}/api/admin/snippets${path}`;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response =
      body === undefined
        ? await fetch(url(path), { method, headers: auth })
        : await sendJson(url(path), body, { method, headers: auth });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const create = (content: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    call<Snippet>('POST', '/person', { content, ...extra });
  const rowOf = async (id: string) =>
    (
      await db.query<Array<{ title: string; content: Record<string, unknown>; live: boolean }>>(
        'SELECT title, content, live FROM snippets WHERE id = $1',
        [id],
      )
    )[0];
  const countRevisions = async (id: string) =>
    Number(
      (
        await db.query<Array<{ n: string }>>(
          'SELECT count(*) AS n FROM revisions WHERE object_id = $1',
          [id],
        )
      )[0].n,
    );
  const auditActions = async (id: string) =>
    (
      await db.query<Array<{ action: string }>>(
        'SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id',
        [id],
      )
    ).map((row) => row.action);

  beforeAll(async () => {
    app = await startTestApp({ BODY_LIMIT: '4mb' });
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true });
    userId = admin.id;
    const token = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    auth = bearer(token);
    await applyContentTypes(app, token, SNIPPET_TEST_TYPES);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creates a snippet as a draft titled by its title field, with one revision', async () => {
    const created = await create({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(created).toMatchObject({
      type: 'person',
      title: 'Ada Lovelace',
      content: { name: 'Ada Lovelace', email: 'ada@example.com' },
      status: 'draft',
      live: false,
      hasUnpublishedChanges: true,
      liveRevisionId: null,
      liveContent: null,
      lock: null,
    });
    expect(await rowOf(created.id)).toMatchObject({ title: 'Ada Lovelace', live: false });
    expect(await countRevisions(created.id)).toBe(1);
    expect(await auditActions(created.id)).toEqual(['snippets.created']);
  });

  it('walks draft → live → live + draft → reverted → republished → unpublished, keeping state right', async () => {
    const created = await create({ name: 'Grace', age: 30 });
    const first = created.latestRevisionId!;

    // A second draft of a never-published snippet: the row follows the draft.
    let snippet = await call<Snippet>('PUT', `/person/${created.id}`, {
      content: { name: 'Grace Hopper', age: 31 },
      message: 'full name',
    });
    expect(snippet).toMatchObject({ status: 'draft', title: 'Grace Hopper' });
    expect(await rowOf(created.id)).toMatchObject({ title: 'Grace Hopper', content: { age: 31 } });
    const second = snippet.latestRevisionId!;

    const published = await call<{ scheduled: boolean; state: Snippet }>(
      'POST',
      `/person/${created.id}/publish`,
      {},
    );
    expect(published.scheduled).toBe(false);
    expect(published.state).toMatchObject({
      status: 'live',
      live: true,
      hasUnpublishedChanges: false,
      liveRevisionId: second,
      latestRevisionId: second,
    });

    // Editing a live snippet: the row keeps the live version, the draft is the latest revision.
    snippet = await call<Snippet>('PUT', `/person/${created.id}`, {
      content: { name: 'Rear Admiral Hopper', age: 85 },
    });
    expect(snippet).toMatchObject({
      status: 'live + draft',
      title: 'Rear Admiral Hopper',
      liveTitle: 'Grace Hopper',
      content: { name: 'Rear Admiral Hopper', age: 85 },
      liveContent: { name: 'Grace Hopper', age: 31 },
      liveRevisionId: second,
    });
    expect(await rowOf(created.id)).toMatchObject({
      title: 'Grace Hopper',
      content: { name: 'Grace Hopper', age: 31 },
      live: true,
    });
    const third = snippet.latestRevisionId!;

    const listing = await call<{ items: RevisionSummary[]; meta: { total_count: number } }>(
      'GET',
      `/person/${created.id}/revisions`,
    );
    expect(listing.meta.total_count).toBe(3);
    expect(listing.items.map((revision) => revision.id)).toEqual([third, second, first]);
    expect(listing.items.map((revision) => [revision.isLive, revision.isLatest])).toEqual([
      [false, true],
      [true, false],
      [false, false],
    ]);
    expect(listing.items[1]).toMatchObject({ message: 'full name', authorId: userId });

    const revision = await call<{ content: Record<string, unknown>; title: string }>(
      'GET',
      `/person/${created.id}/revisions/${first}`,
    );
    expect(revision).toMatchObject({ title: 'Grace', content: { name: 'Grace', age: 30 } });

    const comparison = await call<{
      title: { changed: boolean; from: string; to: string };
      changes: Array<{ path?: string; field?: string }>;
    }>('GET', `/person/${created.id}/revisions/compare?a=${first}&b=${third}`);
    expect(comparison.title).toEqual({ changed: true, from: 'Grace', to: 'Rear Admiral Hopper' });
    expect(JSON.stringify(comparison.changes)).toContain('age');
    expect(JSON.stringify(comparison.changes)).not.toContain('email');

    // Revert: a new draft revision with the old content, saying where it came from.
    snippet = await call<Snippet>('POST', `/person/${created.id}/revisions/${first}/revert`);
    expect(snippet).toMatchObject({
      status: 'live + draft',
      title: 'Grace',
      content: { name: 'Grace', age: 30 },
    });
    expect(Number(snippet.latestRevisionId)).toBeGreaterThan(Number(third));
    const reverted = await call<RevisionSummary>(
      'GET',
      `/person/${created.id}/revisions/${snippet.latestRevisionId}`,
    );
    expect(reverted.message).toContain(`revision ${first}`);
    expect(await rowOf(created.id)).toMatchObject({ title: 'Grace Hopper' });

    // Publishing a chosen older revision leaves a draft newer than it.
    const chosen = await call<{ state: Snippet }>('POST', `/person/${created.id}/publish`, {
      revisionId: third,
    });
    expect(chosen.state).toMatchObject({ status: 'live + draft', liveRevisionId: third });
    expect(await rowOf(created.id)).toMatchObject({ title: 'Rear Admiral Hopper' });

    const latest = await call<{ state: Snippet }>('POST', `/person/${created.id}/publish`, {});
    expect(latest.state).toMatchObject({ status: 'live', hasUnpublishedChanges: false });

    const offline = await call<Snippet>('POST', `/person/${created.id}/unpublish`);
    expect(offline).toMatchObject({ status: 'draft', live: false, liveRevisionId: null });
    await expectProblem(
      await fetch(url(`/person/${created.id}/unpublish`), { method: 'POST', headers: auth }),
      409,
    );

    expect(await auditActions(created.id)).toEqual([
      'snippets.created',
      'snippets.edited',
      'snippets.published',
      'snippets.edited',
      'snippets.reverted',
      'snippets.published',
      'snippets.published',
      'snippets.unpublished',
    ]);
  });

  it('creates and publishes in one request with publish: true', async () => {
    const created = await create({ name: 'Linus' }, { publish: true });
    expect(created).toMatchObject({ status: 'live', live: true, hasUnpublishedChanges: false });
  });

  it('lists snippets of a type with paging, title search and total_count', async () => {
    for (const name of ['Zed One', 'Zed Two', 'Zed Three']) await create({ name });
    const page = await call<{ items: Snippet[]; meta: { total_count: number } }>(
      'GET',
      '/person?search=zed&limit=2&offset=1',
    );
    expect(page.meta.total_count).toBe(3);
    expect(page.items.map((item) => item.title)).toEqual(['Zed Three', 'Zed Two']);
    expect(page.items[0]).not.toHaveProperty('content');
    const wildcard = await call<{ meta: { total_count: number } }>('GET', '/person?search=%25');
    expect(wildcard.meta.total_count).toBe(0);
    const hostile = await call<{ meta: { total_count: number } }>(
      'GET',
      `/person?search=${encodeURIComponent("' OR 1=1 --")}`,
    );
    expect(hostile.meta.total_count).toBe(0);
    const topics = await call<{ meta: { total_count: number } }>('GET', '/topic');
    expect(topics.meta.total_count).toBe(0);
  });

  it('prunes old revisions but keeps the live, the latest and a scheduled one', async () => {
    const created = await create({ name: 'Old 1' });
    await call('PUT', `/person/${created.id}`, { content: { name: 'Old 2' } });
    const live = await call<{ state: Snippet }>('POST', `/person/${created.id}/publish`, {});
    await call('PUT', `/person/${created.id}`, { content: { name: 'Old 3' } });
    const scheduled = await call<Snippet>('PUT', `/person/${created.id}`, {
      content: { name: 'Old 4' },
    });
    await call('POST', `/person/${created.id}/publish`, {
      revisionId: scheduled.latestRevisionId,
      goLiveAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const latest = await call<Snippet>('PUT', `/person/${created.id}`, {
      content: { name: 'Old 5' },
    });
    expect(await countRevisions(created.id)).toBe(5);
    await db.query(
      `UPDATE revisions SET created_at = now() - interval '100 days' WHERE object_id = $1`,
      [created.id],
    );
    const publishing = app.finch.app.get(PublishingService);
    expect(await publishing.pruneRevisions({ olderThanDays: 0 })).toBe(0);
    await publishing.pruneRevisions({ olderThanDays: 30 });
    const kept = await db.query<Array<{ id: string }>>(
      'SELECT id::text AS id FROM revisions WHERE object_id = $1 ORDER BY id',
      [created.id],
    );
    expect(kept.map((row) => row.id)).toEqual([
      live.state.liveRevisionId,
      scheduled.latestRevisionId,
      latest.latestRevisionId,
    ]);
    const after = await call<Snippet>('GET', `/person/${created.id}`);
    expect(after).toMatchObject({ title: 'Old 5', status: 'live + scheduled' });
  });

  it('compares revisions block by block for streams, and checks links inside blocks', async () => {
    const [h1, h2] = [randomUUID(), randomUUID()];
    const menu = await call<Snippet>('POST', '/menu', {
      content: {
        name: 'Main',
        items: [
          { type: 'heading', id: h1, value: 'Start' },
          { type: 'heading', id: h2, value: 'End' },
        ],
      },
    });
    const edited = await call<Snippet>('PUT', `/menu/${menu.id}`, {
      content: {
        name: 'Main',
        items: [
          { type: 'heading', id: h2, value: 'Finish' },
          { type: 'heading', id: h1, value: 'Start' },
        ],
      },
    });
    const comparison = await call<{
      changes: Array<{
        path: string;
        blocks?: Array<{ id: string; change: string; moved?: boolean }>;
      }>;
    }>(
      'GET',
      `/menu/${menu.id}/revisions/compare?a=${menu.latestRevisionId}&b=${edited.latestRevisionId}`,
    );
    expect(comparison.changes).toHaveLength(1);
    expect(comparison.changes[0].path).toBe('items');
    const byId = new Map(comparison.changes[0].blocks?.map((block) => [block.id, block]));
    expect(byId.get(h2)).toMatchObject({ change: 'changed' });

    const problem = await expectProblem(
      await sendJson(
        url(`/menu/${menu.id}`),
        {
          content: {
            name: 'Main',
            items: [
              {
                type: 'link',
                id: randomUUID(),
                value: { label: 'Gone', page: { id: randomUUID() } },
              },
            ],
          },
        },
        { method: 'PUT', headers: auth },
      ),
      400,
    );
    expect(problem.errors?.map((error) => error.path)).toEqual(['content.items[0].value.page']);
    expect(await countRevisions(menu.id)).toBe(2);
  });

  it('refuses to delete a snippet live content uses, naming the uses, unless forced', async () => {
    const topic = await call<Snippet>('POST', '/topic', {
      content: { name: 'Maths' },
      publish: true,
    });
    const user = await create({ name: 'Emmy', topics: [{ id: topic.id }] }, { publish: true });
    const usage = await call<{
      items: Array<{ source: { id: string }; fieldPath: string; live: boolean }>;
      meta: { total_count: number };
    }>('GET', `/topic/${topic.id}/usage`);
    expect(usage.meta.total_count).toBe(1);
    expect(usage.items[0]).toMatchObject({ source: { id: user.id }, live: true });

    const refused = await expectProblem(
      await fetch(url(`/topic/${topic.id}`), { method: 'DELETE', headers: auth }),
      409,
    );
    expect(refused.errors?.[0].message).toContain(user.id);
    expect(await rowOf(topic.id)).toBeDefined();

    const forced = await fetch(url(`/topic/${topic.id}?force=true`), {
      method: 'DELETE',
      headers: auth,
    });
    expect(forced.status).toBe(204);
    expect(await rowOf(topic.id)).toBeUndefined();
    expect(await countRevisions(topic.id)).toBe(0);
    expect(await auditActions(topic.id)).toContain('snippets.deleted');
    await expectProblem(await fetch(url(`/topic/${topic.id}`), { headers: auth }), 404);
  });

  it('deletes an unused snippet outright', async () => {
    const created = await create({ name: 'Temp' });
    const response = await fetch(url(`/person/${created.id}`), { method: 'DELETE', headers: auth });
    expect(response.status).toBe(204);
    expect(await rowOf(created.id)).toBeUndefined();
  });

  describe('bad input: a 4xx problem naming the field, and nothing changed', () => {
    let target: Snippet;
    let before: { revisions: number; row: unknown };

    beforeAll(async () => {
      target = await create({ name: 'Unchanged', email: 'unchanged@example.com' });
    });
    const snapshot = async () => ({
      revisions: await countRevisions(target.id),
      row: await rowOf(target.id),
    });
    const expectUnchanged = async () => expect(await snapshot()).toEqual(before);

    it.each([
      ['an unknown property', { content: { name: 'X' }, owner: 'me' }, 'owner'],
      ['content that is not an object', { content: 'hello' }, 'content'],
      ['content that is an array', { content: [1, 2] }, 'content'],
      ['a message that is not a string', { content: { name: 'X' }, message: 42 }, 'message'],
    ])('PUT with %s → 400 naming %s', async (_what, body, path) => {
      before = await snapshot();
      const problem = await expectProblem(
        await sendJson(url(`/person/${target.id}`), body, { method: 'PUT', headers: auth }),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toContain(path);
      await expectUnchanged();
    });

    it.each([
      ['a wrong type', 'content.age', { name: 'X', age: 'old' }],
      ['an unknown field', 'content.shoe', { name: 'X', shoe: 44 }],
      ['a missing title field', 'content.name', { age: 3 }],
      ['a too long title', 'content.name', { name: 'x'.repeat(101) }],
      [
        'a link to a missing snippet',
        'content.mentor',
        { name: 'X', mentor: { id: randomUUID() } },
      ],
      ['a link that is not an id', 'content.mentor.id', { name: 'X', mentor: { id: 'nope' } }],
    ])('saving content with %s → 400 at %s', async (_what, path, content) => {
      before = await snapshot();
      const problem = await expectProblem(
        await sendJson(url(`/person/${target.id}`), { content }, { method: 'PUT', headers: auth }),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toContain(path);
      await expectUnchanged();
    });

    it('refuses a link to a snippet of another type than the field allows', async () => {
      const topic = await call<Snippet>('POST', '/topic', { content: { name: 'Physics' } });
      before = await snapshot();
      const problem = await expectProblem(
        await sendJson(
          url(`/person/${target.id}`),
          { content: { name: 'X', mentor: { id: topic.id }, topics: [{ id: target.id }] } },
          { method: 'PUT', headers: auth },
        ),
        400,
      );
      expect(problem.errors?.map((error) => error.path).sort()).toEqual([
        'content.mentor',
        'content.topics[0]',
      ]);
      await expectUnchanged();
    });

    it('refuses a unique value another snippet of the type holds', async () => {
      const other = await create({ name: 'Other', email: 'taken@example.com' });
      expect(other.status).toBe('draft');
      before = await snapshot();
      const problem = await expectProblem(
        await sendJson(
          url(`/person/${target.id}`),
          { content: { name: 'X', email: 'taken@example.com' } },
          { method: 'PUT', headers: auth },
        ),
        400,
      );
      expect(problem.errors).toEqual([
        { path: 'content.email', message: expect.stringContaining('unique') },
      ]);
      await expectUnchanged();
      // Saving its own value again is fine.
      await call('PUT', `/person/${target.id}`, {
        content: { name: 'Unchanged', email: 'unchanged@example.com' },
      });
    });

    it('refuses content over 1 MB', async () => {
      before = await snapshot();
      const problem = await expectProblem(
        await sendJson(
          url(`/person/${target.id}`),
          { content: { name: 'Big', bio: 'x'.repeat(1_100_000) } },
          { method: 'PUT', headers: auth },
        ),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toContain('content');
      await expectUnchanged();
    });

    it('refuses to publish content that only a draft may have (a required field empty)', async () => {
      const draft = await call<Snippet>('POST', '/topic', { content: { name: 'T' } });
      await db.query(`UPDATE revisions SET content = '{}' WHERE object_id = $1`, [draft.id]);
      const problem = await expectProblem(
        await sendJson(url(`/topic/${draft.id}/publish`), {}, { headers: auth }),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toContain('content.name');
      expect(await rowOf(draft.id)).toMatchObject({ live: false });
    });

    it.each([
      ['GET', '/person/not-a-uuid', 'id'],
      ['PUT', '/person/not-a-uuid', 'id'],
      ['DELETE', '/person/not-a-uuid', 'id'],
      ['POST', '/person/not-a-uuid/publish', 'id'],
      ['GET', '/Person', 'type'],
      ['GET', `/person/${randomUUID()}/revisions/abc`, 'revisionId'],
      ['GET', `/person/${randomUUID()}/revisions/compare?a=1`, 'b'],
      ['GET', '/person?limit=0', 'limit'],
      ['GET', '/person?limit=1000', 'limit'],
      ['GET', '/person?offset=-1', 'offset'],
      ['GET', '/person?sort=title', 'sort'],
      ['DELETE', `/person/${randomUUID()}?force=maybe`, 'force'],
    ])('%s %s → 400 naming %s', async (method, path, field) => {
      const response = await fetch(url(path), {
        method,
        headers: { ...auth, ...(method === 'PUT' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'PUT' ? { body: JSON.stringify({ content: { name: 'x' } }) } : {}),
      });
      const problem = await expectProblem(response, 400);
      expect(problem.errors?.map((error) => error.path)).toContain(field);
    });

    it.each([
      ['goLiveAt', { goLiveAt: 'tomorrow' }],
      ['expireAt', { expireAt: '2020-01-01T00:00:00Z' }],
      ['expireAt', { goLiveAt: '2999-01-02T00:00:00Z', expireAt: '2999-01-01T00:00:00Z' }],
      ['revisionId', { revisionId: '-1' }],
      ['unknown', { unknown: true }],
    ])('publish with a bad %s → 400, nothing published', async (field, body) => {
      const problem = await expectProblem(
        await sendJson(url(`/person/${target.id}/publish`), body, { headers: auth }),
        400,
      );
      expect(problem.errors?.map((error) => error.path)).toContain(field);
      expect(await rowOf(target.id)).toMatchObject({ live: false });
    });

    it('answers 404 for unknown types, page types, unknown ids, and revisions of other snippets', async () => {
      const other = await create({ name: 'Someone else' });
      for (const path of [
        '/nosuchtype',
        '/landing',
        `/person/${randomUUID()}`,
        `/topic/${target.id}`,
        `/person/${target.id}/revisions/${other.latestRevisionId}`,
        `/person/${target.id}/revisions/999999999`,
      ]) {
        await expectProblem(await fetch(url(path), { headers: auth }), 404);
      }
      await expectProblem(
        await sendJson(url('/landing'), { content: { intro: 'x' } }, { headers: auth }),
        404,
      );
      await expectProblem(
        await sendJson(
          url(`/person/${target.id}/publish`),
          { revisionId: other.latestRevisionId },
          { headers: auth },
        ),
        404,
      );
    });

    it('answers 409 when cancelling a schedule that does not exist', async () => {
      await expectProblem(
        await fetch(url(`/person/${target.id}/schedule`), { method: 'DELETE', headers: auth }),
        409,
      );
    });
  });
});
