import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import {
  ADD_SNIPPET,
  CHANGE_SNIPPET,
  DELETE_SNIPPET,
  LOCK_SNIPPET,
  PUBLISH_SNIPPET,
  UNLOCK_SNIPPET,
} from '#src/snippets/snippets.permissions.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { SNIPPET_TEST_TYPES } from '#test/fixtures/snippet-content-types.js';

type Role =
  | 'superuser'
  | 'editor'
  | 'publisher'
  | 'locker'
  | 'no grant'
  | 'anonymous'
  | 'read-only token'
  | 'write token';
const ROLES: Role[] = [
  'superuser',
  'editor',
  'publisher',
  'locker',
  'no grant',
  'anonymous',
  'read-only token',
  'write token',
];
const SYSTEM = { actorId: null };

interface CallSpec {
  method: string;
  path: string;
  body?: unknown;
}

interface Snippet {
  id: string;
  latestRevisionId: string;
  status: string;
  lock: { lockedBy: string } | null;
}

describe('snippet permissions, per role and per endpoint', () => {
  let app: TestApp;
  let db: DataSource;
  const headers = new Map<Role, Record<string, string>>();
  const userIds = new Map<Role, string>();
  let admin: Record<string, string>;

  const url = (path: string) => `${app.baseUrl}/api/admin/snippets${path}`;
  const asAdmin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await sendJson(url(path), body ?? {}, { method, headers: admin });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const fresh = () =>
    asAdmin<Snippet>('POST', '/topic', { content: { name: `T ${Math.random()}` } });
  const countRows = async () =>
    (
      await db.query<Array<{ snippets: string; revisions: string; audit: string }>>(
        `SELECT (SELECT count(*) FROM snippets) AS snippets,
                (SELECT count(*) FROM revisions) AS revisions,
                (SELECT count(*) FROM audit_log WHERE action LIKE 'snippets.%') AS audit`,
      )
    )[0];

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    const groups = app.finch.app.get(GroupsService);
    const superuser = await createUser(app, { isSuperuser: true });
    const superSession = await signIn(app, superuser.email, TEST_PASSWORD);
    admin = bearer(superSession.accessToken);
    await applyContentTypes(app, superSession.accessToken, SNIPPET_TEST_TYPES);

    const grants: Array<[Role, string[]]> = [
      ['editor', [ADD_SNIPPET, CHANGE_SNIPPET]],
      [
        'publisher',
        [
          ADD_SNIPPET,
          CHANGE_SNIPPET,
          PUBLISH_SNIPPET,
          DELETE_SNIPPET,
          LOCK_SNIPPET,
          UNLOCK_SNIPPET,
        ],
      ],
      ['locker', [CHANGE_SNIPPET, LOCK_SNIPPET]],
    ];
    headers.set('superuser', admin);
    userIds.set('superuser', superuser.id);
    for (const [role, permissions] of grants) {
      const group = await groups.create({ name: `Snippet ${role}s`, permissions }, SYSTEM);
      const user = await createUser(app);
      await groups.addMember(group.id, user.id, SYSTEM);
      headers.set(role, bearer((await signIn(app, user.email, TEST_PASSWORD)).accessToken));
      userIds.set(role, user.id);
    }
    const plain = await createUser(app);
    headers.set('no grant', bearer((await signIn(app, plain.email, TEST_PASSWORD)).accessToken));
    headers.set('anonymous', {});
    for (const [role, scopes] of [
      ['read-only token', ['read']],
      ['write token', ['write']],
    ] as const) {
      const response = await sendJson(
        `${app.baseUrl}/api/auth/tokens`,
        { name: role, scopes },
        { headers: admin },
      );
      expect(response.status).toBe(201);
      headers.set(role, bearer(((await response.json()) as { token: string }).token));
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const READERS: Role[] = ['superuser', 'editor', 'publisher', 'locker', 'write token'];
  const CHANGERS: Role[] = ['superuser', 'editor', 'publisher', 'locker', 'write token'];
  const ADDERS: Role[] = ['superuser', 'editor', 'publisher', 'write token'];
  const PUBLISHERS: Role[] = ['superuser', 'publisher', 'write token'];
  const LOCKERS: Role[] = ['superuser', 'publisher', 'locker', 'write token'];

  interface Endpoint {
    name: string;
    allowed: Role[];
    /** Builds the request against a snippet made for this call. */
    request: (snippet: Snippet) => CallSpec | Promise<CallSpec>;
    /** Whether a refusal must leave the database as it was (writes). */
    writes: boolean;
    /** A refusal other than 401 (anonymous) or 403. */
    refusal?: Partial<Record<Role, number>>;
  }
  const endpoints: Endpoint[] = [
    {
      name: 'list',
      allowed: READERS,
      writes: false,
      request: () => ({ method: 'GET', path: '/topic' }),
    },
    {
      name: 'create',
      allowed: ADDERS,
      writes: true,
      request: () => ({ method: 'POST', path: '/topic', body: { content: { name: 'New' } } }),
    },
    {
      name: 'create and publish',
      allowed: PUBLISHERS,
      writes: true,
      request: () => ({
        method: 'POST',
        path: '/topic',
        body: { content: { name: 'New live' }, publish: true },
      }),
    },
    {
      name: 'get',
      allowed: READERS,
      writes: false,
      request: (s) => ({ method: 'GET', path: `/topic/${s.id}` }),
    },
    {
      name: 'save',
      allowed: CHANGERS,
      writes: true,
      request: (s) => ({
        method: 'PUT',
        path: `/topic/${s.id}`,
        body: { content: { name: 'Edited' } },
      }),
    },
    {
      name: 'delete',
      allowed: ['superuser', 'publisher', 'write token'],
      writes: true,
      request: (s) => ({ method: 'DELETE', path: `/topic/${s.id}` }),
    },
    {
      name: 'publish',
      allowed: PUBLISHERS,
      writes: true,
      request: (s) => ({ method: 'POST', path: `/topic/${s.id}/publish`, body: {} }),
    },
    {
      name: 'unpublish',
      allowed: PUBLISHERS,
      writes: true,
      request: async (s) => {
        await asAdmin('POST', `/topic/${s.id}/publish`);
        return { method: 'POST', path: `/topic/${s.id}/unpublish` };
      },
    },
    {
      name: 'cancel schedule',
      allowed: PUBLISHERS,
      writes: true,
      request: async (s) => {
        await asAdmin('POST', `/topic/${s.id}/publish`, {
          goLiveAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
        return { method: 'DELETE', path: `/topic/${s.id}/schedule` };
      },
    },
    {
      name: 'revisions',
      allowed: READERS,
      writes: false,
      request: (s) => ({ method: 'GET', path: `/topic/${s.id}/revisions` }),
    },
    {
      name: 'revision',
      allowed: READERS,
      writes: false,
      request: (s) => ({
        method: 'GET',
        path: `/topic/${s.id}/revisions/${s.latestRevisionId}`,
      }),
    },
    {
      name: 'compare',
      allowed: READERS,
      writes: false,
      request: (s) => ({
        method: 'GET',
        path: `/topic/${s.id}/revisions/compare?a=${s.latestRevisionId}&b=${s.latestRevisionId}`,
      }),
    },
    {
      name: 'revert',
      allowed: CHANGERS,
      writes: true,
      request: (s) => ({
        method: 'POST',
        path: `/topic/${s.id}/revisions/${s.latestRevisionId}/revert`,
      }),
    },
    {
      name: 'lock',
      allowed: LOCKERS,
      writes: true,
      request: (s) => ({ method: 'POST', path: `/topic/${s.id}/lock` }),
    },
    {
      name: "unlock someone else's lock",
      allowed: ['superuser', 'publisher', 'write token'],
      writes: true,
      request: async (s) => {
        await asAdmin('POST', `/topic/${s.id}/lock`);
        return { method: 'POST', path: `/topic/${s.id}/unlock` };
      },
      // Holding lock_snippet without unlock_snippet: the lock is someone else's.
      refusal: { locker: 423 },
    },
    {
      name: 'usage',
      allowed: READERS,
      writes: false,
      request: (s) => ({ method: 'GET', path: `/topic/${s.id}/usage` }),
    },
  ];

  for (const endpoint of endpoints) {
    for (const role of ROLES) {
      const allowed = endpoint.allowed.includes(role);
      it(`${endpoint.name}: ${role} → ${allowed ? 'allowed' : 'refused'}`, async () => {
        const snippet = await fresh();
        const { method, path, body } = await endpoint.request(snippet);
        const before = await countRows();
        const response =
          body === undefined
            ? await fetch(url(path), { method, headers: headers.get(role)! })
            : await sendJson(url(path), body, { method, headers: headers.get(role)! });
        if (allowed) {
          expect({ status: response.status, body: await response.text() }).toMatchObject({
            status: expect.any(Number),
          });
          expect(response.status).toBeLessThan(300);
          return;
        }
        const expected = endpoint.refusal?.[role] ?? (role === 'anonymous' ? 401 : 403);
        await expectProblem(response, expected);
        if (endpoint.writes) expect(await countRows()).toEqual(before);
      });
    }
  }

  describe('locks, per user', () => {
    it('lets only the holder edit and publish a locked snippet; others get 423 and change nothing', async () => {
      const snippet = await fresh();
      const locked = await sendJson(
        url(`/topic/${snippet.id}/lock`),
        {},
        { headers: headers.get('locker')! },
      );
      expect(((await locked.json()) as Snippet).lock).toMatchObject({
        lockedBy: userIds.get('locker'),
      });

      const before = await countRows();
      for (const role of ['editor', 'publisher', 'superuser'] as Role[]) {
        const save = await sendJson(
          url(`/topic/${snippet.id}`),
          { content: { name: 'Not mine' } },
          { method: 'PUT', headers: headers.get(role)! },
        );
        expect((await expectProblem(save, 423)).detail).toContain(userIds.get('locker')!);
      }
      await expectProblem(
        await sendJson(
          url(`/topic/${snippet.id}/publish`),
          {},
          { headers: headers.get('publisher')! },
        ),
        423,
      );
      await expectProblem(
        await sendJson(
          url(`/topic/${snippet.id}/lock`),
          {},
          { headers: headers.get('publisher')! },
        ),
        423,
      );
      await expectProblem(
        await fetch(url(`/topic/${snippet.id}?force=true`), {
          method: 'DELETE',
          headers: headers.get('publisher')!,
        }),
        423,
      );
      await expectProblem(
        await sendJson(
          url(`/topic/${snippet.id}/revisions/${snippet.latestRevisionId}/revert`),
          {},
          { headers: headers.get('publisher')! },
        ),
        423,
      );
      expect(await countRows()).toEqual(before);

      // The holder goes on working.
      const own = await sendJson(
        url(`/topic/${snippet.id}`),
        { content: { name: 'Mine' } },
        { method: 'PUT', headers: headers.get('locker')! },
      );
      expect(own.status).toBe(200);
    });

    it("lets the holder unlock, refuses a lock-only user someone else's lock, and lets unlock_snippet override", async () => {
      const snippet = await fresh();
      await sendJson(url(`/topic/${snippet.id}/lock`), {}, { headers: headers.get('publisher')! });
      // locker holds lock_snippet but not unlock_snippet: the lock is someone else's.
      await expectProblem(
        await sendJson(url(`/topic/${snippet.id}/unlock`), {}, { headers: headers.get('locker')! }),
        423,
      );
      // editor holds neither.
      await expectProblem(
        await sendJson(url(`/topic/${snippet.id}/unlock`), {}, { headers: headers.get('editor')! }),
        403,
      );
      const released = await sendJson(
        url(`/topic/${snippet.id}/unlock`),
        {},
        { headers: headers.get('publisher')! },
      );
      expect(((await released.json()) as Snippet).lock).toBeNull();

      await sendJson(url(`/topic/${snippet.id}/lock`), {}, { headers: headers.get('locker')! });
      const own = await sendJson(
        url(`/topic/${snippet.id}/unlock`),
        {},
        { headers: headers.get('locker')! },
      );
      expect(own.status).toBe(200);

      const actions = await db.query<Array<{ action: string; actor_id: string }>>(
        `SELECT action, actor_id FROM audit_log WHERE object_id = $1 AND action LIKE 'snippets.%lock%' ORDER BY id`,
        [snippet.id],
      );
      expect(actions.map((row) => [row.action, row.actor_id])).toEqual([
        ['snippets.locked', userIds.get('publisher')],
        ['snippets.unlocked', userIds.get('publisher')],
        ['snippets.locked', userIds.get('locker')],
        ['snippets.unlocked', userIds.get('locker')],
      ]);
    });
  });
});
