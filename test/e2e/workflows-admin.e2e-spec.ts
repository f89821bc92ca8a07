import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ApiTokensService } from '#src/auth/api-tokens.service.js';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { createPage } from '#test/helpers/delivery-site.js';
import { expectProblem, type Problem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import {
  adminRequest,
  assignWorkflow,
  cancel,
  createGroupWithMembers,
  createTask,
  createWorkflow,
  expectJson,
  type Headers,
  headersOf,
  pageWorkflow,
  submit,
  type TaskView,
  updateWorkflow,
  type WorkflowView,
} from '#test/helpers/workflows.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

const TYPES: ContentTypeDefinition[] = [
  { key: 'home', label: 'Home', kind: 'page', parentTypes: [], fields: [] },
  { key: 'section', label: 'Section', kind: 'page', fields: [] },
];

async function expectRefusal(response: Response, status: number, slug: string): Promise<Problem> {
  const problem = await expectProblem(response, status);
  expect({ status, type: problem.type, detail: problem.detail }).toMatchObject({
    status,
    type: `urn:finch:problem:${slug}`,
  });
  return problem;
}

/** A 400 whose `errors` name `field` exactly (e.g. `groups[0]`). */
async function expectInvalid(response: Response, field: string): Promise<Problem> {
  const problem = await expectProblem(response, 400);
  expect({ field, paths: problem.errors?.map((error) => error.path) }).toEqual({
    field,
    paths: expect.arrayContaining([field]),
  });
  return problem;
}

interface List<T> {
  meta?: { total_count: number };
  items: T[];
}

describe('the workflows management API', () => {
  let app: TestApp;
  let db: DataSource;
  let asAdmin: Headers;
  /** Holds manage_workflows (model-wide) and nothing else. */
  let asManager: Headers;
  let managerId: string;
  /** Holds change_page (model-wide), not manage_workflows. */
  let asEditor: Headers;
  let legal: string;
  let chiefs: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true });
    const adminToken = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(adminToken);
    await applyContentTypes(app, adminToken, TYPES);
    ids.home = await createPage(app, asAdmin, { type: 'home', title: 'Home' });
    ids.blog = await createPage(app, asAdmin, {
      parentId: ids.home,
      type: 'section',
      title: 'Blog',
    });
    ids.post = await createPage(app, asAdmin, {
      parentId: ids.blog,
      type: 'section',
      title: 'Post',
    });
    ids.deep = await createPage(app, asAdmin, {
      parentId: ids.post,
      type: 'section',
      title: 'Deep',
    });
    ids.about = await createPage(app, asAdmin, {
      parentId: ids.home,
      type: 'section',
      title: 'About',
    });
    ids.archive = await createPage(app, asAdmin, {
      parentId: ids.home,
      type: 'section',
      title: 'Archive',
    });
    ids.archived = await createPage(app, asAdmin, {
      parentId: ids.archive,
      type: 'section',
      title: 'Archived',
      publish: false,
    });
    ids.elsewhere = await createPage(app, asAdmin, { type: 'home', title: 'Elsewhere' });
    ids.guarded = await createPage(app, asAdmin, {
      parentId: ids.elsewhere,
      type: 'section',
      title: 'Guarded',
    });

    const manager = await createUser(app, { name: 'Workflow manager' });
    managerId = manager.id;
    const editor = await createUser(app, { name: 'Editor' });
    await createGroupWithMembers(
      app,
      asAdmin,
      'Workflow managers',
      [manager],
      ['manage_workflows'],
    );
    await createGroupWithMembers(app, asAdmin, 'Page changers', [editor], ['change_page']);
    legal = await createGroupWithMembers(app, asAdmin, 'Legal', []);
    chiefs = await createGroupWithMembers(app, asAdmin, 'Chiefs', []);
    asManager = await headersOf(app, manager);
    asEditor = await headersOf(app, editor);
  });
  afterAll(async () => {
    await app?.close();
  });

  const request = (headers: Headers, method: string, path: string, body?: unknown) =>
    adminRequest(app, headers, method, path, body);
  const read = async <T>(path: string, headers: Headers = asAdmin): Promise<T> =>
    expectJson<T>(await request(headers, 'GET', path), 200, `GET ${path}`);
  /** Everything a refusal must leave alone: both listings and the audit trail. */
  const snapshot = async () => ({
    workflows: await read<List<WorkflowView>>('/workflows'),
    tasks: await read<List<TaskView>>('/workflow-tasks'),
    audit: (
      await db.query<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM audit_log
          WHERE action LIKE 'workflows.%' OR action LIKE 'workflow_tasks.%'`,
      )
    )[0].count,
  });
  const auditOf = async (objectId: string) =>
    (
      await db.query<Array<{ action: string; object_type: string; actor_id: string }>>(
        'SELECT action, object_type, actor_id FROM audit_log WHERE object_id = $1 ORDER BY id',
        [objectId],
      )
    ).map(
      (entry) =>
        `${entry.action} ${entry.object_type} ${entry.actor_id === managerId ? 'manager' : entry.actor_id}`,
    );

  it('lists the built-in task type, workflows and tasks to any signed-in user, and to nobody anonymous', async () => {
    const types = await read<Array<{ key: string; label: string; description: string }>>(
      '/workflow-task-types',
      asEditor,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        { key: 'group_approval', label: expect.any(String), description: expect.any(String) },
      ]),
    );
    const task = await createTask(app, asAdmin, { name: 'Readable task', groups: [legal] });
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Readable workflow',
      tasks: [task.id],
    });
    for (const path of [
      '/workflows',
      `/workflows/${workflow.id}`,
      '/workflow-tasks',
      `/workflow-tasks/${task.id}`,
      '/workflow-task-types',
    ]) {
      expect({ path, status: (await request(asEditor, 'GET', path)).status }).toEqual({
        path,
        status: 200,
      });
      await expectRefusal(await request({}, 'GET', path), 401, 'authentication-required');
    }
    const listed = await read<List<WorkflowView>>('/workflows', asEditor);
    expect(listed.meta?.total_count).toBe(listed.items.length);
    expect(listed.items.map((each) => each.id)).toContain(workflow.id);
  });

  it('creates, shows, lists, renames, regroups and deactivates a task with manage_workflows, auditing each change', async () => {
    const created = await createTask(app, asManager, { name: 'Legal review', groups: [legal] });
    expect(created).toMatchObject({
      id: expect.any(String),
      name: 'Legal review',
      type: 'group_approval',
      active: true,
      groups: [{ id: legal, name: 'Legal' }],
      options: expect.any(Object),
      workflows: [],
    });
    expect(await read<TaskView>(`/workflow-tasks/${created.id}`, asManager)).toEqual(created);
    const listed = await read<List<TaskView>>('/workflow-tasks', asManager);
    expect(listed.items).toContainEqual(created);

    const patched = await expectJson<TaskView>(
      await request(asManager, 'PATCH', `/workflow-tasks/${created.id}`, {
        name: 'Legal sign-off',
        groups: [chiefs, legal],
      }),
      200,
      'PATCH task',
    );
    expect(patched).toMatchObject({ name: 'Legal sign-off', active: true });
    expect(patched.groups.map((group) => group.id).sort()).toEqual([chiefs, legal].sort());
    const deactivated = await expectJson<TaskView>(
      await request(asManager, 'PATCH', `/workflow-tasks/${created.id}`, { active: false }),
      200,
      'deactivate task',
    );
    expect(deactivated).toMatchObject({ name: 'Legal sign-off', active: false });
    expect(await read<TaskView>(`/workflow-tasks/${created.id}`)).toEqual(deactivated);
    expect(await auditOf(created.id)).toEqual([
      'workflow_tasks.created workflow_task manager',
      'workflow_tasks.updated workflow_task manager',
      'workflow_tasks.updated workflow_task manager',
    ]);
  });

  it('creates, shows, lists, reorders, updates and deletes a workflow with manage_workflows, auditing each change', async () => {
    const first = await createTask(app, asManager, { name: 'First check', groups: [legal] });
    const second = await createTask(app, asManager, { name: 'Second check', groups: [chiefs] });
    const created = await createWorkflow(app, asManager, {
      name: 'Two checks',
      tasks: [first.id, second.id],
    });
    expect(created).toMatchObject({
      id: expect.any(String),
      name: 'Two checks',
      active: true,
      allowBypass: true,
      resubmitFrom: 'current_task',
      isDefault: false,
      pages: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(created.tasks.map((task) => task.id)).toEqual([first.id, second.id]);
    expect(await read<WorkflowView>(`/workflows/${created.id}`, asManager)).toEqual(created);
    const listed = await read<List<WorkflowView>>('/workflows', asManager);
    expect(listed.items.map((workflow) => workflow.id)).toContain(created.id);
    expect((await read<TaskView>(`/workflow-tasks/${first.id}`)).workflows).toEqual([
      { id: created.id, name: 'Two checks' },
    ]);

    const reordered = await updateWorkflow(app, asManager, created.id, {
      tasks: [second.id, first.id],
      allowBypass: false,
      resubmitFrom: 'first_task',
      name: 'Two checks, reversed',
    });
    expect(reordered).toMatchObject({
      name: 'Two checks, reversed',
      allowBypass: false,
      resubmitFrom: 'first_task',
      active: true,
    });
    expect(reordered.tasks.map((task) => task.id)).toEqual([second.id, first.id]);
    const shortened = await updateWorkflow(app, asManager, created.id, { tasks: [second.id] });
    expect(shortened.tasks.map((task) => task.id)).toEqual([second.id]);
    expect((await read<TaskView>(`/workflow-tasks/${first.id}`)).workflows).toEqual([]);

    const deleted = await request(asManager, 'DELETE', `/workflows/${created.id}`);
    expect(deleted.status).toBe(204);
    await expectRefusal(
      await request(asManager, 'GET', `/workflows/${created.id}`),
      404,
      'workflow-not-found',
    );
    // Tasks outlive the workflows they were in.
    expect((await read<TaskView>(`/workflow-tasks/${second.id}`)).workflows).toEqual([]);
    expect(await auditOf(created.id)).toEqual([
      'workflows.created workflow manager',
      'workflows.updated workflow manager',
      'workflows.updated workflow manager',
      'workflows.deleted workflow manager',
    ]);
  });

  it('refuses every write to an editor without manage_workflows (403), to anonymous callers (401) and to a read-only token (403), changing nothing', async () => {
    const task = await createTask(app, asAdmin, { name: 'Guarded task', groups: [legal] });
    const workflow = await createWorkflow(app, asAdmin, {
      name: 'Guarded workflow',
      tasks: [task.id],
    });
    await assignWorkflow(app, asAdmin, workflow.id, ids.guarded);
    const before = await snapshot();
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/workflows', { name: 'Sneaky' }],
      ['PATCH', `/workflows/${workflow.id}`, { name: 'Renamed' }],
      ['PATCH', `/workflows/${workflow.id}`, { active: false }],
      ['DELETE', `/workflows/${workflow.id}`, undefined],
      ['PUT', `/workflows/${workflow.id}/pages/${ids.blog}`, undefined],
      ['DELETE', `/workflows/${workflow.id}/pages/${ids.guarded}`, undefined],
      ['POST', '/workflow-tasks', { name: 'Sneaky task', groups: [legal] }],
      ['PATCH', `/workflow-tasks/${task.id}`, { name: 'Renamed task' }],
      ['PATCH', `/workflow-tasks/${task.id}`, { groups: [chiefs] }],
    ];
    for (const [method, path, body] of writes) {
      await expectRefusal(await request(asEditor, method, path, body), 403, 'permission-denied');
      await expectRefusal(await request({}, method, path, body), 401, 'authentication-required');
    }
    // manage_workflows through a read-only API token is not enough either.
    const readOnly = await app.finch.app
      .get(ApiTokensService)
      .create(managerId, { name: 'reader', scopes: ['read'] });
    await expectProblem(
      await request(bearer(readOnly.token), 'POST', '/workflows', { name: 'By token' }),
      403,
    );
    expect(await snapshot()).toEqual(before);
    expect((await pageWorkflow(app, asAdmin, ids.blog)).workflow?.id).not.toBe(workflow.id);
  });

  it('answers malformed ids with 400 and unknown ones with 404 naming what is missing', async () => {
    const workflow = await createWorkflow(app, asAdmin, { name: 'Id checks' });
    const task = await createTask(app, asAdmin, { name: 'Id check task', groups: [legal] });
    const before = await snapshot();
    for (const [method, path, body] of [
      ['GET', '/workflows/not-a-uuid', undefined],
      ['PATCH', '/workflows/not-a-uuid', { name: 'x' }],
      ['DELETE', '/workflows/not-a-uuid', undefined],
      ['PUT', `/workflows/not-a-uuid/pages/${ids.blog}`, undefined],
      ['PUT', `/workflows/${workflow.id}/pages/not-a-uuid`, undefined],
      ['DELETE', `/workflows/${workflow.id}/pages/not-a-uuid`, undefined],
      ['GET', '/workflow-tasks/not-a-uuid', undefined],
      ['PATCH', '/workflow-tasks/not-a-uuid', { name: 'x' }],
      ['GET', `/pages/not-a-uuid/workflow`, undefined],
    ] as Array<[string, string, unknown]>) {
      const response = await request(asAdmin, method, path, body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 400 });
      await expectProblem(response, 400);
    }
    for (const [method, path, body, slug] of [
      ['GET', `/workflows/${NO_SUCH_ID}`, undefined, 'workflow-not-found'],
      ['PATCH', `/workflows/${NO_SUCH_ID}`, { name: 'x' }, 'workflow-not-found'],
      ['DELETE', `/workflows/${NO_SUCH_ID}`, undefined, 'workflow-not-found'],
      ['PUT', `/workflows/${NO_SUCH_ID}/pages/${ids.blog}`, undefined, 'workflow-not-found'],
      ['PUT', `/workflows/${workflow.id}/pages/${NO_SUCH_ID}`, undefined, 'page-not-found'],
      ['GET', `/workflow-tasks/${NO_SUCH_ID}`, undefined, 'workflow-task-not-found'],
      ['PATCH', `/workflow-tasks/${NO_SUCH_ID}`, { name: 'x' }, 'workflow-task-not-found'],
      ['GET', `/pages/${NO_SUCH_ID}/workflow`, undefined, 'page-not-found'],
    ] as Array<[string, string, unknown, string]>) {
      const response = await request(asAdmin, method, path, body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      await expectRefusal(response, 404, slug);
    }
    expect(await snapshot()).toEqual(before);
    expect(await read<TaskView>(`/workflow-tasks/${task.id}`)).toMatchObject({
      name: 'Id check task',
    });
  });

  it('refuses unknown properties, empty, blank, too long and NUL-bearing names and bad values with 400 naming the field', async () => {
    const workflow = await createWorkflow(app, asAdmin, { name: 'Validated' });
    const task = await createTask(app, asAdmin, { name: 'Validated task', groups: [legal] });
    const before = await snapshot();
    const longName = 'n'.repeat(256);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/workflows', { name: 'Extra', id: NO_SUCH_ID }, 'id'],
      ['POST', '/workflows', { name: 'Extra', createdAt: '2020-01-01T00:00:00Z' }, 'createdAt'],
      ['POST', '/workflows', { name: 'Extra', pages: [ids.blog] }, 'pages'],
      ['POST', '/workflows', {}, 'name'],
      ['POST', '/workflows', { name: '' }, 'name'],
      ['POST', '/workflows', { name: '   ' }, 'name'],
      ['POST', '/workflows', { name: longName }, 'name'],
      ['POST', '/workflows', { name: 'Nul\u0000name' }, 'name'],
      ['POST', '/workflows', { name: 42 }, 'name'],
      ['POST', '/workflows', { name: 'Bad bypass', allowBypass: 'yes' }, 'allowBypass'],
      ['POST', '/workflows', { name: 'Bad resubmit', resubmitFrom: 'never' }, 'resubmitFrom'],
      ['POST', '/workflows', { name: 'Bad default', isDefault: 1 }, 'isDefault'],
      ['POST', '/workflows', { name: 'Bad tasks', tasks: 'all' }, 'tasks'],
      ['PATCH', `/workflows/${workflow.id}`, { name: '' }, 'name'],
      ['PATCH', `/workflows/${workflow.id}`, { name: longName }, 'name'],
      ['PATCH', `/workflows/${workflow.id}`, { name: 'a\u0000' }, 'name'],
      ['PATCH', `/workflows/${workflow.id}`, { active: 'no' }, 'active'],
      ['PATCH', `/workflows/${workflow.id}`, { isDefault: true, extra: 1 }, 'extra'],
      ['POST', '/workflow-tasks', { name: 'No groups' }, 'groups'],
      ['POST', '/workflow-tasks', { name: 'Extra', groups: [legal], workflows: [] }, 'workflows'],
      ['POST', '/workflow-tasks', { name: '', groups: [legal] }, 'name'],
      ['POST', '/workflow-tasks', { name: ' ', groups: [legal] }, 'name'],
      ['POST', '/workflow-tasks', { name: longName, groups: [legal] }, 'name'],
      ['POST', '/workflow-tasks', { name: 'x\u0000y', groups: [legal] }, 'name'],
      ['POST', '/workflow-tasks', { name: 'Bad type', type: 'coin_toss', groups: [legal] }, 'type'],
      ['POST', '/workflow-tasks', { name: 'Bad groups', groups: legal }, 'groups'],
      ['PATCH', `/workflow-tasks/${task.id}`, { type: 'group_approval' }, 'type'],
      ['PATCH', `/workflow-tasks/${task.id}`, { name: '' }, 'name'],
      ['PATCH', `/workflow-tasks/${task.id}`, { name: 'ok', id: NO_SUCH_ID }, 'id'],
      ['PATCH', `/workflow-tasks/${task.id}`, { name: '\u0000' }, 'name'],
    ];
    // Every case is tried before any is judged, so one run names every input let through.
    const answers: Array<{ request: string; status: number; named: boolean }> = [];
    for (const [method, path, body, field] of cases) {
      const response = await request(asManager, method, path, body);
      const text = await response.text();
      const problem = (response.status === 400 ? JSON.parse(text) : {}) as Problem;
      answers.push({
        request: `${method} ${path} ${JSON.stringify(body).slice(0, 60)}`,
        status: response.status,
        named: (problem.errors ?? []).some((error) => error.path.startsWith(field)),
      });
    }
    expect(answers.filter((answer) => answer.status !== 400 || !answer.named)).toEqual([]);
    const malformedTaskIds = await expectProblem(
      await request(asManager, 'POST', '/workflows', { name: 'Bad ids', tasks: ['nope'] }),
      400,
    );
    expect(malformedTaskIds.errors?.map((error) => error.path).join(' ')).toContain('tasks');
    expect(await snapshot()).toEqual(before);

    // 255 characters is the limit, not beyond it.
    const longest = await createWorkflow(app, asManager, { name: 'w'.repeat(255) });
    expect(longest.name).toHaveLength(255);
  });

  it('refuses a workflow name already taken, whatever its case (409 workflow-name-taken), on create and rename', async () => {
    const taken = await createWorkflow(app, asManager, { name: 'Legal flow' });
    const other = await createWorkflow(app, asManager, { name: 'Other flow' });
    const before = await snapshot();
    await expectRefusal(
      await request(asManager, 'POST', '/workflows', { name: 'Legal flow' }),
      409,
      'workflow-name-taken',
    );
    await expectRefusal(
      await request(asManager, 'POST', '/workflows', { name: 'LEGAL FLOW' }),
      409,
      'workflow-name-taken',
    );
    // Surrounding spaces make no other name (groups trim names the same way).
    await expectRefusal(
      await request(asManager, 'POST', '/workflows', { name: ' Legal flow ' }),
      409,
      'workflow-name-taken',
    );
    await expectRefusal(
      await request(asManager, 'PATCH', `/workflows/${other.id}`, { name: 'legal Flow' }),
      409,
      'workflow-name-taken',
    );
    expect(await snapshot()).toEqual(before);
    // Renaming to its own name is no conflict.
    expect((await updateWorkflow(app, asManager, taken.id, { name: 'Legal flow' })).name).toBe(
      'Legal flow',
    );
  });

  it('refuses unknown groups (400 naming groups[i]) and unknown or repeated tasks (400 naming tasks[i]), creating nothing', async () => {
    const task = await createTask(app, asManager, { name: 'Known task', groups: [legal] });
    const workflow = await createWorkflow(app, asManager, { name: 'Known workflow' });
    const before = await snapshot();
    await expectInvalid(
      await request(asManager, 'POST', '/workflow-tasks', { name: 'Ghosts', groups: [NO_SUCH_ID] }),
      'groups[0]',
    );
    await expectInvalid(
      await request(asManager, 'POST', '/workflow-tasks', {
        name: 'Ghosts',
        groups: [legal, NO_SUCH_ID],
      }),
      'groups[1]',
    );
    await expectInvalid(
      await request(asManager, 'PATCH', `/workflow-tasks/${task.id}`, { groups: [NO_SUCH_ID] }),
      'groups[0]',
    );
    await expectInvalid(
      await request(asManager, 'POST', '/workflows', { name: 'Ghost tasks', tasks: [NO_SUCH_ID] }),
      'tasks[0]',
    );
    await expectInvalid(
      await request(asManager, 'POST', '/workflows', {
        name: 'Ghost tasks',
        tasks: [task.id, NO_SUCH_ID],
      }),
      'tasks[1]',
    );
    await expectInvalid(
      await request(asManager, 'PATCH', `/workflows/${workflow.id}`, { tasks: [NO_SUCH_ID] }),
      'tasks[0]',
    );
    const repeated = await expectProblem(
      await request(asManager, 'POST', '/workflows', {
        name: 'Repeated',
        tasks: [task.id, task.id],
      }),
      400,
    );
    expect(repeated.errors?.map((error) => error.path).join(' ')).toContain('tasks');
    await expectProblem(
      await request(asManager, 'PATCH', `/workflows/${workflow.id}`, { tasks: [task.id, task.id] }),
      400,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers oversized and malformed bodies with problems, changing nothing', async () => {
    const before = await snapshot();
    const oversized = await request(asManager, 'POST', '/workflows', {
      name: 'x'.repeat(app.config.bodyLimit + 10),
    });
    expect(oversized.status).toBeGreaterThanOrEqual(400);
    expect(oversized.status).toBeLessThan(500);
    await expectProblem(oversized, oversized.status);
    const oversizedTask = await request(asManager, 'POST', '/workflow-tasks', {
      name: 'Many groups',
      groups: Array.from({ length: app.config.bodyLimit / 30 }, () => legal),
    });
    expect(oversizedTask.status).toBeGreaterThanOrEqual(400);
    expect(oversizedTask.status).toBeLessThan(500);
    await expectProblem(oversizedTask, oversizedTask.status);
    await expectProblem(
      await request(asManager, 'POST', '/workflows', '{"name": "unterminated'),
      400,
    );
    await expectProblem(await request(asManager, 'POST', '/workflows', '[1, 2]'), 400);
    await expectProblem(await request(asManager, 'POST', '/workflows', 'null'), 400);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps a single default workflow: a new default replaces the old one', async () => {
    const first = await createWorkflow(app, asManager, { name: 'Default one', isDefault: true });
    expect(first.isDefault).toBe(true);
    const second = await createWorkflow(app, asManager, { name: 'Default two', isDefault: true });
    expect(second.isDefault).toBe(true);
    expect((await read<WorkflowView>(`/workflows/${first.id}`)).isDefault).toBe(false);
    const defaults = async () =>
      (await read<List<WorkflowView>>('/workflows')).items
        .filter((workflow) => workflow.isDefault)
        .map((workflow) => workflow.id);
    expect(await defaults()).toEqual([second.id]);

    await updateWorkflow(app, asManager, first.id, { isDefault: true });
    expect(await defaults()).toEqual([first.id]);
    await updateWorkflow(app, asManager, first.id, { isDefault: false });
    expect(await defaults()).toEqual([]);
  });

  it('applies the nearest assignment to a deep page, the default elsewhere, and no workflow without either', async () => {
    const site = await createWorkflow(app, asManager, { name: 'Site flow' });
    const blog = await createWorkflow(app, asManager, { name: 'Blog flow' });
    const fallback = await createWorkflow(app, asManager, { name: 'Fallback', isDefault: true });
    const assignedSite = await assignWorkflow(app, asManager, site.id, ids.home);
    expect(assignedSite.pages).toEqual([{ id: ids.home, title: 'Home', urlPath: '/home/' }]);
    const assignedBlog = await assignWorkflow(app, asManager, blog.id, ids.blog);
    expect(assignedBlog.pages).toEqual([{ id: ids.blog, title: 'Blog', urlPath: '/home/blog/' }]);
    const workflowOf = async (page: string) =>
      (await pageWorkflow(app, asEditor, ids[page])).workflow?.id ?? null;

    expect(await workflowOf('deep')).toBe(blog.id);
    expect(await workflowOf('post')).toBe(blog.id);
    expect(await workflowOf('blog')).toBe(blog.id);
    expect(await workflowOf('about')).toBe(site.id);
    expect(await workflowOf('home')).toBe(site.id);
    expect(await workflowOf('elsewhere')).toBe(fallback.id);

    // A page has one assignment: assigning another workflow to the blog replaces it.
    await assignWorkflow(app, asManager, site.id, ids.blog);
    expect((await read<WorkflowView>(`/workflows/${blog.id}`)).pages).toEqual([]);
    expect(
      (await read<WorkflowView>(`/workflows/${site.id}`)).pages.map((page) => page.id).sort(),
    ).toEqual([ids.home, ids.blog].sort());
    expect(await workflowOf('deep')).toBe(site.id);

    expect(
      (await request(asManager, 'DELETE', `/workflows/${site.id}/pages/${ids.blog}`)).status,
    ).toBe(204);
    expect(await workflowOf('deep')).toBe(site.id);
    expect(
      (await request(asManager, 'DELETE', `/workflows/${site.id}/pages/${ids.home}`)).status,
    ).toBe(204);
    expect(await workflowOf('deep')).toBe(fallback.id);
    expect(await workflowOf('home')).toBe(fallback.id);

    await updateWorkflow(app, asManager, fallback.id, { isDefault: false });
    expect(await workflowOf('deep')).toBeNull();
    expect(await workflowOf('elsewhere')).toBeNull();

    expect((await auditOf(blog.id)).slice(0, 2)).toEqual([
      'workflows.created workflow manager',
      'workflows.assigned workflow manager',
    ]);
    const siteActions = (await auditOf(site.id)).map((entry) => entry.split(' ')[0]);
    expect(siteActions.filter((action) => action === 'workflows.assigned')).toHaveLength(2);
    expect(siteActions.filter((action) => action === 'workflows.unassigned')).toHaveLength(2);
  });

  it('refuses to assign a workflow to a missing page (404) and assigns nothing', async () => {
    const workflow = await createWorkflow(app, asManager, { name: 'Nowhere flow' });
    const before = await snapshot();
    await expectRefusal(
      await request(asManager, 'PUT', `/workflows/${workflow.id}/pages/${NO_SUCH_ID}`),
      404,
      'page-not-found',
    );
    expect(await snapshot()).toEqual(before);
    expect((await read<WorkflowView>(`/workflows/${workflow.id}`)).pages).toEqual([]);
    const [{ count }] = await db.query<Array<{ count: number }>>(
      'SELECT count(*)::int AS count FROM workflow_pages WHERE workflow_id = $1',
      [workflow.id],
    );
    expect(count).toBe(0);
  });

  it('refuses to delete a workflow once used (409 workflow-in-use), even after the submission ended, and deletes an unused one with its assignments', async () => {
    const task = await createTask(app, asManager, { name: 'Archive check', groups: [legal] });
    const used = await createWorkflow(app, asManager, { name: 'Archive flow', tasks: [task.id] });
    await assignWorkflow(app, asManager, used.id, ids.archive);
    await submit(app, asEditor, ids.archived);
    await cancel(app, asEditor, ids.archived);

    const before = await snapshot();
    await expectRefusal(
      await request(asManager, 'DELETE', `/workflows/${used.id}`),
      409,
      'workflow-in-use',
    );
    expect(await snapshot()).toEqual(before);
    expect(await read<WorkflowView>(`/workflows/${used.id}`)).toMatchObject({
      id: used.id,
      pages: [{ id: ids.archive }],
    });
    // Deactivating is the way out.
    expect((await updateWorkflow(app, asManager, used.id, { active: false })).active).toBe(false);

    const unused = await createWorkflow(app, asManager, { name: 'Unused flow', tasks: [task.id] });
    await assignWorkflow(app, asManager, unused.id, ids.about);
    expect((await pageWorkflow(app, asAdmin, ids.about)).workflow?.id).toBe(unused.id);
    expect((await request(asManager, 'DELETE', `/workflows/${unused.id}`)).status).toBe(204);
    expect((await pageWorkflow(app, asAdmin, ids.about)).workflow?.id).not.toBe(unused.id);
    expect((await read<TaskView>(`/workflow-tasks/${task.id}`)).workflows).toEqual([
      { id: used.id, name: 'Archive flow' },
    ]);
  });
});
