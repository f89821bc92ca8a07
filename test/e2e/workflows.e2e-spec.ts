import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import {
  blogPostContent,
  type BlogSite,
  buildBlogSite,
  createPost,
} from '#test/helpers/delivery-site.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { SmtpTestServer } from '#test/helpers/smtp-test-server.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';
import {
  adminRequest,
  approve,
  approveResponse,
  assignWorkflow,
  awaitingMyReview,
  cancel,
  cancelResponse,
  createGroupWithMembers,
  createTask,
  createWorkflow,
  expectJson,
  grantPagePermissions,
  type Headers,
  headersOf,
  mySubmissions,
  type NotificationPreferences,
  pageWorkflow,
  requestChanges,
  resubmit,
  setNotificationPreferences,
  type StateView,
  submit,
  type TaskView,
  updateWorkflow,
  workflowHistory,
  workflowHistoryResponse,
} from '#test/helpers/workflows.js';

const backend = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded database';
const PUBLIC_URL = 'https://cms.example.com';
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** A mail's kind, told by its subject (the templates' subject lines). */
const MAIL_KINDS: Array<[kind: string, subject: RegExp]> = [
  ['review', /^Review requested: /],
  ['approved', /^Approved: /],
  ['changes', /^Changes requested: /],
  ['published', /^Published: /],
  ['scheduled', /^Scheduled: /],
];

interface PageState {
  status: string;
  live: boolean;
  goLiveAt: string | null;
  latestRevisionId: string | null;
  liveRevisionId: string | null;
}

interface AuditEntry {
  actorId: string | null;
  action: string;
  objectId: string | null;
  data: Record<string, unknown>;
}

