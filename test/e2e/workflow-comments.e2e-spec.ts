import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import {
  blogPostContent,
  type BlogSite,
  buildBlogSite,
  createPage,
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
  requestChanges,
  resubmit,
  resubmitResponse,
  submit,
  submitResponse,
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
  /** The blog workflow's tasks, in order: the fact check, then the sign-off. */
  let reviewTaskIds: string[];

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
    reviewTaskIds = [factCheck.id, signOff.id];
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

  const saveDraft = async (pageId: string, headers: Headers, bodyText: string) => {
    const response = await adminRequest(app, headers, 'PUT', `/pages/${pageId}`, {
      content: blogPostContent({ title: 'x', bodyText }),
    });
    expect({ saved: response.status, body: await response.text() }).toMatchObject({ saved: 200 });
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
  it('keeps open the comments of a page sent back to the reviewers of the task that sent it, until it moves on past their task', async () => {
    const pageId = await draftPost('Post sent back by the fact check');
    const submitted = await submit(app, asEditor, pageId);
    const question = await addComment(app, asChecker, pageId, { text: 'Which survey is this?' });
    const sentBack = await requestChanges(
      app,
      asChecker,
      pageId,
      submitted.currentTask!.id,
      'Name the survey.',
    );
    expect(sentBack.status).toBe('needs_changes');

    // Needs changes: the fact checker still follows the conversation and adds to it.
    const checkerReads = await listComments(app, asChecker, pageId);
    expect(checkerReads.map((thread) => thread.id)).toEqual([question.id]);
    const followUp = await addComment(app, asChecker, pageId, { text: 'Also the year, please.' });
    expect(followUp.author).toMatchObject({ id: checker.id });
    const answer = await addComment(app, asEditor, pageId, {
      text: 'The 2025 census.',
      parentId: question.id,
    });
    expect(answer.author).toMatchObject({ id: editor.id });
    // The sign-off's reviewer still waits for their task.
    const signerRead = await adminRequest(app, asSigner, 'GET', `/pages/${pageId}/comments`);
    expect((await expectProblem(signerRead, 403)).type).toBe('urn:finch:problem:permission-denied');

    // Resubmitted, it is at the fact check again; approved, it moves on and the checker is out.
    await saveDraft(pageId, asEditor, 'From the 2025 census.');
    const resubmitted = await resubmit(app, asEditor, pageId);
    expect(resubmitted.currentTask!.task.name).toBe('Fact check');
    expect(await listComments(app, asChecker, pageId)).toHaveLength(2);
    await approve(app, asChecker, pageId, resubmitted.currentTask!.id);
    const stored = await storedComments();
    const list = await adminRequest(app, asChecker, 'GET', `/pages/${pageId}/comments`);
    expect((await expectProblem(list, 403)).type).toBe('urn:finch:problem:permission-denied');
    const add = await addCommentResponse(app, asChecker, pageId, { text: 'One more thing.' });
    expect((await expectProblem(add, 403)).type).toBe('urn:finch:problem:permission-denied');
    expect(await storedComments()).toBe(stored);
    expect((await listComments(app, asSigner, pageId)).map((thread) => thread.id)).toEqual([
      question.id,
      followUp.id,
    ]);
  });

  it('closes the comments to the reviewer who sent a page back once its resubmission restarts at an earlier task', async () => {
    const pageId = await draftPost('Post sent back at the sign-off');
    const fromStart = await createWorkflow(app, asAdmin, {
      name: 'Checked from the start',
      tasks: reviewTaskIds,
      resubmitFrom: 'first_task',
    });
    await assignWorkflow(app, asAdmin, fromStart.id, pageId);
    const submitted = await submit(app, asEditor, pageId);
    const atSignOff = await approve(app, asChecker, pageId, submitted.currentTask!.id);
    await requestChanges(app, asSigner, pageId, atSignOff.currentTask!.id, 'Too long.');

    const note = await addComment(app, asSigner, pageId, { text: 'Cut the second half.' });
    expect((await listComments(app, asSigner, pageId)).map((thread) => thread.id)).toEqual([
      note.id,
    ]);
    const checkerRead = await adminRequest(app, asChecker, 'GET', `/pages/${pageId}/comments`);
    expect((await expectProblem(checkerRead, 403)).type).toBe(
      'urn:finch:problem:permission-denied',
    );

    await saveDraft(pageId, asEditor, 'Shorter.');
    const resubmitted = await resubmit(app, asEditor, pageId);
    expect(resubmitted.currentTask!.task.name).toBe('Fact check');
    const signerRead = await adminRequest(app, asSigner, 'GET', `/pages/${pageId}/comments`);
    expect((await expectProblem(signerRead, 403)).type).toBe('urn:finch:problem:permission-denied');
    expect((await listComments(app, asChecker, pageId)).map((thread) => thread.id)).toEqual([
      note.id,
    ]);
  });

  it('refuses a reply that names a revision (400 naming revisionId), even its own thread’s, storing nothing', async () => {
    const pageId = await draftPost('Post with a misdirected reply');
    const firstRevision = await latestRevision(pageId);
    const thread = await addComment(app, asEditor, pageId, {
      text: 'On the first draft.',
      revisionId: firstRevision,
    });
    await saveDraft(pageId, asEditor, 'A second draft.');
    const secondRevision = await latestRevision(pageId);
    const stored = await storedComments();

    for (const revisionId of [secondRevision, firstRevision]) {
      const problem = await expectProblem(
        await addCommentResponse(app, asColleague, pageId, {
          text: 'A reply.',
          parentId: thread.id,
          revisionId,
        }),
        400,
      );
      expect({
        revisionId,
        type: problem.type,
        fields: problem.errors?.map((error) => error.path),
      }).toEqual({ revisionId, type: 'urn:finch:problem:validation', fields: ['revisionId'] });
    }
    expect(await storedComments()).toBe(stored);
    expect((await listComments(app, asEditor, pageId))[0].replies).toEqual([]);
  });

  it('keeps the note of a submission and of a resubmission as a comment by the submitter on the revision submitted', async () => {
    const pageId = await draftPost('Post with notes to the reviewers');
    const submitted = await submit(app, asEditor, pageId, 'Please check the figures.');
    const firstRevision = submitted.currentTask!.revisionId;
    const [submitNote, ...others] = await listComments(app, asChecker, pageId);
    expect(others).toEqual([]);
    expect(submitNote).toMatchObject({
      text: 'Please check the figures.',
      author: { id: editor.id, name: 'Eddie Editor', email: editor.email },
      revisionId: firstRevision,
      fieldPath: null,
      parentId: null,
      resolvedAt: null,
      replies: [],
    });

    await requestChanges(app, asChecker, pageId, submitted.currentTask!.id, 'Figure 2 is off.');
    await saveDraft(pageId, asEditor, 'Figure 2 corrected.');
    const resubmitted = await resubmit(app, asEditor, pageId, 'Fixed figure 2.');
    const secondRevision = resubmitted.currentTask!.revisionId;
    expect(secondRevision).not.toBe(firstRevision);
    const threads = await listComments(app, asEditor, pageId);
    expect(threads.map((thread) => [thread.text, thread.author?.id, thread.revisionId])).toEqual([
      ['Please check the figures.', editor.id, firstRevision],
      ['Fixed figure 2.', editor.id, secondRevision],
    ]);
    const onSecond = await listComments(app, asChecker, pageId, { revisionId: secondRevision });
    expect(onSecond.map((thread) => thread.text)).toEqual(['Fixed figure 2.']);
    expect(
      (await auditActions(pageId)).filter((action) => action === 'comments.added'),
    ).toHaveLength(2);

    // No note, no comment.
    const quietPageId = await draftPost('Post submitted without a note');
    await submit(app, asEditor, quietPageId);
    expect(await listComments(app, asEditor, quietPageId)).toEqual([]);
    const emptyNotePageId = await draftPost('Post submitted with an empty note');
    await submit(app, asEditor, emptyNotePageId, '');
    expect(await listComments(app, asEditor, emptyNotePageId)).toEqual([]);
    // Blank is empty: comments refuse blank text, so a blank note is no note either.
    const blankNotePageId = await draftPost('Post submitted with a blank note');
    await submit(app, asEditor, blankNotePageId, ' \n\t ');
    expect(await listComments(app, asEditor, blankNotePageId)).toEqual([]);
  });

  it('stores no comment when the submission or resubmission carrying the note is refused', async () => {
    const content = blogPostContent({ title: 'Undated post' });
    delete content.date;
    const undatedPageId = await createPage(app, asEditor, {
      parentId: site.blogId,
      type: 'blog_post',
      title: 'Undated post',
      content,
      publish: false,
    });
    const inReviewPageId = await draftPost('Post already in review');
    await submit(app, asEditor, inReviewPageId);
    const stored = await storedComments();

    const invalid = await expectProblem(
      await submitResponse(app, asEditor, undatedPageId, 'Note on an invalid draft.'),
      400,
    );
    expect({ type: invalid.type, fields: invalid.errors?.map((error) => error.path) }).toEqual({
      type: 'urn:finch:problem:content-invalid',
      fields: [expect.stringMatching(/date$/)],
    });
    const twice = await expectProblem(
      await submitResponse(app, asEditor, inReviewPageId, 'Note on a second submission.'),
      409,
    );
    expect(twice.type).toBe('urn:finch:problem:workflow-in-progress');
    const nothingNewer = await expectProblem(
      await resubmitResponse(app, asEditor, inReviewPageId, 'Note on nothing new.'),
      409,
    );
    expect(nothingNewer.type).toBe('urn:finch:problem:workflow-not-resubmittable');

    expect(await storedComments()).toBe(stored);
    expect(await listComments(app, asEditor, undatedPageId)).toEqual([]);
    expect(await listComments(app, asEditor, inReviewPageId)).toEqual([]);
  });

  it('rolls the note back with the submission when a later step of the submission fails: one transaction', async () => {
    const pageId = await draftPost('Post whose review mail fails');
    const stored = await storedComments();
    // The reviewers' mail is written after the note, in the same transaction: make it fail.
    await db.query(`
      CREATE FUNCTION test_refuse_review_mail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.subject LIKE '%Post whose review mail fails%' THEN
          RAISE EXCEPTION 'test: review mail refused';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER test_refuse_review_mail BEFORE INSERT ON mail_messages
      FOR EACH ROW EXECUTE FUNCTION test_refuse_review_mail()`);
    try {
      const failed = await submitResponse(app, asEditor, pageId, 'This note must not stay.');
      expect({ status: failed.status, body: await failed.text() }).toMatchObject({ status: 500 });
    } finally {
      await db.query('DROP TRIGGER test_refuse_review_mail ON mail_messages');
      await db.query('DROP FUNCTION test_refuse_review_mail()');
    }

    expect(await storedComments()).toBe(stored);
    expect(await listComments(app, asEditor, pageId)).toEqual([]);
    const review = await expectJson<{ state: unknown }>(
      await adminRequest(app, asEditor, 'GET', `/pages/${pageId}/workflow`),
      200,
      'page workflow',
    );
    expect(review.state).toBeNull();
    // Nothing half-done: the same submission goes through once the mail can be written.
    await submit(app, asEditor, pageId, 'This note stays.');
    expect((await listComments(app, asEditor, pageId)).map((thread) => thread.text)).toEqual([
      'This note stays.',
    ]);
  });
});
