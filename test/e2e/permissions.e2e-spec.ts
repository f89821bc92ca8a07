import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  GroupNameTakenError,
  GroupNotFoundError,
  UserNotFoundError,
} from '#src/accounts/accounts.errors.js';
import { GroupsService, type GroupView } from '#src/accounts/groups.service.js';
import { UnknownPermissionError } from '#src/accounts/permission-registry.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import type { AuditActor } from '#src/audit/audit.service.js';
import { requestContext } from '#src/logging/request-context.js';
import {
  MisspelledPermissionModule,
  widgetQuestions,
  WidgetPermissionsModule,
} from '#test/fixtures/widget-permissions.module.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { expectProblem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const REGISTERED = ['manage_groups', 'manage_jobs', 'manage_users', 'view_audit_log'];

interface AuditRow {
  actor_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  data: Record<string, unknown>;
  ip: string;
}

describe('permissions', () => {
  let app: TestApp;
  let groups: GroupsService;
  let permissions: PermissionsService;
  let dataSource: DataSource;
  let superuser: TestUser;
  let plain: TestUser;
  let editor: TestUser;
  let userManager: TestUser;
  let userManagers: GroupView;
  let tokens: Record<'superuser' | 'plain' | 'editor' | 'userManager', string>;
  const system: AuditActor = { actorId: null, ip: '203.0.113.9' };

  /** Runs `work` as if handling one HTTP request (what caches grants for that request). */
  const inRequest = <T>(work: () => Promise<T>) =>
    requestContext.run({ requestId: `test-${Math.random()}` }, work);

  const auditOf = (objectId: string) =>
    dataSource.query<AuditRow[]>(
      `SELECT actor_id, action, object_type, object_id, data, ip FROM audit_log
        WHERE object_id = $1 ORDER BY id`,
      [objectId],
    );

  beforeAll(async () => {
    app = await startTestApp({}, { imports: [WidgetPermissionsModule] });
    groups = app.finch.app.get(GroupsService);
    permissions = app.finch.app.get(PermissionsService);
    dataSource = app.finch.app.get(DataSource);
    superuser = await createUser(app, { name: 'Super', isSuperuser: true });
    plain = await createUser(app, { name: 'Plain' });
    editor = await createUser(app, { name: 'Editor' });
    userManager = await createUser(app, { name: 'User manager' });
    const editors = await groups.findByName('Editors');
    await groups.addMember(editors!.id, editor.id, system);
    userManagers = await groups.create(
      { name: 'User managers', permissions: ['manage_users'] },
      system,
    );
    await groups.addMember(userManagers.id, userManager.id, system);
    const sign = async (user: TestUser) =>
      (await signIn(app, user.email, TEST_PASSWORD)).accessToken;
    tokens = {
      superuser: await sign(superuser),
      plain: await sign(plain),
      editor: await sign(editor),
      userManager: await sign(userManager),
    };
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('the registry and the default groups', () => {
    it('lists the registered permissions to any signed-in user, and to nobody else', async () => {
      const anonymous = await fetch(`${app.baseUrl}/api/admin/permissions`);
      await expectProblem(anonymous, 401);
      const response = await fetch(`${app.baseUrl}/api/admin/permissions`, {
        headers: bearer(tokens.plain),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        meta: { total_count: number };
        items: Array<{ codename: string; label: string; description: string; module: string }>;
      };
      expect(body.items.map((item) => item.codename)).toEqual(expect.arrayContaining(REGISTERED));
      expect(body.meta.total_count).toBe(body.items.length);
      expect(body.items.find((item) => item.codename === 'view_audit_log')).toEqual({
        codename: 'view_audit_log',
        label: 'View the audit log',
        description: expect.stringMatching(/\S/),
        module: 'audit',
      });
      expect(body.items.find((item) => item.codename === 'manage_jobs')?.module).toBe('jobs');
      expect(body.items.find((item) => item.codename === 'manage_users')?.module).toBe('accounts');
    });

    it('seeds Editors and Moderators with content permissions and none of the administrative ones', async () => {
      const seeded = (await groups.list()).filter((group) =>
        ['Editors', 'Moderators'].includes(group.name),
      );
      const editing = ['add_page', 'add_snippet', 'change_page', 'change_snippet'];
      expect(seeded.map((group) => [group.name, group.permissions])).toEqual([
        ['Editors', [...editing, 'delete_snippet', 'lock_page', 'lock_snippet']],
        [
          'Moderators',
          [
            ...editing,
            'delete_page',
            'delete_snippet',
            'lock_page',
            'lock_snippet',
            'publish_page',
            'publish_snippet',
            'unlock_page',
            'unlock_snippet',
          ],
        ],
      ]);
      const administrative = ['manage_users', 'manage_groups', 'view_audit_log', 'manage_jobs'];
      for (const group of seeded) {
        expect(group.permissions.filter((codename) => administrative.includes(codename))).toEqual(
          [],
        );
      }
    });
  });

  describe('PermissionsService with real groups', () => {
    it('grants a user the union of their groups’ permissions, naming every group that grants one', async () => {
      const user = await createUser(app);
      const auditors = await groups.create(
        { name: 'Auditors', permissions: ['view_audit_log'] },
        system,
      );
      const admins = await groups.create(
        { name: 'Admins', permissions: ['manage_users', 'manage_groups'] },
        system,
      );
      for (const group of [auditors, admins, userManagers])
        await groups.addMember(group.id, user.id, system);

      expect(await permissions.permissionsOf(user)).toEqual([
        'manage_groups',
        'manage_users',
        'view_audit_log',
      ]);
      expect(await permissions.can(user, 'view_audit_log')).toBe(true);
      expect(await permissions.can(user, 'manage_jobs')).toBe(false);
      expect(await permissions.explain(user, 'manage_users')).toEqual({
        allowed: true,
        permission: 'manage_users',
        reasons: [
          {
            code: 'granted_by_group',
            message: 'Granted by the group "Admins".',
            group: { id: admins.id, name: 'Admins' },
          },
          {
            code: 'granted_by_group',
            message: 'Granted by the group "User managers".',
            group: { id: userManagers.id, name: 'User managers' },
          },
        ],
      });
      expect(await permissions.explain(user, 'manage_jobs')).toEqual({
        allowed: false,
        permission: 'manage_jobs',
        reasons: [
          {
            code: 'no_group_grants',
            message:
              'Not granted: none of the user\'s groups (Admins, Auditors, User managers) grants "manage_jobs".',
          },
        ],
      });
    });

    it('says why a user in no group may not', async () => {
      expect(await permissions.explain(plain, 'manage_users')).toEqual({
        allowed: false,
        permission: 'manage_users',
        reasons: [
          {
            code: 'no_group_grants',
            message:
              'Not granted: the user belongs to no group, and "manage_users" is granted only through groups.',
          },
        ],
      });
      expect(await permissions.permissionsOf(plain)).toEqual([]);
    });

    it('lets a superuser do everything registered, and a deactivated user nothing', async () => {
      expect(await permissions.explain(superuser, 'manage_jobs')).toMatchObject({
        allowed: true,
        reasons: [{ code: 'superuser' }],
      });
      expect(await permissions.permissionsOf(superuser)).toEqual(
        expect.arrayContaining(REGISTERED),
      );
      expect(
        await permissions.explain({ ...superuser, isActive: false }, 'manage_jobs'),
      ).toMatchObject({
        allowed: false,
        reasons: [{ code: 'inactive' }],
      });
      expect(await permissions.can({ ...userManager, isActive: false }, 'manage_users')).toBe(
        false,
      );
      expect(await permissions.permissionsOf({ ...userManager, isActive: false })).toEqual([]);
    });

    it('refuses a permission nobody registered, even to a superuser', async () => {
      expect(await permissions.explain(superuser, 'launch_rockets')).toEqual({
        allowed: false,
        permission: 'launch_rockets',
        reasons: [
          {
            code: 'unknown_permission',
            message:
              '"launch_rockets" is not a registered permission: no module defines it, so nobody holds it, superusers included.',
          },
        ],
      });
    });

    it('lets a registered object resolver decide about its objects, and the group grant decide for types without one', async () => {
      widgetQuestions.length = 0;
      const open = { type: 'widget', id: 'open-1' };
      const closed = { type: 'widget', id: 'shut-1' };
      expect(await permissions.explain(userManager, 'manage_users', open)).toEqual({
        allowed: true,
        permission: 'manage_users',
        object: open,
        reasons: [
          {
            code: 'object_rule',
            message: 'Open widgets may be changed by the group "User managers".',
            group: { id: userManagers.id, name: 'User managers' },
          },
        ],
      });
      expect(await permissions.can(userManager, 'manage_users', closed)).toBe(false);
      expect(await permissions.can(plain, 'manage_users', open)).toBe(false);
      expect(widgetQuestions.map((question) => [question.user.id, question.object.id])).toEqual([
        [userManager.id, 'open-1'],
        [userManager.id, 'shut-1'],
        [plain.id, 'open-1'],
      ]);
      expect(widgetQuestions[0].groups.map((group) => group.name)).toEqual(['User managers']);

      // Superusers and deactivated users are settled before any resolver is asked.
      expect(await permissions.can(superuser, 'manage_users', closed)).toBe(true);
      expect(await permissions.can({ ...userManager, isActive: false }, 'manage_users', open)).toBe(
        false,
      );
      expect(widgetQuestions).toHaveLength(3);

      expect(
        await permissions.explain(userManager, 'manage_users', { type: 'gadget', id: '7' }),
      ).toMatchObject({
        allowed: true,
        object: { type: 'gadget', id: '7' },
        reasons: [{ code: 'no_object_rules' }, { code: 'granted_by_group' }],
      });
    });

    it('loads a user’s grants with one query per request, whatever the number of checks', async () => {
      const query = jest.spyOn(dataSource, 'query');
      const grantQueries = () =>
        query.mock.calls.filter(([sql]) => String(sql).includes('FROM user_groups ug')).length;
      try {
        await inRequest(async () => {
          await permissions.can(userManager, 'manage_users');
          await permissions.can(userManager, 'manage_groups');
          await permissions.explain(userManager, 'view_audit_log');
          await permissions.permissionsOf(userManager);
          await permissions.can(userManager, 'manage_users', { type: 'widget', id: 'open-2' });
        });
        expect(grantQueries()).toBe(1);
        await inRequest(() => permissions.can(userManager, 'manage_users'));
        expect(grantQueries()).toBe(2);
      } finally {
        query.mockRestore();
      }
    });

    it('sees a change made by another server at once: nothing is cached beyond a request', async () => {
      const user = await createUser(app);
      const group = await groups.create({ name: 'Job runners' }, system);
      await groups.addMember(group.id, user.id, system);
      expect(await inRequest(() => permissions.can(user, 'manage_jobs'))).toBe(false);

      // Another replica grants it, through its own connection.
      const replica = new pg.Client({ connectionString: app.finch.database.url });
      await replica.connect();
      try {
        await replica.query(
          `INSERT INTO group_permissions (group_id, codename) VALUES ($1, 'manage_jobs')`,
          [group.id],
        );
      } finally {
        await replica.end();
      }
      expect(await inRequest(() => permissions.can(user, 'manage_jobs'))).toBe(true);

      // A change made during a request is seen by the rest of that request.
      await inRequest(async () => {
        expect(await permissions.can(user, 'manage_jobs')).toBe(true);
        await groups.removeMember(group.id, user.id, system);
        expect(await permissions.can(user, 'manage_jobs')).toBe(false);
      });
    });
  });

  describe('GroupsService', () => {
    it('creates, renames and deletes a group, writing each change to the audit log', async () => {
      const actor: AuditActor = { actorId: superuser.id, ip: '198.51.100.7' };
      const created = await groups.create(
        { name: '  Reviewers ', permissions: ['view_audit_log'] },
        actor,
      );
      expect(created).toMatchObject({
        name: 'Reviewers',
        permissions: ['view_audit_log'],
        memberCount: 0,
      });
      const renamed = await groups.rename(created.id, 'Senior reviewers', actor);
      expect(renamed.name).toBe('Senior reviewers');
      await groups.addMember(created.id, plain.id, actor);
      expect(await permissions.can(plain, 'view_audit_log')).toBe(true);
      await groups.delete(created.id, actor);
      expect(await permissions.can(plain, 'view_audit_log')).toBe(false);
      await expect(groups.get(created.id)).rejects.toBeInstanceOf(GroupNotFoundError);

      expect(await auditOf(created.id)).toEqual([
        {
          actor_id: superuser.id,
          action: 'groups.created',
          object_type: 'group',
          object_id: created.id,
          data: { name: 'Reviewers', permissions: ['view_audit_log'] },
          ip: '198.51.100.7',
        },
        expect.objectContaining({
          action: 'groups.renamed',
          data: { from: 'Reviewers', to: 'Senior reviewers' },
        }),
        expect.objectContaining({ action: 'groups.member_added', data: { userId: plain.id } }),
        expect.objectContaining({
          action: 'groups.deleted',
          data: { name: 'Senior reviewers', permissions: ['view_audit_log'], memberCount: 1 },
        }),
      ]);
    });

    it('sets exactly the given permissions, logging what was added and removed', async () => {
      const group = await groups.create(
        { name: 'Shifting', permissions: ['manage_users', 'manage_jobs'] },
        system,
      );
      const updated = await groups.setPermissions(
        group.id,
        ['manage_jobs', 'view_audit_log', 'view_audit_log'],
        system,
      );
      expect(updated.permissions).toEqual(['manage_jobs', 'view_audit_log']);
      await groups.setPermissions(group.id, ['view_audit_log', 'manage_jobs'], system);
      const entries = (await auditOf(group.id)).filter(
        (entry) => entry.action === 'groups.permissions_changed',
      );
      expect(entries.map((entry) => entry.data)).toEqual([
        { added: ['view_audit_log'], removed: ['manage_users'] },
      ]);
    });

    it('refuses unknown permissions, naming each, and changes nothing', async () => {
      const group = await groups.create({ name: 'Careful', permissions: ['manage_jobs'] }, system);
      const auditBefore = (await auditOf(group.id)).length;
      const error = await groups
        .setPermissions(group.id, ['manage_jobs', 'launch_rockets', 'manage_user'], system)
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(UnknownPermissionError);
      expect((error as UnknownPermissionError).status).toBe(400);
      expect((error as UnknownPermissionError).errors).toEqual([
        { path: 'permissions[1]', message: '"launch_rockets" is not a registered permission' },
        { path: 'permissions[2]', message: '"manage_user" is not a registered permission' },
      ]);
      expect((await groups.get(group.id)).permissions).toEqual(['manage_jobs']);
      expect(await auditOf(group.id)).toHaveLength(auditBefore);

      await expect(
        groups.create({ name: 'Never', permissions: ['drop_tables'] }, system),
      ).rejects.toBeInstanceOf(UnknownPermissionError);
      expect(await groups.findByName('Never')).toBeNull();
    });

    it('refuses a name in use (whatever its case), an empty or overlong one, and unknown ids', async () => {
      await expect(groups.create({ name: 'editors' }, system)).rejects.toBeInstanceOf(
        GroupNameTakenError,
      );
      await expect(groups.create({ name: '   ' }, system)).rejects.toMatchObject({
        status: 400,
        errors: [{ path: 'name', message: 'must not be empty' }],
      });
      await expect(groups.create({ name: 'x'.repeat(151) }, system)).rejects.toMatchObject({
        status: 400,
        errors: [{ path: 'name', message: 'must be at most 150 characters long' }],
      });
      const moderators = await groups.findByName('Moderators');
      await expect(groups.rename(moderators!.id, 'EDITORS', system)).rejects.toBeInstanceOf(
        GroupNameTakenError,
      );
      await expect(groups.rename('not-a-uuid', 'Whatever', system)).rejects.toBeInstanceOf(
        GroupNotFoundError,
      );
      await expect(
        groups.setPermissions('00000000-0000-4000-8000-000000000000', [], system),
      ).rejects.toBeInstanceOf(GroupNotFoundError);
      await expect(
        groups.addMember(moderators!.id, '00000000-0000-4000-8000-000000000000', system),
      ).rejects.toBeInstanceOf(UserNotFoundError);
      expect((await groups.get(moderators!.id)).name).toBe('Moderators');
    });

    it('adds and removes a member once: repeating either changes and logs nothing', async () => {
      const group = await groups.create({ name: 'Members' }, system);
      await groups.addMember(group.id, plain.id, system);
      await groups.addMember(group.id, plain.id, system);
      expect((await groups.get(group.id)).memberCount).toBe(1);
      expect((await groups.groupsOf(plain.id)).map((found) => found.name)).toContain('Members');
      await groups.removeMember(group.id, plain.id, system);
      await groups.removeMember(group.id, plain.id, system);
      expect((await groups.get(group.id)).memberCount).toBe(0);
      expect((await auditOf(group.id)).map((entry) => entry.action)).toEqual([
        'groups.created',
        'groups.member_added',
        'groups.member_removed',
      ]);
    });
  });

  describe('GET /api/admin/permissions/explain', () => {
    const explain = (query: string, token?: string) =>
      fetch(`${app.baseUrl}/api/admin/permissions/explain?${query}`, {
        headers: token ? bearer(token) : {},
      });

    it('is for superusers and holders of manage_users only', async () => {
      const query = `user=${plain.id}&permission=manage_users`;
      await expectProblem(await explain(query), 401);
      await expectProblem(await explain(query, tokens.plain), 403);
      await expectProblem(await explain(query, tokens.editor), 403);
      expect((await explain(query, tokens.userManager)).status).toBe(200);
      expect((await explain(query, tokens.superuser)).status).toBe(200);
    });

    it('explains why a user may or may not, about a permission or one object', async () => {
      const response = await explain(
        `user=${userManager.id}&permission=manage_users`,
        tokens.superuser,
      );
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        user: {
          id: userManager.id,
          email: userManager.email,
          name: 'User manager',
          isActive: true,
          isSuperuser: false,
        },
        allowed: true,
        permission: 'manage_users',
        reasons: [
          {
            code: 'granted_by_group',
            message: 'Granted by the group "User managers".',
            group: { id: userManagers.id, name: 'User managers' },
          },
        ],
      });

      const aboutWidget = await explain(
        `user=${userManager.id}&permission=manage_users&objectType=widget&objectId=shut-9`,
        tokens.userManager,
      );
      expect(await aboutWidget.json()).toMatchObject({
        allowed: false,
        object: { type: 'widget', id: 'shut-9' },
        reasons: [{ code: 'object_rule', message: 'This widget is closed.' }],
      });

      const unknown = await explain(
        `user=${superuser.id}&permission=launch_rockets`,
        tokens.superuser,
      );
      expect(await unknown.json()).toMatchObject({
        allowed: false,
        reasons: [{ code: 'unknown_permission' }],
      });
    });

    it.each([
      ['no user', 'permission=manage_users', 'user'],
      ['a user id that is not a UUID', 'user=1&permission=manage_users', 'user'],
      ['no permission', 'user=00000000-0000-4000-8000-000000000000', 'permission'],
      [
        'a malformed permission',
        'user=00000000-0000-4000-8000-000000000000&permission=DROP%20TABLE%20users',
        'permission',
      ],
      [
        'an overlong permission',
        `user=00000000-0000-4000-8000-000000000000&permission=${'a_'.repeat(60)}b`,
        'permission',
      ],
      [
        'an objectType without objectId',
        'user=00000000-0000-4000-8000-000000000000&permission=manage_users&objectType=page',
        'objectId',
      ],
      [
        'an objectId without objectType',
        'user=00000000-0000-4000-8000-000000000000&permission=manage_users&objectId=4',
        'objectType',
      ],
      [
        'an unknown parameter',
        'user=00000000-0000-4000-8000-000000000000&permission=manage_users&debug=1',
        'debug',
      ],
      [
        'a repeated parameter',
        'user=00000000-0000-4000-8000-000000000000&permission=manage_users&permission=manage_jobs',
        'permission',
      ],
    ])('refuses %s with a 400 naming it', async (_case, query, field) => {
      const problem = await expectProblem(await explain(query, tokens.superuser), 400);
      expect(problem.errors?.map((error) => error.path)).toContain(field);
    });

    it('answers 404 for a user that does not exist', async () => {
      const problem = await expectProblem(
        await explain(
          'user=00000000-0000-4000-8000-000000000000&permission=manage_users',
          tokens.superuser,
        ),
        404,
      );
      expect(problem.type).toBe('urn:finch:problem:user-not-found');
    });
  });
});

describe('the boot check of required permissions', () => {
  it('refuses to start when a route requires a permission no module registers', async () => {
    const failure = await startTestApp({}, { imports: [MisspelledPermissionModule] }).then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toContain('Some routes require permissions that no module registers');
    expect(failure?.message).toContain(
      'MisspelledPermissionController.misspelled requires "manage_user"',
    );
  });
});
