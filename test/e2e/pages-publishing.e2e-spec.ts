import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes, loadExampleSchema } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** A page that links to another page, for usage and delete guards. */
const LINKING_PAGE: ContentTypeDefinition = {
  key: 'link_page',
  label: 'Link page',
  kind: 'page',
  fields: [{ key: 'related', type: 'page_link' }],
};

interface PageBody {
  id: string;
  title: string;
  status: string;
  live: boolean;
  content: Record<string, unknown>;
  draft: { revisionId: string; title: string; content: Record<string, unknown> };
  state: { status: string; goLiveAt: string | null; liveRevisionId: string | null };
}

const postContent = (heading: string) => ({
  date: '2026-11-01',
  body: [{ type: 'heading', id: randomUUID(), value: heading }],
});

describe('publishing pages through the pages API', () => {
  let app: TestApp;
  let db: DataSource;
  let asAdmin: Record<string, string>;
  let home: PageBody;
  let blog: PageBody;
  let post: PageBody;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true });
    const token = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(token);
    await applyContentTypes(app, token, [...(await loadExampleSchema()), LINKING_PAGE]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const url = (path = '') => `${app.baseUrl}/api/admin/pages${path}`;
  const send = (method: string, path: string, body: unknown) =>
    sendJson(url(path), body, { method, headers: asAdmin });
  const get = async <T = PageBody>(path: string): Promise<T> => {
    const response = await fetch(url(path), { headers: asAdmin });
    if (response.status !== 200) throw new Error(`${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  async function created(response: Response): Promise<PageBody> {
    if (response.status !== 201) throw new Error(`${response.status} ${await response.text()}`);
    return (await response.json()) as PageBody;
  }
  const pageCount = async () =>
    (await db.query<Array<{ count: number }>>('SELECT count(*)::int AS count FROM pages'))[0].count;

  it('builds the example site: home, blog index and a published post', async () => {
    home = await created(await send('POST', '', { type: 'home', title: 'Home', publish: true }));
    expect(home).toMatchObject({ live: true, status: 'live' });
    blog = await created(
      await send('POST', '', {
        parentId: home.id,
        type: 'blog_index',
        title: 'Blog',
        publish: true,
      }),
    );
    // Absent content starts from the type's defaults.
    expect(blog.content).toEqual({ posts_per_page: 10 });
    post = await created(
      await send('POST', '', {
        parentId: blog.id,
        type: 'blog_post',
        title: 'Hello',
        content: postContent('First'),
        publish: true,
      }),
    );
    expect(post).toMatchObject({ live: true, status: 'live', title: 'Hello' });
    const actions = await db.query<Array<{ action: string }>>(
      `SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id`,
      [post.id],
    );
    expect(actions.map((row) => row.action)).toEqual(['pages.created', 'pages.published']);
  });

  it('refuses content that fails validation, or a type the parent does not allow, creating nothing', async () => {
    const before = await pageCount();
    const invalid = await expectProblem(
      await send('POST', '', {
        parentId: blog.id,
        type: 'blog_post',
        title: 'No date',
        content: { body: [] },
        publish: true,
      }),
      400,
    );
    expect(invalid.errors?.map((error) => error.path)).toContain('content.date');
    const wrongField = await expectProblem(
      await send('POST', '', {
        parentId: blog.id,
        type: 'blog_post',
        title: 'Bad',
        content: { date: 'yesterday' },
      }),
      400,
    );
    expect(wrongField.errors?.map((error) => error.path)).toContain('content.date');
    await expectProblem(
      await send('POST', '', { parentId: home.id, type: 'blog_post', title: 'Misplaced' }),
      400,
    );
    expect(await pageCount()).toBe(before);
  });

  it('saves drafts beside the live version, lists, shows, compares and reverts revisions', async () => {
    const saved = await send('PUT', `/${post.id}`, {
      title: 'Hello again',
      content: postContent('Second'),
    });
    expect(saved.status).toBe(200);
    const detail = (await saved.json()) as PageBody;
    expect(detail).toMatchObject({
      title: 'Hello',
      status: 'live + draft',
      draft: { title: 'Hello again' },
    });
    expect((detail.content.body as Array<{ value: string }>)[0].value).toBe('First');
    expect((detail.draft.content.body as Array<{ value: string }>)[0].value).toBe('Second');

    const revisions = await get<{
      total_count: number;
      items: Array<{ id: string; isLive: boolean }>;
    }>(`/${post.id}/revisions`);
    expect(revisions.total_count).toBe(2);
    const [latest, first] = revisions.items;
    expect(first.isLive).toBe(true);
    const shown = await get<{ id: string; title: string }>(`/${post.id}/revisions/${first.id}`);
    expect(shown).toMatchObject({ id: first.id, title: 'Hello' });
    const compared = await get<{ title: { changed: boolean }; changes: Array<{ path: string }> }>(
      `/${post.id}/revisions/compare?a=${first.id}&b=${latest.id}`,
    );
    expect(compared.title.changed).toBe(true);
    expect(compared.changes.map((change) => change.path)).toContain('body');

    const reverted = await send('POST', `/${post.id}/revisions/${first.id}/revert`, {});
    expect(reverted.status).toBe(200);
    const afterRevert = await get(`/${post.id}`);
    expect(afterRevert.draft.title).toBe('Hello');

    // Publishing a chosen revision.
    const published = await send('POST', `/${post.id}/publish`, { revisionId: latest.id });
    expect(published.status).toBe(200);
    expect((await get(`/${post.id}`)).title).toBe('Hello again');

    await expectProblem(
      await fetch(url(`/${post.id}/revisions/999999`), { headers: asAdmin }),
      404,
    );
    await expectProblem(await send('POST', `/${post.id}/revisions/999999/revert`, {}), 404);
    await expectProblem(await send('POST', `/${post.id}/publish`, { revisionId: '999999' }), 404);
    await expectProblem(
      await fetch(url(`/${post.id}/revisions/compare?a=${first.id}`), { headers: asAdmin }),
      400,
    );
    await expectProblem(await fetch(url(`/${NO_SUCH_ID}/revisions`), { headers: asAdmin }), 404);
  });

  it('schedules a publication and cancels it', async () => {
    await send('PUT', `/${post.id}`, { title: 'Scheduled title' });
    const goLiveAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await send('POST', `/${post.id}/publish`, { goLiveAt });
    expect(scheduled.status).toBe(200);
    expect(await scheduled.json()).toMatchObject({ scheduled: true });
    expect((await get(`/${post.id}`)).state).toMatchObject({
      status: 'live + scheduled',
      goLiveAt,
    });
    const cancelled = await fetch(url(`/${post.id}/schedule`), {
      method: 'DELETE',
      headers: asAdmin,
    });
    expect(cancelled.status).toBe(200);
    expect((await get(`/${post.id}`)).state.goLiveAt).toBeNull();
    await expectProblem(
      await fetch(url(`/${post.id}/schedule`), { method: 'DELETE', headers: asAdmin }),
      409,
    );
  });

  it('lists where a page is used, and guards its deletion while live content links to it', async () => {
    const linker = await created(
      await send('POST', '', {
        type: 'link_page',
        title: 'Links',
        content: { related: { id: post.id } },
        publish: true,
      }),
    );
    const usage = await get<{ total_count: number; items: Array<{ source: { id: string } }> }>(
      `/${post.id}/usage`,
    );
    expect(usage.total_count).toBe(1);
    expect(usage.items[0].source.id).toBe(linker.id);

    const preview = await get<{ descendants: number; live: number; usages: unknown[] }>(
      `/${blog.id}/delete-preview`,
    );
    expect(preview).toMatchObject({ descendants: 1, live: 2 });
    expect(preview.usages).toEqual([
      expect.objectContaining({ source: expect.objectContaining({ id: linker.id }) }),
    ]);
    const refused = await expectProblem(
      await fetch(url(`/${blog.id}?confirm=2`), { method: 'DELETE', headers: asAdmin }),
      409,
    );
    expect(refused.errors).toEqual([
      {
        path: 'usages[0]',
        message: expect.stringContaining(
          `page ${linker.id} "Links" (link_page) links to page ${post.id}`,
        ),
      },
    ]);
    expect(await pageCount()).toBeGreaterThanOrEqual(4);

    // Links from inside the subtree do not block its deletion.
    await created(
      await send('POST', '', {
        parentId: linker.id,
        type: 'link_page',
        title: 'Back link',
        content: { related: { id: linker.id } },
        publish: true,
      }),
    );
    const linkerPreview = await get<{ usages: unknown[] }>(`/${linker.id}/delete-preview`);
    expect(linkerPreview).toEqual({ descendants: 1, live: 2, usages: [] });

    const forced = await fetch(url(`/${blog.id}?confirm=2&force=true`), {
      method: 'DELETE',
      headers: asAdmin,
    });
    expect(forced.status).toBe(200);
    const [refs] = await db.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM content_references WHERE source_id = $1`,
      [post.id],
    );
    expect(refs.count).toBe(0);
    await expectProblem(await fetch(url(`/${post.id}`), { headers: asAdmin }), 404);
  });

  it('unpublishes a page with its live descendants', async () => {
    const section = await created(
      await send('POST', '', {
        parentId: home.id,
        type: 'blog_index',
        title: 'News',
        publish: true,
      }),
    );
    const item = await created(
      await send('POST', '', {
        parentId: section.id,
        type: 'blog_post',
        title: 'Item',
        content: postContent('x'),
        publish: true,
      }),
    );
    const response = await send('POST', `/${section.id}/unpublish`, { includeDescendants: true });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { unpublished: string[] }).unpublished.sort()).toEqual(
      [section.id, item.id].sort(),
    );
    expect((await get(`/${item.id}`)).live).toBe(false);
    expect((await get(`/${home.id}`)).live).toBe(true);
    await expectProblem(await send('POST', `/${section.id}/unpublish`, {}), 409);
  });
});
