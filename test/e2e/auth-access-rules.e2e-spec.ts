import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService } from '@nestjs/core';
import { GroupsService } from '#src/accounts/groups.service.js';
import { REQUIRED_PERMISSIONS, SUPERUSER_ONLY } from '#src/accounts/permission.decorators.js';
import { UsersService } from '#src/accounts/users.service.js';
import { AUTHENTICATED_ROUTE, PUBLIC_ROUTE } from '#src/auth/access.decorators.js';
import { AccessRulesModule, UndeclaredRouteModule } from '#test/fixtures/access-rules.module.js';
import { EchoModule } from '#test/fixtures/echo.module.js';
import { ProbeJobsModule } from '#test/fixtures/probe-jobs.module.js';
import { SlowModule } from '#test/fixtures/slow.module.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const ACCESS_KEYS = [PUBLIC_ROUTE, AUTHENTICATED_ROUTE, REQUIRED_PERMISSIONS, SUPERUSER_ONLY];

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function declares(target: Function): boolean {
  return ACCESS_KEYS.some((key) => Reflect.getMetadata(key, target) !== undefined);
}

/** Every route of every controller in the app, and whether it declares who may call it. */
function everyRoute(app: TestApp): Array<{ route: string; handler: string; declared: boolean }> {
  const discovery = app.finch.app.get(DiscoveryService, { strict: false });
  const routes: Array<{ route: string; handler: string; declared: boolean }> = [];
  for (const wrapper of discovery.getControllers()) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    const controller = wrapper.metatype as Function;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      routes.push({
        route: `${method} /${[base, path].join('/').split('/').filter(Boolean).join('/')}`,
        handler: `${controller.name}.${name}`,
        declared: declares(handler) || declares(controller),
      });
    }
  }
  return routes;
}

describe('every route declares who may call it', () => {
  let app: TestApp;
  const loggedErrors: string[] = [];

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(function (message: unknown) {
      loggedErrors.push(String(message));
    });
    app = await startTestApp(
      {},
      {
        imports: [
          EchoModule,
          SlowModule,
          ProbeJobsModule,
          AccessRulesModule,
          UndeclaredRouteModule,
        ],
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    jest.restoreAllMocks();
  });

  it('finds a declaration on every route of Finch and of the test fixtures, except the one left out on purpose', () => {
    const routes = everyRoute(app);
    // The walk sees the app's own routes, so an empty walk cannot pass for a clean one.
    expect(routes.map((route) => route.route)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'GET /api/auth/me', 'GET /healthz']),
    );
    expect(routes.filter((route) => !route.declared)).toEqual([
      { route: 'GET /test/undeclared', handler: 'UndeclaredController.reach', declared: false },
    ]);
  });

  it('says at boot which routes are closed for want of a declaration', () => {
    expect(loggedErrors.join('\n')).toContain('GET /test/undeclared (UndeclaredController.reach)');
  });

  it('refuses an undeclared route to everyone, superusers included (fail closed)', async () => {
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    for (const headers of [{}, bearer(accessToken)]) {
      const response = await fetch(`${app.baseUrl}/test/undeclared`, { headers });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { type: string }).type).toBe(
        'urn:finch:problem:route-access-undeclared',
      );
    }
  });
});

describe('the AccessGuard enforces each kind of rule', () => {
  let app: TestApp;
  const as: Record<string, Record<string, string>> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp({}, { imports: [AccessRulesModule] });
    const plain = await createUser(app);
    const manager = await createUser(app);
    const superuser = await createUser(app, { isSuperuser: true });
    const disabled = await createUser(app, { isSuperuser: true });
    const groups = app.finch.app.get(GroupsService);
    const group = await groups.create(
      { name: 'User managers', permissions: ['manage_users'] },
      { actorId: null },
    );
    await groups.addMember(group.id, manager.id, { actorId: null });

    const session = async (email: string) =>
      bearer((await signIn(app, email, TEST_PASSWORD)).accessToken);
    const token = async (email: string, scopes: string[]) => {
      const response = await sendJson(
        `${app.baseUrl}/api/auth/tokens`,
        { name: 'test', scopes },
        { headers: await session(email) },
      );
      return bearer(((await response.json()) as { token: string }).token);
    };
    as.anonymous = {};
    as.invalid = bearer('not.a.token');
    as.user = await session(plain.email);
    as.manager = await session(manager.email);
    as.superuser = await session(superuser.email);
    as.userWriteToken = await token(plain.email, ['write']);
    as.userReadToken = await token(plain.email, ['read']);
    as.superuserWriteToken = await token(superuser.email, ['write']);
    as.disabledSuperuser = await session(disabled.email);
    await app.finch.app.get(UsersService).setActive(disabled.id, false);
    Object.assign(ids, { plain: plain.id, superuser: superuser.id });
  });
  afterAll(async () => {
    await app?.close();
  });

  const callers = [
    'anonymous',
    'invalid',
    'user',
    'manager',
    'superuser',
    'userWriteToken',
    'userReadToken',
    'superuserWriteToken',
    'disabledSuperuser',
  ] as const;

  /** The status each caller (in the order of `callers`) gets from each route. */
  // prettier-ignore
  const expected: Record<string, number[]> = {
    //                           anon inval user mgr  super uW   uR   sW   disabled
    '/test/access/public':       [200, 200, 200, 200, 200, 200, 200, 200, 200],
    '/test/access/signed-in':    [401, 401, 200, 200, 200, 200, 403, 200, 401],
    '/test/access/session-only': [401, 401, 200, 200, 200, 403, 403, 403, 401],
    '/test/access/manage-users': [401, 401, 403, 200, 200, 403, 403, 200, 401],
    '/test/access/superuser':    [401, 401, 403, 403, 200, 403, 403, 200, 401],
    '/test/access/class':        [401, 401, 200, 200, 200, 200, 403, 200, 401],
    '/test/access/class/public': [200, 200, 200, 200, 200, 200, 200, 200, 200],
  };

  describe.each(Object.keys(expected))('%s', (path) => {
    it.each(callers)('as %s', async (caller) => {
      const response = await fetch(`${app.baseUrl}${path}`, { headers: as[caller] });
      expect({ caller, status: response.status }).toEqual({
        caller,
        status: expected[path][callers.indexOf(caller)],
      });
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      await response.arrayBuffer();
    });
  });

  it('tells the route who is calling and how; a public route sees an invalid token as nobody', async () => {
    const call = async (path: string, headers: Record<string, string>) =>
      (await fetch(`${app.baseUrl}${path}`, { headers })).json();
    expect(await call('/test/access/public', as.user)).toEqual({
      userId: ids.plain,
      method: 'session',
    });
    expect(await call('/test/access/public', as.invalid)).toEqual({ userId: null, method: null });
    expect(await call('/test/access/signed-in', as.userWriteToken)).toEqual({
      userId: ids.plain,
      method: 'api-token',
    });
    expect(await call('/test/access/superuser', as.superuserWriteToken)).toEqual({
      userId: ids.superuser,
      method: 'api-token',
    });
  });

  it('says why a permission is missing', async () => {
    const response = await fetch(`${app.baseUrl}/test/access/manage-users`, { headers: as.user });
    const problem = (await response.json()) as { type: string; detail: string };
    expect(problem.type).toBe('urn:finch:problem:permission-denied');
    expect(problem.detail).toContain('manage_users');
  });
});
