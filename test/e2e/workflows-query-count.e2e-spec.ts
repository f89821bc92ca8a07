import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { type BlogSite, buildBlogSite, createPost } from '#test/helpers/delivery-site.js';
import { fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import {
  addComment,
  approve,
  assignWorkflow,
  createGroupWithMembers,
  createTask,
  createWorkflow,
  grantPagePermissions,
  type Headers,
  headersOf,
  submit,
} from '#test/helpers/workflows.js';

const backend = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded database';

/**
 * The dashboard and history lists run a fixed number of SQL queries, however many pages
 * are in review: counted for a few pages, then again for many more.
 */
describe(`workflow lists cost the same number of queries for 2 or 8 pages (${backend})`, () => {
  let app: TestApp;
  let site: BlogSite;
  let asAdmin: Headers;
  let editor: TestUser;
  let asEditor: Headers;
  let asReviewer: Headers;
  const pageIds: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({});
    const admin = await createUser(app, { isSuperuser: true, name: 'Ada Admin' });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    editor = await createUser(app, { name: 'Eddie Editor' });
    const reviewer = await createUser(app, { name: 'Rita Reviewer' });
    const editors = await createGroupWithMembers(app, asAdmin, 'Blog editors', [editor]);
    await grantPagePermissions(app, asAdmin, editors, [
      { pageId: site.blogId, permissions: ['add', 'change'] },
    ]);
    const reviewers = await createGroupWithMembers(app, asAdmin, 'Reviewers', [reviewer]);
    const first = await createTask(app, asAdmin, { name: 'First look', groups: [reviewers] });
    const second = await createTask(app, asAdmin, { name: 'Second look', groups: [reviewers] });
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Two looks',
      tasks: [first.id, second.id],
    });
    await assignWorkflow(app, asAdmin, workflow.id, site.blogId);
    [asEditor, asReviewer] = await Promise.all([headersOf(app, editor), headersOf(app, reviewer)]);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  /** Drafts `count` more posts, submits each, approves its first task and comments on it. */
  async function inReview(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const pageId = await createPost(app, asEditor, site.blogId, {
        title: `Post ${pageIds.length + 1}`,
        publish: false,
      });
      const state = await submit(app, asEditor, pageId);
      await approve(app, asReviewer, pageId, state.currentTask!.id, { comment: 'Looks fine.' });
      await addComment(app, asReviewer, pageId, { text: 'One more thing.' });
      pageIds.push(pageId);
    }
  }

  async function countsFor(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const requests: Array<[string, string, Headers]> = [
      ['awaiting-my-review', '/api/admin/workflows/awaiting-my-review?limit=100', asReviewer],
      ['my-submissions', '/api/admin/workflows/my-submissions?limit=100', asEditor],
      ['workflows', '/api/admin/workflows', asAdmin],
      ['tasks', '/api/admin/workflow-tasks', asAdmin],
      ['history', `/api/admin/pages/${pageIds[0]}/workflow/history`, asAdmin],
      ['comments', `/api/admin/pages/${pageIds[0]}/comments`, asReviewer],
    ];
    for (const [name, path, headers] of requests) {
      const response = await fetchCountingQueries(`${app.baseUrl}${path}`, { headers });
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      counts[name] = response.queries.length;
    }
    return counts;
  }

  it('keeps each list at a fixed number of queries as the pages in review grow', async () => {
    await inReview(2);
    const few = await countsFor();
    const listed = await fetch(`${app.baseUrl}/api/admin/workflows/awaiting-my-review?limit=100`, {
      headers: asReviewer,
    });
    expect(((await listed.json()) as { meta: { total_count: number } }).meta.total_count).toBe(2);

    await inReview(6);
    const many = await countsFor();
    const relisted = await fetch(
      `${app.baseUrl}/api/admin/workflows/awaiting-my-review?limit=100`,
      { headers: asReviewer },
    );
    const body = (await relisted.json()) as {
      meta: { total_count: number };
      items: Array<{ taskStates: unknown[] }>;
    };
    expect(body.meta.total_count).toBe(8);
    expect(body.items.every((item) => item.taskStates.length === 2)).toBe(true);
    expect(many).toEqual(few);
  }, 180_000);
});
