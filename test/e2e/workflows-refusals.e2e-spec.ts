import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ApiTokensService } from '#src/auth/api-tokens.service.js';
import { PublishingService } from '#src/publishing/publishing.service.js';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { createPage } from '#test/helpers/delivery-site.js';
import { expectProblem, type Problem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import {
  adminRequest,
  approve,
  approveResponse,
  assignWorkflow,
  cancel,
  cancelResponse,
  createGroupWithMembers,
  createTask,
  createWorkflow,
  expectJson,
  grantPagePermissions,
  type Headers,
  headersOf,
  pageWorkflow,
  requestChanges,
  requestChangesResponse,
  resubmit,
  resubmitResponse,
  type StateView,
  submit,
  submitResponse,
  type TaskView,
  updateWorkflow,
  workflowHistory,
  type WorkflowView,
} from '#test/helpers/workflows.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

const TYPES: ContentTypeDefinition[] = [
  { key: 'home', label: 'Home', kind: 'page', parentTypes: [], fields: [] },
  {
    key: 'section',
    label: 'Section',
    kind: 'page',
    fields: [{ key: 'intro', type: 'long_text' }],
  },
];

/** A refusal: an RFC 9457 problem with this status and `urn:finch:problem:<slug>`. */
async function expectRefusal(response: Response, status: number, slug: string): Promise<Problem> {
  const problem = await expectProblem(response, status);
  expect({ status, type: problem.type, detail: problem.detail }).toMatchObject({
    status,
    type: `urn:finch:problem:${slug}`,
  });
  return problem;
}

describe('the publishing workflow refuses what it must', () => {
  let app: TestApp;
  let db: DataSource;
  let asAdmin: Headers;
  /** change + add on the whole site, nothing else. */
  let editor: TestUser;
  let asEditor: Headers;
  let asOtherEditor: Headers;
  /** change + publish on the whole site, in no reviewer group. */
  let asPublisher: Headers;
  /** change + lock on the whole site. */
  let asLocker: Headers;
  /** Members of "Blog reviewers" (the blog's first task). */
  let asBlogReviewer: Headers;
  let asSecondBlogReviewer: Headers;
  let blogReviewerId: string;
  /** Member of "Chiefs" (the blog's second task). */
  let asChief: Headers;
  /** Member of "News reviewers" (the news workflow's only task), with publish on /news/. */
  let asNewsReviewer: Headers;
  let blogReview: TaskView;
  let chiefReview: TaskView;
  let newsReview: TaskView;
  let blogWorkflow: WorkflowView;
  let newsWorkflow: WorkflowView;
  const ids: Record<string, string> = {};
  let pageCounter = 0;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true, name: 'Admin' });
    const adminToken = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(adminToken);
    await applyContentTypes(app, adminToken, TYPES);
    ids.home = await createPage(app, asAdmin, { type: 'home', title: 'Home' });
    for (const name of ['blog', 'news', 'about', 'guides', 'events', 'temp']) {
      ids[name] = await createPage(app, asAdmin, {
        parentId: ids.home,
        type: 'section',
        title: name,
      });
    }

    editor = await createUser(app, { name: 'Editor' });
    const otherEditor = await createUser(app, { name: 'Other editor' });
    const publisher = await createUser(app, { name: 'Publisher' });
    const locker = await createUser(app, { name: 'Locker' });
    const blogReviewer = await createUser(app, { name: 'Blog reviewer' });
    const secondBlogReviewer = await createUser(app, { name: 'Second blog reviewer' });
    const chief = await createUser(app, { name: 'Chief' });
    const newsReviewer = await createUser(app, { name: 'News reviewer' });

    const editors = await createGroupWithMembers(app, asAdmin, 'Site editors', [
      editor,
      otherEditor,
    ]);
    await grantPagePermissions(app, asAdmin, editors, [
      { pageId: ids.home, permissions: ['change', 'add'] },
    ]);
    const publishers = await createGroupWithMembers(app, asAdmin, 'Site publishers', [publisher]);
    await grantPagePermissions(app, asAdmin, publishers, [
      { pageId: ids.home, permissions: ['change', 'publish'] },
    ]);
    const lockers = await createGroupWithMembers(app, asAdmin, 'Site lockers', [locker]);
    await grantPagePermissions(app, asAdmin, lockers, [
      { pageId: ids.home, permissions: ['change', 'lock'] },
    ]);
    const blogReviewers = await createGroupWithMembers(app, asAdmin, 'Blog reviewers', [
      blogReviewer,
      secondBlogReviewer,
    ]);
    const chiefs = await createGroupWithMembers(app, asAdmin, 'Chiefs', [chief]);
    const newsReviewers = await createGroupWithMembers(app, asAdmin, 'News reviewers', [
      newsReviewer,
    ]);
    await grantPagePermissions(app, asAdmin, newsReviewers, [
      { pageId: ids.news, permissions: ['publish'] },
    ]);

    blogReview = await createTask(app, asAdmin, { name: 'Blog review', groups: [blogReviewers] });
    chiefReview = await createTask(app, asAdmin, { name: 'Chief review', groups: [chiefs] });
    newsReview = await createTask(app, asAdmin, { name: 'News review', groups: [newsReviewers] });
    blogWorkflow = await createWorkflow(app, asAdmin, {
      name: 'Blog workflow',
      tasks: [blogReview.id, chiefReview.id],
      allowBypass: false,
    });
    newsWorkflow = await createWorkflow(app, asAdmin, {
      name: 'News workflow',
      tasks: [newsReview.id],
      allowBypass: true,
    });
    await assignWorkflow(app, asAdmin, blogWorkflow.id, ids.blog);
    await assignWorkflow(app, asAdmin, newsWorkflow.id, ids.news);

    asEditor = await headersOf(app, editor);
    asOtherEditor = await headersOf(app, otherEditor);
    asPublisher = await headersOf(app, publisher);
    asLocker = await headersOf(app, locker);
    asBlogReviewer = await headersOf(app, blogReviewer);
    blogReviewerId = blogReviewer.id;
    asSecondBlogReviewer = await headersOf(app, secondBlogReviewer);
    asChief = await headersOf(app, chief);
    asNewsReviewer = await headersOf(app, newsReviewer);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A new draft page (never published) under `parent`. */
  const newDraftPage = async (parent: string) =>
    createPage(app, asAdmin, {
      parentId: ids[parent],
      type: 'section',
      title: `${parent} page ${++pageCounter}`,
      publish: false,
    });
  const saveDraft = (pageId: string, headers: Headers, title: string) =>
    adminRequest(app, headers, 'PUT', `/pages/${pageId}`, { title });
  const pageDetail = async (pageId: string) =>
    expectJson<{ live: boolean; title: string; draft: { revisionId: string } }>(
      await adminRequest(app, asAdmin, 'GET', `/pages/${pageId}`),
      200,
      'GET page',
    );
  const auditActions = async (pageId: string, action: string) =>
    (
      await db.query<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM audit_log WHERE object_id = $1 AND action = $2`,
        [pageId, action],
      )
    )[0].count;
  const stateOf = async (pageId: string): Promise<StateView> => {
    const state = (await pageWorkflow(app, asAdmin, pageId)).state;
    if (!state) throw new Error(`The page ${pageId} has no workflow state.`);
    return state;
  };

  it('refuses approval and requests for changes by anyone outside the current task’s groups (403 not-a-reviewer), leaving the task in progress', async () => {
    const pageId = await newDraftPage('blog');
    const submitted = await submit(app, asEditor, pageId);
    expect(submitted).toMatchObject({
      status: 'in_progress',
      currentTask: { task: { id: blogReview.id }, status: 'in_progress' },
    });
    const taskStateId = submitted.currentTask!.id;
    // The submitter, another editor, a publisher and the reviewer of the *next* task.
    for (const headers of [asEditor, asOtherEditor, asPublisher, asChief, asNewsReviewer]) {
      await expectRefusal(
        await approveResponse(app, headers, pageId, taskStateId),
        403,
        'not-a-reviewer',
      );
      await expectRefusal(
        await requestChangesResponse(app, headers, pageId, taskStateId, { comment: 'No.' }),
        403,
        'not-a-reviewer',
      );
    }
    await expectRefusal(
      await approveResponse(app, {}, pageId, taskStateId),
      401,
      'authentication-required',
    );

    const after = await stateOf(pageId);
    expect(after).toMatchObject({
      id: submitted.id,
      status: 'in_progress',
      currentTask: { id: taskStateId, status: 'in_progress', finishedBy: null },
    });
    expect(after.taskStates).toHaveLength(1);
    expect(await auditActions(pageId, 'workflow.task_approved')).toBe(0);
    expect(await auditActions(pageId, 'workflow.changes_requested')).toBe(0);
  });

  it('refuses a request for changes without a comment, with a blank, too long or NUL-bearing one, and bad approvals (400 naming the field)', async () => {
    const pageId = await newDraftPage('blog');
    const taskStateId = (await submit(app, asEditor, pageId)).currentTask!.id;
    const refusedBodies: Array<{ comment?: unknown }> = [
      {},
      { comment: '' },
      { comment: '   ' },
      { comment: 'x'.repeat(5001) },
      { comment: 42 },
      { comment: 'a\u0000b' },
    ];
    // Every body is tried before any is judged, so one run names every one let through.
    const answers: Array<{ body: string; status: number; named: boolean }> = [];
    for (const body of refusedBodies) {
      const response = await requestChangesResponse(app, asBlogReviewer, pageId, taskStateId, body);
      const problem = (await response.json()) as Problem;
      answers.push({
        body: JSON.stringify(body).slice(0, 40),
        status: response.status,
        named: (problem.errors ?? []).some((error) => error.path === 'comment'),
      });
    }
    expect(answers.filter((answer) => answer.status !== 400 || !answer.named)).toEqual([]);
    for (const [body, field] of [
      [{ goLiveAt: 'tomorrow' }, 'goLiveAt'],
      [{ comment: 'x'.repeat(5001) }, 'comment'],
      [{ comment: 'fine', extra: true }, 'extra'],
    ] as Array<[Record<string, unknown>, string]>) {
      const problem = await expectRefusal(
        await approveResponse(app, asBlogReviewer, pageId, taskStateId, body),
        400,
        'validation',
      );
      expect(problem.errors?.map((error) => error.path)).toContain(field);
    }
    expect(await stateOf(pageId)).toMatchObject({
      status: 'in_progress',
      currentTask: { id: taskStateId, status: 'in_progress' },
    });
    // 5000 characters is the limit, not beyond it.
    const sentBack = await requestChanges(
      app,
      asBlogReviewer,
      pageId,
      taskStateId,
      'y'.repeat(5000),
    );
    expect(sentBack.status).toBe('needs_changes');
  });

  it('refuses to act on a task state that is no longer current (409 task-not-current): an approved one, and one of a cancelled submission', async () => {
    const pageId = await newDraftPage('blog');
    const first = (await submit(app, asEditor, pageId)).currentTask!.id;
    const afterFirst = await approve(app, asBlogReviewer, pageId, first, { comment: 'Fine.' });
    expect(afterFirst.currentTask).toMatchObject({ task: { id: chiefReview.id } });
    const second = afterFirst.currentTask!.id;

    for (const headers of [asBlogReviewer, asSecondBlogReviewer, asAdmin]) {
      await expectRefusal(
        await approveResponse(app, headers, pageId, first),
        409,
        'task-not-current',
      );
      await expectRefusal(
        await requestChangesResponse(app, headers, pageId, first, { comment: 'Again?' }),
        409,
        'task-not-current',
      );
    }
    const state = await stateOf(pageId);
    expect(state).toMatchObject({
      status: 'in_progress',
      currentTask: { id: second, status: 'in_progress' },
    });
    expect(state.taskStates.map((taskState) => taskState.status).sort()).toEqual([
      'approved',
      'in_progress',
    ]);
    expect(await auditActions(pageId, 'workflow.task_approved')).toBe(1);

    await cancel(app, asEditor, pageId);
    await expectRefusal(
      await approveResponse(app, asChief, pageId, second),
      409,
      'task-not-current',
    );
    await expectRefusal(
      await requestChangesResponse(app, asChief, pageId, second, { comment: 'Too late.' }),
      409,
      'task-not-current',
    );
    expect((await pageDetail(pageId)).live).toBe(false);
    expect((await workflowHistory(app, asAdmin, pageId))[0].status).toBe('cancelled');
  });

  it('answers 404 for a task state that does not exist or belongs to another page, and 400 for a malformed id', async () => {
    const pageId = await newDraftPage('blog');
    const otherPageId = await newDraftPage('blog');
    const taskStateId = (await submit(app, asEditor, pageId)).currentTask!.id;
    await submit(app, asEditor, otherPageId);
    await expectRefusal(
      await approveResponse(app, asBlogReviewer, pageId, NO_SUCH_ID),
      404,
      'task-state-not-found',
    );
    await expectRefusal(
      await approveResponse(app, asBlogReviewer, otherPageId, taskStateId),
      404,
      'task-state-not-found',
    );
    await expectRefusal(
      await approveResponse(app, asBlogReviewer, pageId, 'not-a-uuid'),
      400,
      'validation',
    );
    await expectRefusal(
      await approveResponse(app, asBlogReviewer, NO_SUCH_ID, taskStateId),
      404,
      'page-not-found',
    );
    expect((await stateOf(pageId)).currentTask).toMatchObject({
      id: taskStateId,
      status: 'in_progress',
    });
    expect((await stateOf(otherPageId)).currentTask?.status).toBe('in_progress');
  });

  it('refuses to submit a page someone else locked (423 locked) and starts nothing until they unlock it', async () => {
    const pageId = await newDraftPage('blog');
    expect((await adminRequest(app, asLocker, 'POST', `/pages/${pageId}/lock`, {})).status).toBe(
      200,
    );
    await expectRefusal(await submitResponse(app, asEditor, pageId), 423, 'locked');
    expect((await pageWorkflow(app, asAdmin, pageId)).state).toBeNull();
    expect(await workflowHistory(app, asAdmin, pageId)).toEqual([]);
    expect(await auditActions(pageId, 'workflow.submitted')).toBe(0);

    expect((await adminRequest(app, asLocker, 'POST', `/pages/${pageId}/unlock`, {})).status).toBe(
      200,
    );
    expect((await submit(app, asEditor, pageId)).status).toBe('in_progress');
    // Once in review, nobody but its reviewers may take the lock either.
    await expectRefusal(
      await adminRequest(app, asLocker, 'POST', `/pages/${pageId}/lock`, {}),
      423,
      'in-workflow',
    );
    const [{ locked }] = await db.query<Array<{ locked: boolean }>>(
      'SELECT locked FROM pages WHERE id = $1',
      [pageId],
    );
    expect(locked).toBe(false);
  });

  it('refuses a second submission while one is in review or sent back (409 workflow-in-progress)', async () => {
    const pageId = await newDraftPage('blog');
    const first = await submit(app, asEditor, pageId);
    await expectRefusal(await submitResponse(app, asEditor, pageId), 409, 'workflow-in-progress');
    await expectRefusal(await submitResponse(app, asAdmin, pageId), 409, 'workflow-in-progress');
    await requestChanges(app, asBlogReviewer, pageId, first.currentTask!.id, 'Fix the intro.');
    // Sent back, it is resubmitted, not submitted anew.
    await expectRefusal(await submitResponse(app, asEditor, pageId), 409, 'workflow-in-progress');
    const history = await workflowHistory(app, asAdmin, pageId);
    expect(history.map((state) => [state.id, state.status])).toEqual([[first.id, 'needs_changes']]);
    expect(await auditActions(pageId, 'workflow.submitted')).toBe(1);
  });

  it('starts one review when several submissions of a page race (one 201, the rest 409 workflow-in-progress)', async () => {
    const pageId = await newDraftPage('blog');
    const responses = await Promise.all(
      [asEditor, asOtherEditor, asEditor, asOtherEditor].map((headers) =>
        submitResponse(app, headers, pageId),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409]);
    for (const loser of responses.filter((response) => response.status === 409)) {
      await expectRefusal(loser, 409, 'workflow-in-progress');
    }
    expect(await workflowHistory(app, asAdmin, pageId)).toHaveLength(1);
    expect(await auditActions(pageId, 'workflow.submitted')).toBe(1);
  });

  it('refuses moderation through a read-only API token (403) and accepts it through a write token', async () => {
    const tokens = app.finch.app.get(ApiTokensService);
    const readOnly = await tokens.create(blogReviewerId, { name: 'reader', scopes: ['read'] });
    const writer = await tokens.create(blogReviewerId, {
      name: 'writer',
      scopes: ['read', 'write'],
    });
    const pageId = await newDraftPage('blog');
    const taskStateId = (await submit(app, asEditor, pageId)).currentTask!.id;
    await expectProblem(
      await approveResponse(app, bearer(readOnly.token), pageId, taskStateId),
      403,
    );
    await expectProblem(
      await requestChangesResponse(app, bearer(readOnly.token), pageId, taskStateId, {
        comment: 'No.',
      }),
      403,
    );
    expect((await stateOf(pageId)).currentTask?.id).toBe(taskStateId);
    const approved = await approve(app, bearer(writer.token), pageId, taskStateId);
    expect(approved.currentTask?.task.id).toBe(chiefReview.id);
  });

  it('refuses to resubmit a cancelled or approved submission, or one with no newer draft (409 workflow-not-resubmittable)', async () => {
    const pageId = await newDraftPage('blog');
    const submitted = await submit(app, asEditor, pageId);
    await expectRefusal(
      await resubmitResponse(app, asEditor, pageId),
      409,
      'workflow-not-resubmittable',
    );
    await cancel(app, asEditor, pageId);
    await expectRefusal(
      await resubmitResponse(app, asEditor, pageId),
      409,
      'workflow-not-resubmittable',
    );
    expect((await saveDraft(pageId, asEditor, 'Edited after cancelling')).status).toBe(200);
    await expectRefusal(
      await resubmitResponse(app, asEditor, pageId),
      409,
      'workflow-not-resubmittable',
    );
    const history = await workflowHistory(app, asAdmin, pageId);
    expect(history.map((state) => [state.id, state.status])).toEqual([[submitted.id, 'cancelled']]);

    const newsPageId = await newDraftPage('news');
    const newsState = await submit(app, asEditor, newsPageId);
    const approved = await approve(app, asNewsReviewer, newsPageId, newsState.currentTask!.id);
    expect(approved.status).toBe('approved');
    await expectRefusal(
      await resubmitResponse(app, asEditor, newsPageId),
      409,
      'workflow-not-resubmittable',
    );
    expect(await auditActions(newsPageId, 'workflow.resubmitted')).toBe(0);
    expect(await auditActions(pageId, 'workflow.resubmitted')).toBe(0);
  });

  it('lets exactly one of several concurrent decisions on one task state through: one 200, the rest 409 task-not-current, one audit entry, one step forward', async () => {
    // Six at once from two reviewers, so the requests overlap inside the server.
    for (const mix of ['approvals', 'approvals', 'approvals and requests'] as const) {
      const pageId = await newDraftPage('blog');
      const taskStateId = (await submit(app, asEditor, pageId)).currentTask!.id;
      const kinds = Array.from({ length: 6 }, (_, index) =>
        mix === 'approvals' || index % 2 === 0 ? 'approve' : 'request-changes',
      );
      const responses = await Promise.all(
        kinds.map((kind, index) => {
          const headers = index % 3 === 0 ? asBlogReviewer : asSecondBlogReviewer;
          return kind === 'approve'
            ? approveResponse(app, headers, pageId, taskStateId)
            : requestChangesResponse(app, headers, pageId, taskStateId, { comment: 'Wait.' });
        }),
      );
      const statuses = responses.map((response) => response.status);
      expect({ mix, statuses: [...statuses].sort() }).toEqual({
        mix,
        statuses: [200, 409, 409, 409, 409, 409],
      });
      for (const loser of responses.filter((response) => response.status === 409)) {
        await expectRefusal(loser, 409, 'task-not-current');
      }
      const winner = kinds[statuses.indexOf(200)];

      const state = await stateOf(pageId);
      const decisions =
        (await auditActions(pageId, 'workflow.task_approved')) +
        (await auditActions(pageId, 'workflow.changes_requested'));
      expect(decisions).toBe(1);
      if (winner === 'approve') {
        // One step forward: the chief's task, not past it.
        expect(state).toMatchObject({
          status: 'in_progress',
          currentTask: { task: { id: chiefReview.id }, status: 'in_progress' },
        });
        expect(state.taskStates).toHaveLength(2);
        expect(await auditActions(pageId, 'workflow.task_approved')).toBe(1);
      } else {
        expect(state.status).toBe('needs_changes');
        expect(await auditActions(pageId, 'workflow.changes_requested')).toBe(1);
      }
      expect((await pageDetail(pageId)).live).toBe(false);
    }
  });

  it('does not let a reviewer of the blog’s workflow act on a page under /news/, whose workflow has other tasks, nor the other way round', async () => {
    const newsPageId = await newDraftPage('news');
    const newsTaskState = (await submit(app, asEditor, newsPageId)).currentTask!.id;
    const blogPageId = await newDraftPage('blog');
    const blogTaskState = (await submit(app, asEditor, blogPageId)).currentTask!.id;
    for (const headers of [asBlogReviewer, asChief]) {
      await expectRefusal(
        await approveResponse(app, headers, newsPageId, newsTaskState),
        403,
        'not-a-reviewer',
      );
      await expectRefusal(
        await requestChangesResponse(app, headers, newsPageId, newsTaskState, { comment: 'x' }),
        403,
        'not-a-reviewer',
      );
    }
    await expectRefusal(
      await approveResponse(app, asNewsReviewer, blogPageId, blogTaskState),
      403,
      'not-a-reviewer',
    );
    const awaiting = await expectJson<{ items: StateView[] }>(
      await adminRequest(app, asBlogReviewer, 'GET', '/workflows/awaiting-my-review'),
      200,
      'awaiting my review',
    );
    const listed = awaiting.items.map((state) => state.page.id);
    expect(listed).toContain(blogPageId);
    expect(listed).not.toContain(newsPageId);
    expect((await stateOf(newsPageId)).currentTask?.status).toBe('in_progress');
    // The right reviewers still can.
    expect((await approve(app, asNewsReviewer, newsPageId, newsTaskState)).status).toBe('approved');
  });

  it('refuses to submit a page no workflow applies to (409 no-workflow), a missing page (404), and without change_page (403)', async () => {
    const aboutPageId = await newDraftPage('about');
    const view = await pageWorkflow(app, asEditor, aboutPageId);
    expect(view.workflow).toBeNull();
    await expectRefusal(await submitResponse(app, asEditor, aboutPageId), 409, 'no-workflow');
    expect(await workflowHistory(app, asAdmin, aboutPageId)).toEqual([]);

    await expectRefusal(await submitResponse(app, asEditor, NO_SUCH_ID), 404, 'page-not-found');
    await expectRefusal(
      await adminRequest(app, asEditor, 'GET', `/pages/${NO_SUCH_ID}/workflow`),
      404,
      'page-not-found',
    );
    await expectRefusal(await submitResponse(app, asEditor, 'not-a-uuid'), 400, 'validation');

    const blogPageId = await newDraftPage('blog');
    // A reviewer has no change_page: reviewing is not submitting.
    await expectRefusal(
      await submitResponse(app, asBlogReviewer, blogPageId),
      403,
      'permission-denied',
    );
    await expectRefusal(await submitResponse(app, {}, blogPageId), 401, 'authentication-required');
    expect((await pageWorkflow(app, asAdmin, blogPageId)).state).toBeNull();
  });

  it('lets only the submitter or a superuser cancel (403 not-submitter for others)', async () => {
    const pageId = await newDraftPage('blog');
    const submitted = await submit(app, asEditor, pageId);
    await expectRefusal(await cancelResponse(app, asOtherEditor, pageId), 403, 'not-submitter');
    await expectProblem(await cancelResponse(app, asBlogReviewer, pageId), 403);
    await expectProblem(await cancelResponse(app, asPublisher, pageId), 403);
    expect(await stateOf(pageId)).toMatchObject({ id: submitted.id, status: 'in_progress' });
    expect(await auditActions(pageId, 'workflow.cancelled')).toBe(0);

    const cancelled = await cancel(app, asAdmin, pageId);
    expect(cancelled).toMatchObject({ id: submitted.id, status: 'cancelled' });
    expect(cancelled.finishedAt).toEqual(expect.any(String));
    expect(await auditActions(pageId, 'workflow.cancelled')).toBe(1);
  });

  it('refuses direct publishing where the workflow allows no bypass (409 workflow-required), superusers included, and the page stays a draft', async () => {
    const pageId = await newDraftPage('blog');
    await expectRefusal(
      await adminRequest(app, asPublisher, 'POST', `/pages/${pageId}/publish`, {}),
      409,
      'workflow-required',
    );
    await expectRefusal(
      await adminRequest(app, asAdmin, 'POST', `/pages/${pageId}/publish`, {}),
      409,
      'workflow-required',
    );
    // Scheduling is publishing too.
    await expectRefusal(
      await adminRequest(app, asAdmin, 'POST', `/pages/${pageId}/publish`, {
        goLiveAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
      409,
      'workflow-required',
    );
    const detail = await pageDetail(pageId);
    expect(detail.live).toBe(false);
    expect(await auditActions(pageId, 'pages.published')).toBe(0);
    const [{ scheduled }] = await db.query<Array<{ scheduled: boolean }>>(
      'SELECT go_live_at IS NOT NULL AS scheduled FROM pages WHERE id = $1',
      [pageId],
    );
    expect(scheduled).toBe(false);

    const title = 'Published at birth';
    await expectRefusal(
      await adminRequest(app, asAdmin, 'POST', '/pages', {
        parentId: ids.blog,
        type: 'section',
        title,
        publish: true,
      }),
      409,
      'workflow-required',
    );
    const [{ count }] = await db.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM pages WHERE title = $1`,
      [title],
    );
    expect(count).toBe(0);

    // Where no workflow applies, the same publisher publishes: the refusal came from the workflow.
    const aboutPageId = await newDraftPage('about');
    const published = await adminRequest(
      app,
      asPublisher,
      'POST',
      `/pages/${aboutPageId}/publish`,
      {},
    );
    expect(published.status).toBe(200);
    expect((await pageDetail(aboutPageId)).live).toBe(true);
  });

  it('with bypass allowed, lets a reviewer holding publish_page publish directly, which cancels the submission in progress; others stay locked out (423 in-workflow)', async () => {
    // No submission: publish_page is enough.
    const directPageId = await newDraftPage('news');
    expect(
      (await adminRequest(app, asPublisher, 'POST', `/pages/${directPageId}/publish`, {})).status,
    ).toBe(200);
    expect((await pageDetail(directPageId)).live).toBe(true);

    const pageId = await newDraftPage('news');
    const submitted = await submit(app, asEditor, pageId);
    // Without publish_page: still no.
    await expectProblem(
      await adminRequest(app, asEditor, 'POST', `/pages/${pageId}/publish`, {}),
      403,
    );
    // A publisher who cannot review the current task is locked out while it is in review.
    await expectRefusal(
      await adminRequest(app, asPublisher, 'POST', `/pages/${pageId}/publish`, {}),
      423,
      'in-workflow',
    );
    expect((await pageDetail(pageId)).live).toBe(false);

    const published = await adminRequest(
      app,
      asNewsReviewer,
      'POST',
      `/pages/${pageId}/publish`,
      {},
    );
    expect(published.status).toBe(200);
    expect((await pageDetail(pageId)).live).toBe(true);
    const [latest] = await workflowHistory(app, asAdmin, pageId);
    expect(latest).toMatchObject({ id: submitted.id, status: 'cancelled' });
    expect(latest.finishedAt).toEqual(expect.any(String));
    expect(await auditActions(pageId, 'workflow.cancelled')).toBe(1);
    expect(await auditActions(pageId, 'pages.published')).toBe(1);
    // Unlocked again: the editor edits.
    expect((await saveDraft(pageId, asEditor, 'After the bypass')).status).toBe(200);
  });

  it('keeps a submission on its original workflow to the end after the subtree is reassigned; the next submission uses the new one', async () => {
    const oldWorkflow = await createWorkflow(app, asAdmin, {
      name: 'Guides, old',
      tasks: [blogReview.id, chiefReview.id],
    });
    const newWorkflow = await createWorkflow(app, asAdmin, {
      name: 'Guides, new',
      tasks: [newsReview.id],
    });
    await assignWorkflow(app, asAdmin, oldWorkflow.id, ids.guides);
    const pageId = await newDraftPage('guides');
    const submitted = await submit(app, asEditor, pageId);
    expect(submitted.workflow.id).toBe(oldWorkflow.id);

    await assignWorkflow(app, asAdmin, newWorkflow.id, ids.guides);
    const view = await pageWorkflow(app, asAdmin, pageId);
    expect(view.workflow?.id).toBe(newWorkflow.id);
    expect(view.state).toMatchObject({
      id: submitted.id,
      workflow: { id: oldWorkflow.id },
      currentTask: { task: { id: blogReview.id } },
    });

    // The new workflow's reviewers cannot act on the old submission.
    await expectRefusal(
      await approveResponse(app, asNewsReviewer, pageId, submitted.currentTask!.id),
      403,
      'not-a-reviewer',
    );
    const afterFirst = await approve(app, asBlogReviewer, pageId, submitted.currentTask!.id);
    // The next task comes from the old workflow too.
    expect(afterFirst).toMatchObject({
      workflow: { id: oldWorkflow.id },
      status: 'in_progress',
      currentTask: { task: { id: chiefReview.id } },
    });
    const finished = await approve(app, asChief, pageId, afterFirst.currentTask!.id);
    expect(finished.status).toBe('approved');
    expect((await pageDetail(pageId)).live).toBe(true);

    expect((await saveDraft(pageId, asEditor, 'A second version')).status).toBe(200);
    const next = await submit(app, asEditor, pageId);
    expect(next).toMatchObject({
      workflow: { id: newWorkflow.id },
      currentTask: { task: { id: newsReview.id } },
    });
    expect((await approve(app, asNewsReviewer, pageId, next.currentTask!.id)).status).toBe(
      'approved',
    );
  });

  it('cancels every submission in progress when their workflow is deactivated, unlocks the pages and refuses new submissions (409 workflow-inactive)', async () => {
    const eventsWorkflow = await createWorkflow(app, asAdmin, {
      name: 'Events workflow',
      tasks: [newsReview.id],
    });
    await assignWorkflow(app, asAdmin, eventsWorkflow.id, ids.events);
    const pageIds = [await newDraftPage('events'), await newDraftPage('events')];
    const taskStateIds: string[] = [];
    for (const pageId of pageIds) {
      taskStateIds.push((await submit(app, asEditor, pageId)).currentTask!.id);
    }
    // A submission of another workflow is untouched.
    const blogPageId = await newDraftPage('blog');
    await submit(app, asEditor, blogPageId);

    const deactivated = await updateWorkflow(app, asAdmin, eventsWorkflow.id, { active: false });
    expect(deactivated.active).toBe(false);

    for (const [index, pageId] of pageIds.entries()) {
      const [latest] = await workflowHistory(app, asAdmin, pageId);
      expect(latest).toMatchObject({ status: 'cancelled', finishedAt: expect.any(String) });
      expect(await auditActions(pageId, 'workflow.cancelled')).toBe(1);
      await expectRefusal(
        await approveResponse(app, asNewsReviewer, pageId, taskStateIds[index]),
        409,
        'task-not-current',
      );
      expect((await saveDraft(pageId, asEditor, `Editable again ${index}`)).status).toBe(200);
    }
    expect((await stateOf(blogPageId)).status).toBe('in_progress');
    await expectRefusal(await submitResponse(app, asEditor, pageIds[0]), 409, 'workflow-inactive');
  });

  it('keeps the revision under review from revision retention, however old, while older drafts go', async () => {
    const pageId = await newDraftPage('blog');
    await saveDraft(pageId, asEditor, 'An older draft');
    const submitted = await submit(app, asEditor, pageId);
    const reviewed = submitted.currentTask!.revisionId;
    // A superuser (who reviews every task) saves a newer draft: the reviewed revision is
    // then neither the latest nor the live one.
    expect((await saveDraft(pageId, asAdmin, 'Reviewer draft')).status).toBe(200);
    await db.query(
      `UPDATE revisions SET created_at = now() - interval '400 days' WHERE object_id = $1`,
      [pageId],
    );
    const pruned = await app.finch.app.get(PublishingService).pruneRevisions({ olderThanDays: 30 });
    expect(pruned).toBeGreaterThan(0);
    const left = await db.query<Array<{ id: string }>>(
      'SELECT id::text AS id FROM revisions WHERE object_id = $1 ORDER BY id',
      [pageId],
    );
    expect(left.map((revision) => revision.id)).toContain(reviewed);
    expect((await stateOf(pageId)).currentTask!.revisionId).toBe(reviewed);
  });

  it('keeps a task whose group was deleted: the group is gone from it, its former members cannot approve, a superuser still can', async () => {
    const member = await createUser(app, { name: 'Temporary reviewer' });
    const asMember = await headersOf(app, member);
    const group = await createGroupWithMembers(app, asAdmin, 'Temporary reviewers', [member]);
    const task = await createTask(app, asAdmin, { name: 'Temporary review', groups: [group] });
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Temporary workflow',
      tasks: [task.id],
    });
    await assignWorkflow(app, asAdmin, workflow.id, ids.temp);
    const pageId = await newDraftPage('temp');
    const taskStateId = (await submit(app, asEditor, pageId)).currentTask!.id;

    const deleted = await adminRequest(app, asAdmin, 'DELETE', `/groups/${group}`);
    expect(deleted.status).toBe(204);
    const taskView = await expectJson<TaskView>(
      await adminRequest(app, asAdmin, 'GET', `/workflow-tasks/${task.id}`),
      200,
      'GET task',
    );
    expect(taskView.groups).toEqual([]);
    expect((await stateOf(pageId)).currentTask).toMatchObject({
      id: taskStateId,
      status: 'in_progress',
    });

    await expectRefusal(
      await approveResponse(app, asMember, pageId, taskStateId),
      403,
      'not-a-reviewer',
    );
    const awaiting = await expectJson<{ items: StateView[] }>(
      await adminRequest(app, asMember, 'GET', '/workflows/awaiting-my-review'),
      200,
      'awaiting my review',
    );
    expect(awaiting.items.map((state) => state.page.id)).not.toContain(pageId);

    const approved = await approve(app, asAdmin, pageId, taskStateId);
    expect(approved.status).toBe('approved');
    expect((await pageDetail(pageId)).live).toBe(true);
  });

  it('refuses a resubmission by someone without change_page on the page (403), leaving it sent back', async () => {
    const pageId = await newDraftPage('blog');
    const submitted = await submit(app, asEditor, pageId);
    await requestChanges(app, asBlogReviewer, pageId, submitted.currentTask!.id, 'Shorter.');
    expect((await saveDraft(pageId, asEditor, 'Shorter')).status).toBe(200);
    await expectRefusal(
      await resubmitResponse(app, asBlogReviewer, pageId),
      403,
      'permission-denied',
    );
    expect((await stateOf(pageId)).status).toBe('needs_changes');
    const resubmitted = await resubmit(app, asEditor, pageId);
    expect(resubmitted).toMatchObject({ id: submitted.id, status: 'in_progress' });
  });
  it('refuses deleting or unpublishing an ancestor that would take a page in review with it (423 in-workflow)', async () => {
    const deleter = await createUser(app, { name: 'Deleter' });
    const deleters = await createGroupWithMembers(app, asAdmin, 'Site deleters', [deleter]);
    await grantPagePermissions(app, asAdmin, deleters, [
      { pageId: ids.home, permissions: ['change', 'delete', 'publish'] },
    ]);
    const asDeleter = await headersOf(app, deleter);

    // Under /news/ (bypass allowed) the pages can be live before one goes into review.
    ids.container = await createPage(app, asAdmin, {
      parentId: ids.news,
      type: 'section',
      title: 'Container',
    });
    const childId = await createPage(app, asAdmin, {
      parentId: ids.container,
      type: 'section',
      title: 'Child in review',
    });
    expect((await saveDraft(childId, asEditor, 'Child, edited')).status).toBe(200);
    const submitted = await submit(app, asEditor, childId);

    await expectRefusal(
      await adminRequest(app, asDeleter, 'DELETE', `/pages/${childId}?confirm=1`),
      423,
      'in-workflow',
    );
    // Both tried before either is judged: a delete that went through would hide the unpublish.
    const unpublished = await adminRequest(
      app,
      asDeleter,
      'POST',
      `/pages/${ids.container}/unpublish`,
      { includeDescendants: true },
    );
    const unpublishAnswer = { status: unpublished.status, body: await unpublished.text() };
    const deleted = await adminRequest(
      app,
      asDeleter,
      'DELETE',
      `/pages/${ids.container}?confirm=2`,
    );
    const deleteAnswer = { status: deleted.status, body: await deleted.text() };
    expect({ unpublish: unpublishAnswer, delete: deleteAnswer }).toEqual({
      unpublish: { status: 423, body: expect.stringContaining('urn:finch:problem:in-workflow') },
      delete: { status: 423, body: expect.stringContaining('urn:finch:problem:in-workflow') },
    });
    const rows = await db.query<Array<{ id: string; live: boolean }>>(
      'SELECT id, live FROM pages WHERE id = ANY($1::uuid[])',
      [[ids.container, childId]],
    );
    expect(rows.map((row) => row.live)).toEqual([true, true]);
    expect(await stateOf(childId)).toMatchObject({ id: submitted.id, status: 'in_progress' });
    expect((await workflowHistory(app, asAdmin, childId)).length).toBe(1);
  });

  it('cancels a review rather than publish it when the only task left is deactivated', async () => {
    ids.solo = await createPage(app, asAdmin, {
      parentId: ids.home,
      type: 'section',
      title: 'Solo',
    });
    const soloReviewers = await createGroupWithMembers(app, asAdmin, 'Solo reviewers', []);
    const soloTask = await createTask(app, asAdmin, {
      name: 'Solo review',
      groups: [soloReviewers],
    });
    const soloWorkflow = await createWorkflow(app, asAdmin, {
      name: 'Solo workflow',
      tasks: [blogReview.id, soloTask.id],
    });
    await assignWorkflow(app, asAdmin, soloWorkflow.id, ids.solo);
    const pageId = await newDraftPage('solo');
    const submitted = await submit(app, asEditor, pageId);
    const atSolo = await approve(app, asBlogReviewer, pageId, submitted.currentTask!.id);
    expect(atSolo.currentTask?.task.id).toBe(soloTask.id);

    const deactivated = await adminRequest(
      app,
      asAdmin,
      'PATCH',
      `/workflow-tasks/${soloTask.id}`,
      {
        active: false,
      },
    );
    expect(deactivated.status).toBe(200);
    const [latest] = await workflowHistory(app, asAdmin, pageId);
    expect(latest).toMatchObject({ id: submitted.id, status: 'cancelled' });
    expect((await pageDetail(pageId)).live).toBe(false);
    expect(await auditActions(pageId, 'pages.published')).toBe(0);
    expect(await auditActions(pageId, 'workflow.approved')).toBe(0);
  });
});
