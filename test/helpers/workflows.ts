import { bearer, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import type { TestApp } from '#test/helpers/test-app.js';

/**
 * The publishing workflow's management API (issue 7) as the admin UI calls it: fetch with a
 * bearer token. The `*Response` functions give the raw response, for tests of refusals; the
 * others check the status the contract promises and return the parsed body, throwing with the
 * response's text otherwise.
 */

export type Headers = Record<string, string>;

export interface UserRef {
  id: string;
  name: string;
  email: string;
}

export interface TaskView {
  id: string;
  name: string;
  type: string;
  active: boolean;
  groups: Array<{ id: string; name: string }>;
  options: Record<string, unknown>;
  workflows: Array<{ id: string; name: string }>;
}

export type ResubmitFrom = 'current_task' | 'first_task';

export interface WorkflowView {
  id: string;
  name: string;
  active: boolean;
  allowBypass: boolean;
  resubmitFrom: ResubmitFrom;
  isDefault: boolean;
  tasks: TaskView[];
  pages: Array<{ id: string; title: string; urlPath: string }>;
  createdAt: string;
  updatedAt: string;
}

export interface TaskStateView {
  id: string;
  task: { id: string; name: string; type: string };
  status: 'in_progress' | 'approved' | 'rejected' | 'cancelled';
  revisionId: string;
  startedAt: string;
  finishedAt: string | null;
  finishedBy: UserRef | null;
  comment: string | null;
}

export interface StateView {
  id: string;
  page: { id: string; title: string };
  workflow: { id: string; name: string };
  status: 'in_progress' | 'needs_changes' | 'approved' | 'cancelled';
  requestedBy: UserRef | null;
  currentTask: TaskStateView | null;
  taskStates: TaskStateView[];
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface PageWorkflowView {
  workflow: { id: string; name: string; allowBypass: boolean } | null;
  state: StateView | null;
  actions: Record<
    'submit' | 'resubmit' | 'cancel' | 'approve' | 'requestChanges' | 'publishDirectly',
    boolean
  >;
}

export interface StateList {
  meta: { total_count: number };
  items: StateView[];
}

export interface CommentView {
  id: string;
  revisionId: string | null;
  fieldPath: string | null;
  text: string;
  author: UserRef | null;
  parentId: string | null;
  resolvedAt: string | null;
  resolvedBy: UserRef | null;
  createdAt: string;
  updatedAt: string;
  replies?: CommentView[];
}

export type NotificationKind =
  'task_awaiting_review' | 'submission_approved' | 'changes_requested' | 'published';

export type NotificationPreferences = Record<NotificationKind, boolean>;

/** Any admin API request; `body` is sent as JSON when given. */
export function adminRequest(
  app: TestApp,
  headers: Headers,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${app.baseUrl}/api/admin${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Checks the status and returns the parsed body (undefined for 204). */
export async function expectJson<T>(response: Response, status: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

async function call<T>(
  app: TestApp,
  headers: Headers,
  method: string,
  path: string,
  status: number,
  body?: unknown,
): Promise<T> {
  return expectJson<T>(
    await adminRequest(app, headers, method, path, body),
    status,
    `${method} ${path}`,
  );
}

/** Bearer headers for `user` (created with TEST_PASSWORD). */
export async function headersOf(app: TestApp, user: TestUser): Promise<Headers> {
  return bearer((await signIn(app, user.email, user.password ?? TEST_PASSWORD)).accessToken);
}

/**
 * A group (with `permissions`, model-wide codenames) whose members are `members` besides the
 * groups they were in already. `adminHeaders` needs the rights to manage groups and users.
 */
export async function createGroupWithMembers(
  app: TestApp,
  adminHeaders: Headers,
  name: string,
  members: readonly TestUser[],
  permissions: string[] = [],
): Promise<string> {
  const group = await call<{ id: string }>(app, adminHeaders, 'POST', '/groups', 201, {
    name,
    permissions,
  });
  for (const member of members) {
    const user = await call<{ groups?: Array<{ id: string }> }>(
      app,
      adminHeaders,
      'GET',
      `/users/${member.id}`,
      200,
    );
    const groupIds = [...(user.groups ?? []).map((each) => each.id), group.id];
    await call(app, adminHeaders, 'PUT', `/users/${member.id}/groups`, 200, { groupIds });
  }
  return group.id;
}

/** Sets the group's page permissions exactly, e.g. `[{ pageId, permissions: ['change'] }]`. */
export async function grantPagePermissions(
  app: TestApp,
  adminHeaders: Headers,
  groupId: string,
  grants: Array<{ pageId: string; permissions: string[] }>,
): Promise<void> {
  await call(app, adminHeaders, 'PUT', `/groups/${groupId}/page-permissions`, 200, { grants });
}

export interface NewTask {
  name: string;
  groups: string[];
  type?: string;
  options?: Record<string, unknown>;
}

export function createTask(app: TestApp, headers: Headers, task: NewTask): Promise<TaskView> {
  return call(app, headers, 'POST', '/workflow-tasks', 201, task);
}

export interface NewWorkflow {
  name: string;
  tasks?: string[];
  active?: boolean;
  allowBypass?: boolean;
  resubmitFrom?: ResubmitFrom;
  isDefault?: boolean;
}

export function createWorkflow(
  app: TestApp,
  headers: Headers,
  workflow: NewWorkflow,
): Promise<WorkflowView> {
  return call(app, headers, 'POST', '/workflows', 201, workflow);
}

export function updateWorkflow(
  app: TestApp,
  headers: Headers,
  workflowId: string,
  changes: Partial<NewWorkflow>,
): Promise<WorkflowView> {
  return call(app, headers, 'PATCH', `/workflows/${workflowId}`, 200, changes);
}

/** Assigns the workflow to the page's subtree. */
export function assignWorkflow(
  app: TestApp,
  headers: Headers,
  workflowId: string,
  pageId: string,
): Promise<WorkflowView> {
  return call(app, headers, 'PUT', `/workflows/${workflowId}/pages/${pageId}`, 200);
}

export function pageWorkflow(
  app: TestApp,
  headers: Headers,
  pageId: string,
): Promise<PageWorkflowView> {
  return call(app, headers, 'GET', `/pages/${pageId}/workflow`, 200);
}

export function submitResponse(
  app: TestApp,
  headers: Headers,
  pageId: string,
  comment?: string,
): Promise<Response> {
  return adminRequest(app, headers, 'POST', `/pages/${pageId}/workflow/submit`, { comment });
}

export async function submit(
  app: TestApp,
  headers: Headers,
  pageId: string,
  comment?: string,
): Promise<StateView> {
  return expectJson(await submitResponse(app, headers, pageId, comment), 201, 'submit');
}

export function resubmitResponse(
  app: TestApp,
  headers: Headers,
  pageId: string,
  comment?: string,
): Promise<Response> {
  return adminRequest(app, headers, 'POST', `/pages/${pageId}/workflow/resubmit`, { comment });
}

export async function resubmit(
  app: TestApp,
  headers: Headers,
  pageId: string,
  comment?: string,
): Promise<StateView> {
  return expectJson(await resubmitResponse(app, headers, pageId, comment), 200, 'resubmit');
}

export function cancelResponse(app: TestApp, headers: Headers, pageId: string): Promise<Response> {
  return adminRequest(app, headers, 'POST', `/pages/${pageId}/workflow/cancel`, {});
}

export async function cancel(app: TestApp, headers: Headers, pageId: string): Promise<StateView> {
  return expectJson(await cancelResponse(app, headers, pageId), 200, 'cancel');
}

export function approveResponse(
  app: TestApp,
  headers: Headers,
  pageId: string,
  taskStateId: string,
  body: { comment?: string; goLiveAt?: string } = {},
): Promise<Response> {
  return adminRequest(
    app,
    headers,
    'POST',
    `/pages/${pageId}/workflow/tasks/${taskStateId}/approve`,
    body,
  );
}

export async function approve(
  app: TestApp,
  headers: Headers,
  pageId: string,
  taskStateId: string,
  body: { comment?: string; goLiveAt?: string } = {},
): Promise<StateView> {
  return expectJson(await approveResponse(app, headers, pageId, taskStateId, body), 200, 'approve');
}

export function requestChangesResponse(
  app: TestApp,
  headers: Headers,
  pageId: string,
  taskStateId: string,
  body: { comment?: unknown },
): Promise<Response> {
  return adminRequest(
    app,
    headers,
    'POST',
    `/pages/${pageId}/workflow/tasks/${taskStateId}/request-changes`,
    body,
  );
}

export async function requestChanges(
  app: TestApp,
  headers: Headers,
  pageId: string,
  taskStateId: string,
  comment: string,
): Promise<StateView> {
  return expectJson(
    await requestChangesResponse(app, headers, pageId, taskStateId, { comment }),
    200,
    'request changes',
  );
}

export function workflowHistoryResponse(
  app: TestApp,
  headers: Headers,
  pageId: string,
): Promise<Response> {
  return adminRequest(app, headers, 'GET', `/pages/${pageId}/workflow/history`);
}

/** Newest first. */
export async function workflowHistory(
  app: TestApp,
  headers: Headers,
  pageId: string,
): Promise<StateView[]> {
  return (
    await call<{ items: StateView[] }>(
      app,
      headers,
      'GET',
      `/pages/${pageId}/workflow/history`,
      200,
    )
  ).items;
}

export function awaitingMyReview(app: TestApp, headers: Headers): Promise<StateList> {
  return call(app, headers, 'GET', '/workflows/awaiting-my-review', 200);
}

export function mySubmissions(
  app: TestApp,
  headers: Headers,
  status?: StateView['status'],
): Promise<StateList> {
  const query = status ? `?status=${status}` : '';
  return call(app, headers, 'GET', `/workflows/my-submissions${query}`, 200);
}

export function setNotificationPreferences(
  app: TestApp,
  headers: Headers,
  preferences: Partial<NotificationPreferences>,
): Promise<NotificationPreferences> {
  return call(app, headers, 'PUT', '/me/notification-preferences', 200, preferences);
}

export interface NewComment {
  text: unknown;
  revisionId?: unknown;
  fieldPath?: unknown;
  parentId?: unknown;
}

export function addCommentResponse(
  app: TestApp,
  headers: Headers,
  pageId: string,
  comment: NewComment,
): Promise<Response> {
  return adminRequest(app, headers, 'POST', `/pages/${pageId}/comments`, comment);
}

export async function addComment(
  app: TestApp,
  headers: Headers,
  pageId: string,
  comment: NewComment,
): Promise<CommentView> {
  return expectJson(await addCommentResponse(app, headers, pageId, comment), 201, 'add comment');
}

/** Threads, top-level oldest first, each with its replies. */
export async function listComments(
  app: TestApp,
  headers: Headers,
  pageId: string,
  query: { revisionId?: string; resolved?: boolean } = {},
): Promise<CommentView[]> {
  const params = new URLSearchParams();
  if (query.revisionId !== undefined) params.set('revisionId', query.revisionId);
  if (query.resolved !== undefined) params.set('resolved', String(query.resolved));
  const suffix = params.size ? `?${params.toString()}` : '';
  return (
    await call<{ items: CommentView[] }>(
      app,
      headers,
      'GET',
      `/pages/${pageId}/comments${suffix}`,
      200,
    )
  ).items;
}
