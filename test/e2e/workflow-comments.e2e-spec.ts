import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import {
  blogPostContent,
  type BlogSite,
  buildBlogSite,
  createPost,
} from '#test/helpers/delivery-site.js';
import { expectProblem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import {
  addComment,
  addCommentResponse,
  adminRequest,
  approve,
  assignWorkflow,
  type CommentView,
  createGroupWithMembers,
  createTask,
  createWorkflow,
  expectJson,
  grantPagePermissions,
  type Headers,
  headersOf,
  listComments,
  type NewComment,
  submit,
} from '#test/helpers/workflows.js';

const backend = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded database';
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

describe(`comments on pages under review (${backend})`, () => {
  let app: TestApp;
  let db: DataSource;
  let site: BlogSite;
  let admin: TestUser;
  let asAdmin: Headers;
  let editor: TestUser;
  let asEditor: Headers;
  /** Another editor of the blog. */
  let colleague: TestUser;
  let asColleague: Headers;
  /** No permission anywhere. */
  let asOutsider: Headers;
  /** Reviews the blog's first task; holds no page permission. */
  let checker: TestUser;
  let asChecker: Headers;
  /** Reviews the blog's second task; holds no page permission. */
  let asSigner: Headers;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    admin = await createUser(app, { isSuperuser: true, name: 'Ada Admin' });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);

    editor = await createUser(app, { name: 'Eddie Editor' });
    colleague = await createUser(app, { name: 'Cora Colleague' });
    const outsider = await createUser(app, { name: 'Otto Outsider' });
    checker = await createUser(app, { name: 'Fay Checker' });
    const signer = await createUser(app, { name: 'Sid Signer' });
    const editors = await createGroupWithMembers(app, asAdmin, 'Blog editors', [editor, colleague]);
    await grantPagePermissions(app, asAdmin, editors, [
      { pageId: site.blogId, permissions: ['add', 'change'] },
    ]);
    const checkers = await createGroupWithMembers(app, asAdmin, 'Fact checkers', [checker]);
    const signers = await createGroupWithMembers(app, asAdmin, 'Signers', [signer]);
    const factCheck = await createTask(app, asAdmin, { name: 'Fact check', groups: [checkers] });
    const signOff = await createTask(app, asAdmin, { name: 'Sign-off', groups: [signers] });
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Checked',
      tasks: [factCheck.id, signOff.id],
    });
    await assignWorkflow(app, asAdmin, workflow.id, site.blogId);

    [asEditor, asColleague, asOutsider, asChecker, asSigner] = await Promise.all(
      [editor, colleague, outsider, checker, signer].map((user) => headersOf(app, user)),
    );
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  const draftPost = (title: string) =>
    createPost(app, asEditor, site.blogId, { title, publish: false });

  const latestRevision = async (pageId: string): Promise<string> => {
    const page = await expectJson<{ state: { latestRevisionId: string } }>(
      await adminRequest(app, asAdmin, 'GET', `/pages/${pageId}`),
      200,
      'page detail',
    );
    return page.state.latestRevisionId;
  };

  const storedComments = async (): Promise<number> =>
    Number((await db.query<Array<{ n: string }>>('SELECT count(*) AS n FROM page_comments'))[0].n);

  const comment = (pageId: string, commentId: string, suffix = '') =>
    `/pages/${pageId}/comments/${commentId}${suffix}`;

  async function auditActions(pageId: string): Promise<string[]> {
    const page = await expectJson<{ items: Array<{ action: string }> }>(
      await fetch(`${app.baseUrl}/api/admin/audit-log?objectId=${pageId}&limit=100`, {
        headers: asAdmin,
      }),
      200,
      'audit log',
    );
    return page.items.map((entry) => entry.action);
  }

  it('keeps whole-page and field comments on a revision, with replies, as threads oldest first', async () => {
    const pageId = await draftPost('Commented post');
    const firstRevision = await latestRevision(pageId);

    const overall = await addComment(app, asEditor, pageId, {
      text: 'Ready for a look.',
      revisionId: firstRevision,
    });
    expect(overall).toMatchObject({
      revisionId: firstRevision,
      fieldPath: null,
      text: 'Ready for a look.',
      author: { id: editor.id, name: 'Eddie Editor', email: editor.email },
      parentId: null,
      resolvedAt: null,
      resolvedBy: null,
    });
    const onIntro = await addComment(app, asColleague, pageId, {
      text: 'The intro is too long.',
      revisionId: firstRevision,
      fieldPath: 'content.intro',
    });
    expect(onIntro).toMatchObject({ fieldPath: 'content.intro', author: { id: colleague.id } });
    const reply = await addComment(app, asEditor, pageId, {
      text: 'Shortened it.',
      parentId: onIntro.id,
    });
    expect(reply).toMatchObject({ parentId: onIntro.id, author: { id: editor.id } });

    const threads = await listComments(app, asColleague, pageId);
    expect(threads.map((thread) => [thread.id, thread.replies?.map((each) => each.id)])).toEqual([
      [overall.id, []],
      [onIntro.id, [reply.id]],
    ]);

    // A comment on the next draft is listed with it, not with the first revision.
    const saved = await fetch(`${app.baseUrl}/api/admin/pages/${pageId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...asEditor },
      body: JSON.stringify({ content: blogPostContent({ title: 'x', intro: 'Short.' }) }),
    });
    expect(saved.status).toBe(200);
    const secondRevision = await latestRevision(pageId);
    const later = await addComment(app, asColleague, pageId, {
      text: 'Better.',
      revisionId: secondRevision,
    });
    const onFirst = await listComments(app, asEditor, pageId, { revisionId: firstRevision });
    expect(onFirst.map((thread) => thread.id)).toEqual([overall.id, onIntro.id]);
    const onSecond = await listComments(app, asEditor, pageId, { revisionId: secondRevision });
    expect(onSecond.map((thread) => thread.id)).toEqual([later.id]);

    expect(
      (await auditActions(pageId)).filter((action) => action === 'comments.added'),
    ).toHaveLength(4);
  });

  it('resolves and reopens a thread, recording who resolved it, and filters by resolved', async () => {
    const pageId = await draftPost('Post with a resolved thread');
    const open = await addComment(app, asEditor, pageId, { text: 'Check the date.' });
    const other = await addComment(app, asEditor, pageId, { text: 'And the title.' });

    const resolved = await expectJson<CommentView>(
      await adminRequest(app, asColleague, 'POST', comment(pageId, open.id, '/resolve')),
      200,
      'resolve',
    );
    expect(resolved).toMatchObject({ id: open.id, resolvedBy: { id: colleague.id } });
    expect(resolved.resolvedAt).toEqual(expect.any(String));
    const ids = (threads: CommentView[]) => threads.map((thread) => thread.id);
    expect(ids(await listComments(app, asEditor, pageId, { resolved: true }))).toEqual([open.id]);
    expect(ids(await listComments(app, asEditor, pageId, { resolved: false }))).toEqual([other.id]);
    expect(await auditActions(pageId)).toContain('comments.resolved');

    const reopened = await expectJson<CommentView>(
      await adminRequest(app, asEditor, 'POST', comment(pageId, open.id, '/reopen')),
      200,
      'reopen',
    );
    expect(reopened).toMatchObject({ id: open.id, resolvedAt: null, resolvedBy: null });
    expect(ids(await listComments(app, asEditor, pageId, { resolved: false }))).toEqual([
      open.id,
      other.id,
    ]);
  });

  it('lets only the author edit a comment, and the author or a superuser delete it', async () => {
    const pageId = await draftPost('Post with edited comments');
    const mine = await addComment(app, asEditor, pageId, { text: 'Typo in paragraph 2.' });
    const reply = await addComment(app, asColleague, pageId, {
      text: 'Which one?',
      parentId: mine.id,
    });

    const edited = await expectJson<CommentView>(
      await adminRequest(app, asEditor, 'PATCH', comment(pageId, mine.id), {
        text: 'Typo in paragraph 3.',
      }),
      200,
      'edit',
    );
    expect(edited).toMatchObject({ id: mine.id, text: 'Typo in paragraph 3.' });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThanOrEqual(Date.parse(mine.updatedAt));
    for (const headers of [asColleague, asAdmin]) {
      await expectProblem(
        await adminRequest(app, headers, 'PATCH', comment(pageId, mine.id), { text: 'Hijacked' }),
        403,
      );
    }
    await expectProblem(
      await adminRequest(app, asColleague, 'DELETE', comment(pageId, mine.id)),
      403,
    );
    expect((await listComments(app, asEditor, pageId))[0]).toMatchObject({
      text: 'Typo in paragraph 3.',
      replies: [{ id: reply.id, text: 'Which one?' }],
    });

    // A superuser may delete someone else's reply; the author their own thread.
    const byAdmin = await adminRequest(app, asAdmin, 'DELETE', comment(pageId, reply.id));
    expect(byAdmin.status).toBe(204);
    const byAuthor = await adminRequest(app, asEditor, 'DELETE', comment(pageId, mine.id));
    expect(byAuthor.status).toBe(204);
    expect(await listComments(app, asEditor, pageId)).toEqual([]);
    const gone = await expectProblem(
      await adminRequest(app, asEditor, 'DELETE', comment(pageId, mine.id)),
      404,
    );
    expect(gone.type).toBe('urn:finch:problem:comment-not-found');
    expect(await auditActions(pageId)).toContain('comments.deleted');
  });

  it('refuses bad comments with a 400 naming the field, storing nothing', async () => {
    const pageId = await draftPost('Post with bad comments');
    const otherPageId = await draftPost('Some other post');
    const topLevel = await addComment(app, asEditor, pageId, { text: 'A thread.' });
    const reply = await addComment(app, asEditor, pageId, {
      text: 'A reply.',
      parentId: topLevel.id,
    });
    const stored = await storedComments();

    const cases: Array<[what: string, body: NewComment & Record<string, unknown>, field: string]> =
      [
        ['empty text', { text: '' }, 'text'],
        ['no text', { text: undefined }, 'text'],
        ['text not a string', { text: 42 }, 'text'],
        ['5001 characters', { text: 'x'.repeat(5001) }, 'text'],
        ['a NUL byte in the text', { text: 'before\u0000after' }, 'text'],
        ['a malformed field path', { text: 'ok', fieldPath: 'content..intro' }, 'fieldPath'],
        ['a field path with spaces', { text: 'ok', fieldPath: 'not a path!' }, 'fieldPath'],
        [
          'a field the page type lacks',
          { text: 'ok', fieldPath: 'content.no_such_field' },
          'fieldPath',
        ],
        [
          'a NUL byte in the field path',
          { text: 'ok', fieldPath: 'content.in\u0000tro' },
          'fieldPath',
        ],
        ['a revision that is no number', { text: 'ok', revisionId: 'abc' }, 'revisionId'],
        ['an unknown revision', { text: 'ok', revisionId: '999999999' }, 'revisionId'],
        [
          "another page's revision",
          { text: 'ok', revisionId: await latestRevision(otherPageId) },
          'revisionId',
        ],
        ['a reply to a reply', { text: 'ok', parentId: reply.id }, 'parentId'],
        ['a parent that is no id', { text: 'ok', parentId: 'nope' }, 'parentId'],
        ['an unknown property', { text: 'ok', authorId: editor.id }, 'authorId'],
      ];
    for (const [what, body, field] of cases) {
      const response = await addCommentResponse(app, asEditor, pageId, body);
      const problem = await expectProblem(response, 400);
      expect({
        what,
        type: problem.type,
        fields: problem.errors?.map((error) => error.path),
      }).toEqual({
        what,
        type: 'urn:finch:problem:validation',
        fields: expect.arrayContaining([field]),
      });
    }
    const badEdits: Array<[string, unknown]> = [
      ['empty text', { text: '' }],
      ['5001 characters', { text: 'y'.repeat(5001) }],
      ['a NUL byte', { text: 'a\u0000' }],
    ];
    for (const [what, body] of badEdits) {
      const problem = await expectProblem(
        await adminRequest(app, asEditor, 'PATCH', comment(pageId, topLevel.id), body),
        400,
      );
      expect({ what, fields: problem.errors?.map((error) => error.path) }).toEqual({
        what,
        fields: ['text'],
      });
    }
    expect(await storedComments()).toBe(stored);
    expect((await listComments(app, asEditor, pageId))[0].text).toBe('A thread.');

    // 5000 characters is the limit, not past it.
    const longest = await addComment(app, asEditor, pageId, { text: 'z'.repeat(5000) });
    expect(longest.text).toHaveLength(5000);
  });

  it('hides comments from users with no permission on the page, and from anonymous callers', async () => {
    const pageId = await draftPost('Private post');
    const existing = await addComment(app, asEditor, pageId, { text: 'Internal note.' });
    const stored = await storedComments();
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/pages/${pageId}/comments`],
      ['POST', `/pages/${pageId}/comments`, { text: 'Let me in.' }],
      ['PATCH', comment(pageId, existing.id), { text: 'Mine now.' }],
      ['POST', comment(pageId, existing.id, '/resolve')],
      ['DELETE', comment(pageId, existing.id)],
    ];
    for (const [method, path, body] of attempts) {
      const response = await adminRequest(app, asOutsider, method, path, body);
      expect({ method, path, refused: [403, 404].includes(response.status) }).toEqual({
        method,
        path,
        refused: true,
      });
      await expectProblem(response, response.status);
      await expectProblem(await adminRequest(app, {}, method, path, body), 401);
    }
    expect(await storedComments()).toBe(stored);
    expect((await listComments(app, asEditor, pageId))[0]).toMatchObject({
      text: 'Internal note.',
      resolvedAt: null,
    });
    await expectProblem(
      await adminRequest(app, asEditor, 'GET', `/pages/${NO_SUCH_ID}/comments`),
      404,
    );
  });

  it('lets the reviewers of the current task, and only of that one, read and write comments, and the editor answer them', async () => {
    const pageId = await draftPost('Post for fact checking');
    const refused = async (headers: Headers, what: string) => {
      const list = await adminRequest(app, headers, 'GET', `/pages/${pageId}/comments`);
      const add = await addCommentResponse(app, headers, pageId, { text: what });
      expect({ what, list: list.status, add: add.status }).toEqual({ what, list: 403, add: 403 });
      await list.body?.cancel();
      await add.body?.cancel();
    };
    await refused(asChecker, 'before the review');

    const state = await submit(app, asEditor, pageId);
    // The sign-off's reviewer is not a reviewer of the page until their task is current.
    await refused(asSigner, 'before their task');
    const question = await addComment(app, asChecker, pageId, {
      text: 'Source for the figure?',
      revisionId: state.currentTask!.revisionId,
      fieldPath: 'content.body',
    });
    expect(question).toMatchObject({
      author: { id: checker.id },
      revisionId: state.currentTask!.revisionId,
    });
    // Comments are not edits: the page's lock in review does not stop the editor answering.
    await addComment(app, asEditor, pageId, { text: 'Added it.', parentId: question.id });
    const threads = await listComments(app, asChecker, pageId);
    expect(threads).toHaveLength(1);
    expect(threads[0].replies?.map((each) => each.text)).toEqual(['Added it.']);

    // The fact check is done: the sign-off's reviewer takes over the conversation.
    await approve(app, asChecker, pageId, state.currentTask!.id);
    await refused(asChecker, 'after their task');
    expect((await listComments(app, asSigner, pageId)).map((thread) => thread.id)).toEqual([
      question.id,
    ]);
    const signed = await addComment(app, asSigner, pageId, { text: 'Signed off.' });
    expect((await listComments(app, asEditor, pageId)).map((thread) => thread.id)).toEqual([
      question.id,
      signed.id,
    ]);
  });
});
