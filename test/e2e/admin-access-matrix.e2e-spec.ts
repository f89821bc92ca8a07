import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MANAGE_USERS } from '#src/accounts/accounts.permissions.js';
import { GroupsService } from '#src/accounts/groups.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { expectProblem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

type Role = 'anonymous' | 'plain user' | 'editor' | 'moderator' | 'user manager' | 'superuser';
const ROLES: Role[] = [
  'anonymous',
  'plain user',
  'editor',
  'moderator',
  'user manager',
  'superuser',
];
const SYSTEM = { actorId: null };

interface CallSpec {
  path: string;
  method: string;
  body?: unknown;
}

interface Endpoint {
  name: string;
  /** The roles that may call it; every other signed-in role gets 403, anonymous 401. */
  allowed: Role[];
  request(): CallSpec | Promise<CallSpec>;
  /** What the call would change, read from the database; equal before and after a refusal. */
  snapshot?: () => Promise<unknown>;
}

const unique = () => randomBytes(4).toString('hex');
const USERS: Role[] = ['user manager', 'superuser'];
const SUPERUSER: Role[] = ['superuser'];

describe('who may call each management endpoint', () => {
  let app: TestApp;
  let db: DataSource;
  let groups: GroupsService;
  const headers = new Map<Role, Record<string, string>>();
  let targetId: string;
  let targetGroupId: string;
  let lastInvited = '';
  let lastCreatedGroup = '';
  let doomedGroupId = '';

  const query = (sql: string, parameters: unknown[]) => db.query<unknown[]>(sql, parameters);

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    groups = app.finch.app.get(GroupsService);
    const editors = await groups.findByName('Editors');
    const moderators = await groups.findByName('Moderators');
    const userManagers = await groups.create(
      { name: 'User managers', permissions: [MANAGE_USERS] },
      SYSTEM,
    );
    const members: Array<[Role, string | undefined, boolean]> = [
      ['plain user', undefined, false],
      ['editor', editors!.id, false],
      ['moderator', moderators!.id, false],
      ['user manager', userManagers.id, false],
      ['superuser', undefined, true],
    ];
    for (const [role, groupId, isSuperuser] of members) {
      const user = await createUser(app, { isSuperuser });
      if (groupId) await groups.addMember(groupId, user.id, SYSTEM);
      headers.set(role, bearer((await signIn(app, user.email, TEST_PASSWORD)).accessToken));
    }
    headers.set('anonymous', {});
    targetId = (await createUser(app, { name: 'Target' })).id;
    targetGroupId = (await groups.create({ name: 'Target group' }, SYSTEM)).id;
  });
  afterAll(async () => {
    await app?.close();
  });

  const endpoints: Endpoint[] = [
    {
      name: 'GET /api/admin/users',
      allowed: USERS,
      request: () => ({ method: 'GET', path: '/api/admin/users' }),
    },
    {
      name: 'GET /api/admin/users/:id',
      allowed: USERS,
      request: () => ({ method: 'GET', path: `/api/admin/users/${targetId}` }),
    },
    {
      name: 'POST /api/admin/users/invite',
      allowed: USERS,
      request: () => {
        lastInvited = `invited-${unique()}@example.com`;
        return {
          method: 'POST',
          path: '/api/admin/users/invite',
          body: { email: lastInvited, name: 'Invited' },
        };
      },
      snapshot: () => query('SELECT id FROM users WHERE email = $1', [lastInvited]),
    },
    {
      name: 'PATCH /api/admin/users/:id',
      allowed: USERS,
      request: () => ({
        method: 'PATCH',
        path: `/api/admin/users/${targetId}`,
        body: { name: `Renamed ${unique()}`, isActive: true },
      }),
      snapshot: () =>
        query('SELECT name, is_active, is_superuser FROM users WHERE id = $1', [targetId]),
    },
    {
      name: 'PUT /api/admin/users/:id/groups',
      allowed: USERS,
      request: async () => {
        const current = await groups.groupsOf(targetId);
        // Flip membership of the target group, so an allowed call always changes something.
        const groupIds = current.length > 0 ? [] : [targetGroupId];
        return { method: 'PUT', path: `/api/admin/users/${targetId}/groups`, body: { groupIds } };
      },
      snapshot: () => query('SELECT group_id FROM user_groups WHERE user_id = $1', [targetId]),
    },
    {
      name: 'GET /api/admin/groups',
      allowed: SUPERUSER,
      request: () => ({ method: 'GET', path: '/api/admin/groups' }),
    },
    {
      name: 'POST /api/admin/groups',
      allowed: SUPERUSER,
      request: () => {
        lastCreatedGroup = `Group ${unique()}`;
        return { method: 'POST', path: '/api/admin/groups', body: { name: lastCreatedGroup } };
      },
      snapshot: () => query('SELECT id FROM groups WHERE name = $1', [lastCreatedGroup]),
    },
    {
      name: 'GET /api/admin/groups/:id',
      allowed: SUPERUSER,
      request: () => ({ method: 'GET', path: `/api/admin/groups/${targetGroupId}` }),
    },
    {
      name: 'PATCH /api/admin/groups/:id',
      allowed: SUPERUSER,
      request: () => ({
        method: 'PATCH',
        path: `/api/admin/groups/${targetGroupId}`,
        body: { name: `Target group ${unique()}` },
      }),
      snapshot: () => query('SELECT name FROM groups WHERE id = $1', [targetGroupId]),
    },
    {
      name: 'PUT /api/admin/groups/:id/permissions',
      allowed: SUPERUSER,
      request: async () => {
        const granted = (await groups.get(targetGroupId)).permissions;
        return {
          method: 'PUT',
          path: `/api/admin/groups/${targetGroupId}/permissions`,
          body: { codenames: granted.length > 0 ? [] : ['view_audit_log'] },
        };
      },
      snapshot: () =>
        query('SELECT codename FROM group_permissions WHERE group_id = $1', [targetGroupId]),
    },
    {
      name: 'DELETE /api/admin/groups/:id',
      allowed: SUPERUSER,
      request: async () => {
        doomedGroupId = (await groups.create({ name: `Doomed ${unique()}` }, SYSTEM)).id;
        return { method: 'DELETE', path: `/api/admin/groups/${doomedGroupId}` };
      },
      snapshot: () => query('SELECT id, name FROM groups WHERE id = $1', [doomedGroupId]),
    },
    {
      name: 'GET /api/admin/audit-log',
      allowed: SUPERUSER,
      request: () => ({ method: 'GET', path: '/api/admin/audit-log' }),
    },
    {
      name: 'GET /api/admin/permissions/explain',
      allowed: USERS,
      request: () => ({
        method: 'GET',
        path: `/api/admin/permissions/explain?user=${targetId}&permission=manage_users`,
      }),
    },
    {
      name: 'GET /api/admin/jobs/queues',
      allowed: SUPERUSER,
      request: () => ({ method: 'GET', path: '/api/admin/jobs/queues' }),
    },
  ];

  describe.each(endpoints)('$name', (endpoint) => {
    it.each(ROLES)(
      'as %s: allowed or refused as documented, and a refusal changes nothing',
      async (role) => {
        const { method, path, body } = await endpoint.request();
        const before = await endpoint.snapshot?.();
        const response = await fetch(`${app.baseUrl}${path}`, {
          method,
          headers: {
            ...headers.get(role),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (endpoint.allowed.includes(role)) {
          const status = response.status;
          expect({ role, status, body: await response.text() }).toMatchObject({
            status: [200, 201, 204].includes(status) ? status : 'a 2xx status',
          });
          return;
        }
        await expectProblem(response, role === 'anonymous' ? 401 : 403);
        if (endpoint.snapshot) expect(await endpoint.snapshot()).toEqual(before);
      },
    );
  });
});