describe(`the publishing workflow: review, notifications and locks (${backend})`, () => {
  let smtp: SmtpTestServer;
  let app: TestApp;
  let site: BlogSite;
  let asAdmin: Headers;
  /** Adds and changes posts under the blog; cannot publish. */
  let editor: TestUser;
  let asEditor: Headers;
  /** Legal reviewers, who may also edit posts. */
  let legal1: TestUser;
  let asLegal1: Headers;
  let legal2: TestUser;
  let asLegal2: Headers;
  /** In Legal, Outside counsel (also on the legal task) and Editors-in-chief. */
  let dual: TestUser;
  let asDual: Headers;
  /** Reviews for the editor-in-chief; holds no page permission at all. */
  let chief: TestUser;
  let asChief: Headers;
  let legalTask: TaskView;
  let chiefTask: TaskView;
  let fromStartWorkflowId: string;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    app = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Finch <cms@example.com>',
      PUBLIC_URL,
      RUN_WORKERS_IN_PROCESS: 'true',
    });
    const admin = await createUser(app, { isSuperuser: true, name: 'Ada Admin' });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);

    editor = await createUser(app, { name: 'Eddie Editor' });
    legal1 = await createUser(app, { name: 'Lena Legal' });
    legal2 = await createUser(app, { name: 'Leo Legal' });
    dual = await createUser(app, { name: 'Dana Dual' });
    chief = await createUser(app, { name: 'Erin Chief' });

    const editors = await createGroupWithMembers(app, asAdmin, 'Blog editors', [editor]);
    await grantPagePermissions(app, asAdmin, editors, [
      { pageId: site.blogId, permissions: ['add', 'change'] },
    ]);
    const legal = await createGroupWithMembers(app, asAdmin, 'Legal', [legal1, legal2, dual]);
    await grantPagePermissions(app, asAdmin, legal, [
      { pageId: site.blogId, permissions: ['add', 'change'] },
    ]);
    const counsel = await createGroupWithMembers(app, asAdmin, 'Outside counsel', [dual]);
    const chiefs = await createGroupWithMembers(app, asAdmin, 'Editors-in-chief', [chief, dual]);

    legalTask = await createTask(app, asAdmin, { name: 'Legal review', groups: [legal, counsel] });
    chiefTask = await createTask(app, asAdmin, { name: 'Editor-in-chief', groups: [chiefs] });
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Blog review',
      tasks: [legalTask.id, chiefTask.id],
    });
    expect(workflow).toMatchObject({
      active: true,
      allowBypass: true,
      resubmitFrom: 'current_task',
      tasks: [{ id: legalTask.id }, { id: chiefTask.id }],
    });
    await assignWorkflow(app, asAdmin, workflow.id, site.blogId);
    fromStartWorkflowId = (
      await createWorkflow(app, asAdmin, {
        name: 'Blog review from the start',
        tasks: [legalTask.id, chiefTask.id],
        resubmitFrom: 'first_task',
      })
    ).id;

    [asEditor, asLegal1, asLegal2, asDual, asChief] = await Promise.all(
      [editor, legal1, legal2, dual, chief].map((user) => headersOf(app, user)),
    );
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  /** A draft post the editor made under the blog (never published). */
  const draftPost = (title: string, headers: Headers = asEditor) =>
    createPost(app, headers, site.blogId, { title, publish: false });

  const pageState = async (pageId: string): Promise<PageState> =>
    (
      await expectJson<{ state: PageState }>(
        await adminRequest(app, asAdmin, 'GET', `/pages/${pageId}`),
        200,
        'page detail',
      )
    ).state;

  const saveDraft = (pageId: string, headers: Headers, title: string, bodyText: string) =>
    sendJson(
      `${app.baseUrl}/api/admin/pages/${pageId}`,
      { content: blogPostContent({ title, bodyText }) },
      { method: 'PUT', headers },
    );

  /** What the delivery API shows readers of the page: its status, and whether the listing has it. */
  async function delivered(pageId: string): Promise<{ detail: number; listed: boolean }> {
    const detail = await fetch(`${app.baseUrl}/api/v2/pages/${pageId}`);
    await detail.body?.cancel();
    const listing = await fetch(`${app.baseUrl}/api/v2/pages?type=blog_post&limit=100`);
    expect(listing.status).toBe(200);
    const { items } = (await listing.json()) as { items: Array<{ id: string }> };
    return { detail: detail.status, listed: items.some((item) => item.id === pageId) };
  }

  const addressOf = (user: TestUser) => user.email;

  /** The mails about the page titled `title`, as `<address> <kind>`, sorted. */
  function mailsAbout(title: string): string[] {
    return smtp.received
      .filter((mail) => mail.header('subject')?.includes(`"${title}"`))
      .flatMap((mail) => {
        const subject = mail.header('subject') ?? '';
        const kind = MAIL_KINDS.find(([, pattern]) => pattern.test(subject))?.[0] ?? subject;
        return mail.envelopeTo.map((to) => `${to} ${kind}`);
      })
      .sort();
  }

  /**
   * Waits for at least `expected.length` mails about the page, then a moment more so that a
   * mail sent twice would arrive too, and checks exactly those arrived.
   */
  async function expectMails(title: string, expected: Array<[TestUser, string]>): Promise<void> {
    await waitFor(`${expected.length} mails about "${title}"`, () =>
      mailsAbout(title).length >= expected.length ? true : undefined,
    );
    await sleep(1_000);
    expect(mailsAbout(title)).toEqual(
      expected.map(([user, kind]) => `${addressOf(user)} ${kind}`).sort(),
    );
  }

  const mailTo = (title: string, user: TestUser, subject: RegExp) =>
    smtp.received.find(
      (mail) =>
        mail.envelopeTo.includes(user.email) &&
        mail.header('subject')?.includes(`"${title}"`) &&
        subject.test(mail.header('subject') ?? ''),
    );

  async function auditActions(pageId: string): Promise<AuditEntry[]> {
    const page = await expectJson<{ items: AuditEntry[] }>(
      await fetch(`${app.baseUrl}/api/admin/audit-log?objectId=${pageId}&limit=100`, {
        headers: asAdmin,
      }),
      200,
      'audit log',
    );
    return page.items;
  }

  const listed = (list: { items: StateView[] }, pageId: string) =>
    list.items.some((state) => state.page.id === pageId);

  it('takes a post through legal review and the editor-in-chief to the delivery API, mailing each person once per event', async () => {
    const title = 'Happy path post';
    const pageId = await draftPost(title);
    const draftRevision = (await pageState(pageId)).latestRevisionId;
    expect((await pageWorkflow(app, asEditor, pageId)).actions).toMatchObject({
      submit: true,
      publishDirectly: false,
    });

    const submitted = await submit(app, asEditor, pageId, 'Ready for legal');
    expect(submitted).toMatchObject({
      page: { id: pageId, title },
      workflow: { name: 'Blog review' },
      status: 'in_progress',
      requestedBy: { id: editor.id, email: editor.email },
      currentTask: {
        task: { id: legalTask.id, name: 'Legal review', type: 'group_approval' },
        status: 'in_progress',
        revisionId: draftRevision,
        finishedAt: null,
        finishedBy: null,
      },
      finishedAt: null,
    });
    // Dana is in both groups of the legal task and gets one mail; Eddie submitted and gets none.
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
    ]);
    const reviewMail = mailTo(title, legal1, /^Review requested: /);
    expect(reviewMail?.header('subject')).toContain('Legal review');
    expect(reviewMail?.text).toContain(`${PUBLIC_URL}/admin/pages/${pageId}/`);
    expect(reviewMail?.text).toContain('Ready for legal');
    expect(reviewMail?.text).toContain('Eddie Editor');
    expect((await pageWorkflow(app, asLegal1, pageId)).actions).toMatchObject({ approve: true });
    expect((await pageWorkflow(app, asChief, pageId)).actions).toMatchObject({ approve: false });
    // The editor-in-chief cannot approve the legal task on Legal's behalf.
    await expectProblem(
      await approveResponse(app, asChief, pageId, submitted.currentTask!.id),
      403,
    );

    const afterLegal = await approve(app, asLegal1, pageId, submitted.currentTask!.id, {
      comment: 'Legal OK',
    });
    expect(afterLegal).toMatchObject({
      status: 'in_progress',
      currentTask: { task: { id: chiefTask.id, name: 'Editor-in-chief' }, status: 'in_progress' },
    });
    expect(await delivered(pageId)).toEqual({ detail: 404, listed: false });
    expect((await pageState(pageId)).live).toBe(false);
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
      [editor, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
    ]);
    expect(mailTo(title, editor, /^Approved: /)?.text).toContain('Legal OK');
    // Approving the same task twice is refused: it is no longer the current one.
    const again = await expectProblem(
      await approveResponse(app, asLegal2, pageId, submitted.currentTask!.id),
      409,
    );
    expect(again.type).toBe('urn:finch:problem:task-not-current');

    const approved = await approve(app, asChief, pageId, afterLegal.currentTask!.id, {
      comment: 'Ship it',
    });
    expect(approved).toMatchObject({ status: 'approved', currentTask: null });
    expect(approved.finishedAt).toEqual(expect.any(String));
    expect(await delivered(pageId)).toEqual({ detail: 200, listed: true });
    expect(await pageState(pageId)).toMatchObject({ live: true, liveRevisionId: draftRevision });
    // The last approval sends "published" to the submitter, and no second "approved".
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
      [editor, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
      [editor, 'published'],
    ]);

    const [latest, ...older] = await workflowHistory(app, asEditor, pageId);
    expect(older).toEqual([]);
    expect(latest).toMatchObject({
      id: submitted.id,
      status: 'approved',
      requestedBy: { id: editor.id },
      taskStates: [
        {
          task: { id: legalTask.id },
          status: 'approved',
          revisionId: draftRevision,
          finishedBy: { id: legal1.id, name: 'Lena Legal' },
          comment: 'Legal OK',
        },
        {
          task: { id: chiefTask.id },
          status: 'approved',
          finishedBy: { id: chief.id, name: 'Erin Chief' },
          comment: 'Ship it',
        },
      ],
    });
    for (const taskState of latest.taskStates) {
      expect(Date.parse(taskState.finishedAt!)).toBeGreaterThanOrEqual(
        Date.parse(taskState.startedAt),
      );
    }

    const audit = await auditActions(pageId);
    const actions = audit.map((entry) => entry.action);
    for (const action of [
      'workflow.submitted',
      'workflow.task_approved',
      'workflow.approved',
      'pages.published',
    ]) {
      expect({ action, logged: actions.includes(action) }).toEqual({ action, logged: true });
    }
    expect(actions.filter((action) => action === 'workflow.task_approved')).toHaveLength(2);
    expect(audit.find((entry) => entry.action === 'workflow.submitted')?.actorId).toBe(editor.id);
    expect(audit.find((entry) => entry.action === 'workflow.approved')?.actorId).toBe(chief.id);
  });

  it('never mails the submitter about their own submission, even when they review its task', async () => {
    const title = 'Post by a lawyer';
    const pageId = await draftPost(title, asLegal1);
    const submitted = await submit(app, asLegal1, pageId);
    await expectMails(title, [
      [legal2, 'review'],
      [dual, 'review'],
    ]);
    await approve(app, asLegal2, pageId, submitted.currentTask!.id);
    await expectMails(title, [
      [legal2, 'review'],
      [dual, 'review'],
      [legal1, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
    ]);
  });

  it('sends a post back with the reviewer comment quoted, lets the editor change it, and resumes at the task that asked', async () => {
    const title = 'Post sent back';
    const pageId = await draftPost(title);
    const submitted = await submit(app, asEditor, pageId);
    const atChief = await approve(app, asLegal2, pageId, submitted.currentTask!.id);
    const comment = 'Please cite the source\nfor the second claim.';
    const sentBack = await requestChanges(app, asChief, pageId, atChief.currentTask!.id, comment);
    expect(sentBack.status).toBe('needs_changes');
    expect(sentBack.taskStates).toEqual([
      expect.objectContaining({
        task: expect.objectContaining({ id: legalTask.id }),
        status: 'approved',
      }),
      expect.objectContaining({
        task: expect.objectContaining({ id: chiefTask.id }),
        status: 'rejected',
        comment,
        finishedBy: expect.objectContaining({ id: chief.id }),
      }),
    ]);
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
      [editor, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
      [editor, 'changes'],
    ]);
    const changesMail = mailTo(title, editor, /^Changes requested: /);
    expect(changesMail?.text).toContain(comment);
    expect(changesMail?.html).toContain('Please cite the source');

    // Needs changes: the page is the editor's again.
    const saved = await saveDraft(pageId, asEditor, title, 'Now with sources.');
    expect(saved.status).toBe(200);
    const newRevision = (await pageState(pageId)).latestRevisionId;
    expect(newRevision).not.toBe(submitted.currentTask!.revisionId);

    const resubmitted = await resubmit(app, asEditor, pageId, 'Sources added');
    expect(resubmitted).toMatchObject({
      id: submitted.id,
      status: 'in_progress',
      currentTask: {
        task: { id: chiefTask.id },
        status: 'in_progress',
        revisionId: newRevision,
      },
    });
    // Only the editor-in-chief's reviewers hear of it again; Legal approved already.
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
      [editor, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
      [editor, 'changes'],
      [chief, 'review'],
      [dual, 'review'],
    ]);
    const audit = (await auditActions(pageId)).map((entry) => entry.action);
    expect(audit).toEqual(
      expect.arrayContaining(['workflow.changes_requested', 'workflow.resubmitted']),
    );
    await approve(app, asChief, pageId, resubmitted.currentTask!.id);
    expect(await pageState(pageId)).toMatchObject({ live: true, liveRevisionId: newRevision });
  });

  it('restarts at the first task on resubmission when the workflow says resubmitFrom first_task', async () => {
    const title = 'Post reviewed from the start';
    const pageId = await draftPost(title);
    await assignWorkflow(app, asAdmin, fromStartWorkflowId, pageId);
    const submitted = await submit(app, asEditor, pageId);
    expect(submitted.workflow.id).toBe(fromStartWorkflowId);
    const atChief = await approve(app, asLegal1, pageId, submitted.currentTask!.id);
    await requestChanges(app, asChief, pageId, atChief.currentTask!.id, 'Too long.');
    expect((await saveDraft(pageId, asEditor, title, 'Shorter.')).status).toBe(200);

    const resubmitted = await resubmit(app, asEditor, pageId);
    expect(resubmitted).toMatchObject({
      status: 'in_progress',
      currentTask: { task: { id: legalTask.id }, status: 'in_progress' },
    });
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
      [editor, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
      [editor, 'changes'],
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
    ]);
  });

  it('schedules the post instead of publishing it when the last approval names a future goLiveAt', async () => {
    const title = 'Post for next week';
    const pageId = await draftPost(title);
    const submitted = await submit(app, asEditor, pageId);
    const atChief = await approve(app, asLegal1, pageId, submitted.currentTask!.id);
    const goLiveAt = new Date(Date.now() + 7 * 24 * 3600_000);
    goLiveAt.setUTCMilliseconds(0);
    const approved = await approve(app, asChief, pageId, atChief.currentTask!.id, {
      goLiveAt: goLiveAt.toISOString(),
    });
    expect(approved.status).toBe('approved');
    const state = await pageState(pageId);
    expect(state).toMatchObject({ status: 'scheduled', live: false });
    expect(Date.parse(state.goLiveAt!)).toBe(goLiveAt.getTime());
    expect(await delivered(pageId)).toEqual({ detail: 404, listed: false });
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
      [editor, 'approved'],
      [chief, 'review'],
      [dual, 'review'],
      [editor, 'scheduled'],
    ]);
  });

  it('sends no review mail to a reviewer who turned task_awaiting_review off', async () => {
    const title = 'Post for the quiet reviewer';
    expect(
      await expectJson<NotificationPreferences>(
        await adminRequest(app, asLegal2, 'GET', '/me/notification-preferences'),
        200,
        'preferences',
      ),
    ).toEqual({
      task_awaiting_review: true,
      submission_approved: true,
      changes_requested: true,
      published: true,
    });
    try {
      expect(
        await setNotificationPreferences(app, asLegal2, { task_awaiting_review: false }),
      ).toEqual({
        task_awaiting_review: false,
        submission_approved: true,
        changes_requested: true,
        published: true,
      });
      const pageId = await draftPost(title);
      await submit(app, asEditor, pageId);
      await expectMails(title, [
        [legal1, 'review'],
        [dual, 'review'],
      ]);
    } finally {
      await setNotificationPreferences(app, asLegal2, { task_awaiting_review: true });
    }
  });

  it('lists a page awaiting review for the reviewers of its current task only, and as a submission of its submitter', async () => {
    const pageId = await draftPost('Post on the dashboard');
    const submitted = await submit(app, asEditor, pageId);
    const awaiting = async () => ({
      legal1: listed(await awaitingMyReview(app, asLegal1), pageId),
      legal2: listed(await awaitingMyReview(app, asLegal2), pageId),
      dual: listed(await awaitingMyReview(app, asDual), pageId),
      chief: listed(await awaitingMyReview(app, asChief), pageId),
      editor: listed(await awaitingMyReview(app, asEditor), pageId),
    });
    expect(await awaiting()).toEqual({
      legal1: true,
      legal2: true,
      dual: true,
      chief: false,
      editor: false,
    });
    expect(listed(await mySubmissions(app, asEditor), pageId)).toBe(true);
    expect(listed(await mySubmissions(app, asEditor, 'in_progress'), pageId)).toBe(true);
    expect(listed(await mySubmissions(app, asEditor, 'approved'), pageId)).toBe(false);
    expect(listed(await mySubmissions(app, asLegal1), pageId)).toBe(false);
    const mine = await mySubmissions(app, asEditor);
    expect(mine.meta.total_count).toBe(mine.items.length);

    await approve(app, asLegal1, pageId, submitted.currentTask!.id);
    expect(await awaiting()).toEqual({
      legal1: false,
      legal2: false,
      dual: true,
      chief: true,
      editor: false,
    });
  });

  it('locks a page in review against its editor (423 in-workflow) but not against the reviewers of its current task', async () => {
    const title = 'Post under lock';
    const pageId = await draftPost(title);
    const submitted = await submit(app, asEditor, pageId);

    const locked = await expectProblem(await saveDraft(pageId, asEditor, title, 'Sneaky.'), 423);
    expect(locked.type).toBe('urn:finch:problem:in-workflow');
    expect((await saveDraft(pageId, asLegal1, title, 'Fixed a typo.')).status).toBe(200);

    await approve(app, asLegal2, pageId, submitted.currentTask!.id);
    // Now the editor-in-chief's task is current: Legal cannot save any more, Dana (in both) can.
    const lockedForLegal = await expectProblem(
      await saveDraft(pageId, asLegal1, title, 'Another typo.'),
      423,
    );
    expect(lockedForLegal.type).toBe('urn:finch:problem:in-workflow');
    expect((await saveDraft(pageId, asDual, title, 'Tightened.')).status).toBe(200);
    expect((await pageState(pageId)).live).toBe(false);
  });

  it('lets only the submitter cancel: the state is cancelled, the page unlocked and nobody mailed', async () => {
    const title = 'Post withdrawn';
    const pageId = await draftPost(title);
    const submitted = await submit(app, asEditor, pageId);
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
    ]);

    const notYours = await expectProblem(await cancelResponse(app, asLegal1, pageId), 403);
    expect(notYours.type).toBe('urn:finch:problem:not-submitter');

    const cancelled = await cancel(app, asEditor, pageId);
    expect(cancelled).toMatchObject({ id: submitted.id, status: 'cancelled' });
    expect(cancelled.finishedAt).toEqual(expect.any(String));
    expect((await pageWorkflow(app, asEditor, pageId)).actions).toMatchObject({
      submit: true,
      cancel: false,
    });
    expect((await saveDraft(pageId, asEditor, title, 'Back to work.')).status).toBe(200);
    // A reviewer can no longer act on the cancelled task.
    await expectProblem(
      await approveResponse(app, asLegal1, pageId, submitted.currentTask!.id),
      409,
    );
    await expectMails(title, [
      [legal1, 'review'],
      [legal2, 'review'],
      [dual, 'review'],
    ]);
    expect((await auditActions(pageId)).map((entry) => entry.action)).toContain(
      'workflow.cancelled',
    );

    // Submitting again starts a new review; the history keeps the cancelled one below it.
    const again = await submit(app, asEditor, pageId);
    expect(again.id).not.toBe(submitted.id);
    const history = await workflowHistory(app, asEditor, pageId);
    expect(history.map((state) => [state.id, state.status])).toEqual([
      [again.id, 'in_progress'],
      [submitted.id, 'cancelled'],
    ]);
    expect(history[1].taskStates).toEqual([
      expect.objectContaining({ id: submitted.currentTask!.id, status: 'cancelled' }),
    ]);
  });
  it('shows the review history to the page’s collaborators only: 403 permission-denied to others, 401 anonymous, 404 for a missing page', async () => {
    const outsider = await createUser(app, { name: 'Otto Outsider' });
    const publisher = await createUser(app, { name: 'Pia Publisher' });
    const publishers = await createGroupWithMembers(app, asAdmin, 'Blog publishers', [publisher]);
    await grantPagePermissions(app, asAdmin, publishers, [
      { pageId: site.blogId, permissions: ['publish'] },
    ]);
    const [asOutsider, asPublisher] = await Promise.all(
      [outsider, publisher].map((user) => headersOf(app, user)),
    );
    const title = 'Post with a private history';
    const pageId = await draftPost(title);

    /** Who may read the history now: status per caller, the problem type when refused. */
    async function readers(): Promise<Record<string, number | string>> {
      const callers: Array<[string, Headers]> = [
        ['editor', asEditor],
        ['publisher', asPublisher],
        ['legal', asLegal1],
        ['chief', asChief],
        ['outsider', asOutsider],
        ['anonymous', {}],
      ];
      const seen: Record<string, number | string> = {};
      for (const [who, headers] of callers) {
        const response = await workflowHistoryResponse(app, headers, pageId);
        if (response.status === 200) {
          await expectJson<{ items: StateView[] }>(response, 200, `history as ${who}`);
          seen[who] = 200;
        } else {
          const problem = await expectProblem(response, response.status);
          seen[who] = `${response.status} ${problem.type.replace('urn:finch:problem:', '')}`;
        }
      }
      return seen;
    }
    const collaborators = { editor: 200, publisher: 200, legal: 200 };
    const refused = {
      outsider: '403 permission-denied',
      anonymous: '401 authentication-required',
    };

    expect(await readers()).toEqual({
      ...collaborators,
      chief: '403 permission-denied',
      ...refused,
    });
    const submitted = await submit(app, asEditor, pageId);
    // The editor-in-chief's task is not current yet: they are not part of this review.
    expect(await readers()).toEqual({
      ...collaborators,
      chief: '403 permission-denied',
      ...refused,
    });
    const atChief = await approve(app, asLegal1, pageId, submitted.currentTask!.id);
    expect(await readers()).toEqual({ ...collaborators, chief: 200, ...refused });
    const chiefSees = await workflowHistory(app, asChief, pageId);
    expect(chiefSees.map((state) => [state.id, state.status])).toEqual([
      [submitted.id, 'in_progress'],
    ]);
    // Sent back: the reviewer whose task asked for changes still follows it.
    await requestChanges(app, asChief, pageId, atChief.currentTask!.id, 'Shorter, please.');
    expect(await readers()).toEqual({ ...collaborators, chief: 200, ...refused });
    expect((await saveDraft(pageId, asEditor, title, 'Shorter.')).status).toBe(200);
    const resubmitted = await resubmit(app, asEditor, pageId);
    expect(await readers()).toEqual({ ...collaborators, chief: 200, ...refused });
    // Approved and published, the review is over for the editor-in-chief.
    await approve(app, asChief, pageId, resubmitted.currentTask!.id);
    expect(await readers()).toEqual({
      ...collaborators,
      chief: '403 permission-denied',
      ...refused,
    });

    for (const headers of [asEditor, asOutsider]) {
      const missing = await expectProblem(
        await workflowHistoryResponse(app, headers, NO_SUCH_ID),
        404,
      );
      expect(missing.type).toBe('urn:finch:problem:page-not-found');
    }
  });

  it('publishes the newer draft a reviewer saved during their own task when they approve it as the last task', async () => {
    const title = 'Post polished by the editor-in-chief';
    const pageId = await draftPost(title);
    const submittedRevision = (await pageState(pageId)).latestRevisionId;
    const submitted = await submit(app, asEditor, pageId);
    const atChief = await approve(app, asLegal1, pageId, submitted.currentTask!.id);
    expect(atChief.currentTask!.revisionId).toBe(submittedRevision);
    // Dana reviews the editor-in-chief's task and may edit posts: she polishes it first.
    const polishedText = 'Polished by the editor-in-chief.';
    expect((await saveDraft(pageId, asDual, title, polishedText)).status).toBe(200);
    const polishedRevision = (await pageState(pageId)).latestRevisionId;
    expect(polishedRevision).not.toBe(submittedRevision);

    const approved = await approve(app, asDual, pageId, atChief.currentTask!.id);
    expect(approved).toMatchObject({ status: 'approved', currentTask: null });
    expect(await pageState(pageId)).toMatchObject({ live: true, liveRevisionId: polishedRevision });
    const live = await fetch(`${app.baseUrl}/api/v2/pages/${pageId}`);
    expect(live.status).toBe(200);
    expect(await live.text()).toContain(polishedText);
    const [latest] = await workflowHistory(app, asEditor, pageId);
    expect(
      latest.taskStates.map((taskState) => [
        taskState.task.id,
        taskState.status,
        taskState.revisionId,
      ]),
    ).toEqual([
      [legalTask.id, 'approved', submittedRevision],
      [chiefTask.id, 'approved', polishedRevision],
    ]);
    const audit = await auditActions(pageId);
    expect(audit.find((entry) => entry.action === 'workflow.approved')?.data).toMatchObject({
      revisionId: polishedRevision,
    });
  });

  it('refuses the last approval (400 content-invalid) and changes nothing when the newer draft its reviewer saved cannot be published', async () => {
    const title = 'Post broken in review';
    const pageId = await draftPost(title);
    const submittedRevision = (await pageState(pageId)).latestRevisionId;
    const submitted = await submit(app, asEditor, pageId);
    const atChief = await approve(app, asLegal1, pageId, submitted.currentTask!.id);
    // A draft may leave a required field empty; a publication may not.
    const undated = blogPostContent({ title, bodyText: 'Now without a date.' });
    delete undated.date;
    const saved = await sendJson(
      `${app.baseUrl}/api/admin/pages/${pageId}`,
      { content: undated },
      { method: 'PUT', headers: asDual },
    );
    expect(saved.status).toBe(200);
    const brokenRevision = (await pageState(pageId)).latestRevisionId;
    const auditBefore = (await auditActions(pageId)).length;

    const refused = await expectProblem(
      await approveResponse(app, asDual, pageId, atChief.currentTask!.id, { comment: 'Fine.' }),
      400,
    );
    expect({ type: refused.type, fields: refused.errors?.map((error) => error.path) }).toEqual({
      type: 'urn:finch:problem:content-invalid',
      fields: [expect.stringMatching(/date$/)],
    });
    expect(await pageState(pageId)).toMatchObject({
      live: false,
      latestRevisionId: brokenRevision,
      liveRevisionId: null,
    });
    expect(await delivered(pageId)).toEqual({ detail: 404, listed: false });
    const [state] = await workflowHistory(app, asEditor, pageId);
    expect(state).toMatchObject({
      id: submitted.id,
      status: 'in_progress',
      finishedAt: null,
      currentTask: {
        id: atChief.currentTask!.id,
        status: 'in_progress',
        revisionId: submittedRevision,
        finishedAt: null,
        finishedBy: null,
        comment: null,
      },
    });
    expect(await auditActions(pageId)).toHaveLength(auditBefore);

    // Once the draft is whole again, the same task's approval publishes it.
    expect((await saveDraft(pageId, asDual, title, 'Dated again.')).status).toBe(200);
    const fixedRevision = (await pageState(pageId)).latestRevisionId;
    await approve(app, asDual, pageId, atChief.currentTask!.id);
    expect(await pageState(pageId)).toMatchObject({ live: true, liveRevisionId: fixedRevision });
  });

  it('lists only the fields a PATCH set in the workflows.updated and workflow_tasks.updated audit entries', async () => {
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Workflow for the audit',
      tasks: [legalTask.id],
    });
    expect(workflow.allowBypass).toBe(true);
    expect(
      (await updateWorkflow(app, asAdmin, workflow.id, { allowBypass: false })).allowBypass,
    ).toBe(false);
    const updated = (await auditActions(workflow.id)).filter(
      (entry) => entry.action === 'workflows.updated',
    );
    expect(updated).toHaveLength(1);
    expect(updated[0].data).toMatchObject({ name: 'Workflow for the audit' });
    expect(updated[0].data.changed).toEqual(['allowBypass']);

    const task = await createTask(app, asAdmin, {
      name: 'Task for the audit',
      groups: legalTask.groups.map((group) => group.id),
    });
    await expectJson(
      await adminRequest(app, asAdmin, 'PATCH', `/workflow-tasks/${task.id}`, {
        name: 'Task renamed for the audit',
      }),
      200,
      'rename task',
    );
    const taskUpdated = (await auditActions(task.id)).filter(
      (entry) => entry.action === 'workflow_tasks.updated',
    );
    expect(taskUpdated).toHaveLength(1);
    expect(taskUpdated[0].data.changed).toEqual(['name']);
  });
});
