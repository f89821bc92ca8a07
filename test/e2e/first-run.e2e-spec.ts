import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FirstSuperuserFromEnvironment } from '#src/accounts/first-superuser-from-environment.js';
import { UsersService } from '#src/accounts/users.service.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const STRONG_PASSWORD = 'correct horse battery staple';

async function countRows(app: TestApp, table: 'users' | 'audit_log'): Promise<number> {
  const [{ n }] = await app.finch.app
    .get(DataSource)
    .query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}

describe('first run over HTTP', () => {
  let app: TestApp;
  const setupUrl = () => `${app.baseUrl}/api/setup`;
  const createFirstUser = (body: unknown, headers?: Record<string, string>) =>
    sendJson(`${setupUrl()}/first-user`, body, { headers });

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('says a first user is needed while there is no user, without letting caches keep the answer', async () => {
    const response = await fetch(setupUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ needsFirstUser: true });
  });

  it.each([
    ['an email that is not one', { email: 'ada', name: 'Ada', password: STRONG_PASSWORD }, 'email'],
    ['no email', { name: 'Ada', password: STRONG_PASSWORD }, 'email'],
    [
      'an email of 255 characters',
      { email: `${'a'.repeat(243)}@example.com`, name: 'Ada', password: STRONG_PASSWORD },
      'email',
    ],
    ['an empty name', { email: 'ada@example.com', name: '', password: STRONG_PASSWORD }, 'name'],
    [
      'a name of 151 characters',
      { email: 'ada@example.com', name: 'x'.repeat(151), password: STRONG_PASSWORD },
      'name',
    ],
    [
      'a password that is a number',
      { email: 'ada@example.com', name: 'Ada', password: 123456789012345 },
      'password',
    ],
    [
      'an unknown property (mass assignment)',
      { email: 'ada@example.com', name: 'Ada', password: STRONG_PASSWORD, isSuperuser: false },
      'isSuperuser',
    ],
  ])('refuses %s with a 400 naming the field, and creates nobody', async (_case, body, field) => {
    const problem = await expectProblem(await createFirstUser(body), 400);
    expect(problem.type).toBe('urn:finch:problem:validation');
    expect(problem.errors?.map((error) => error.path)).toContain(field);
    expect(await countRows(app, 'users')).toBe(0);
  });

  it.each([
    ['too short', 'short pass', 'must be at least 12 characters long'],
    [
      'one of the most common passwords',
      'qwerty123456',
      'is one of the most common passwords; choose another',
    ],
    ['the email address itself', 'Ada.Lovelace@example.com', 'must not be your email address'],
    ['longer than 256 characters', 'x'.repeat(257), 'must be at most 256 characters long'],
  ])(
    'refuses a password that is %s with a 400 naming the password, and creates nobody',
    async (_case, password, message) => {
      const problem = await expectProblem(
        await createFirstUser({ email: 'ada.lovelace@example.com', name: 'Ada', password }),
        400,
      );
      expect(problem.type).toBe('urn:finch:problem:weak-password');
      expect(problem.errors).toEqual([{ path: 'password', message }]);
      expect(JSON.stringify(problem)).not.toContain(password.slice(0, 20));
      expect(await countRows(app, 'users')).toBe(0);
    },
  );

  it('refuses malformed JSON, a body that is not an object, the wrong media type and an oversized body', async () => {
    await expectProblem(await createFirstUser('{"email": "ada@example.com",'), 400);
    await expectProblem(await createFirstUser('["ada@example.com"]'), 400);
    await expectProblem(
      await fetch(`${setupUrl()}/first-user`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ email: 'ada@example.com', name: 'Ada', password: STRONG_PASSWORD }),
      }),
      415,
    );
    const oversized = {
      email: 'ada@example.com',
      name: 'Ada',
      password: 'x'.repeat(2 * 1024 * 1024),
    };
    await expectProblem(await createFirstUser(oversized), 413);
    expect(await countRows(app, 'users')).toBe(0);
    expect(await (await fetch(setupUrl())).json()).toEqual({ needsFirstUser: true });
  });

  it('lets exactly one of two racing requests create the first superuser; the other gets 409', async () => {
    const auditBefore = await countRows(app, 'audit_log');
    const [first, second] = await Promise.all([
      createFirstUser({
        email: 'Ada@Example.com',
        name: 'Ada Lovelace',
        password: STRONG_PASSWORD,
      }),
      createFirstUser({
        email: 'grace@example.com',
        name: 'Grace Hopper',
        password: STRONG_PASSWORD,
      }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([201, 409]);
    const [created, refused] = first.status === 201 ? [first, second] : [second, first];

    const body = (await created.json()) as { user: Record<string, unknown> };
    expect(body).toEqual({
      user: {
        id: expect.any(String),
        email: expect.any(String),
        name: expect.any(String),
        isSuperuser: true,
      },
    });
    expect(JSON.stringify(body)).not.toMatch(/password|hash|argon/i);
    const problem = await expectProblem(refused, 409);
    expect(problem.type).toBe('urn:finch:problem:first-run-closed');
    expect(problem.detail).toMatch(/Sign in/);

    expect(await countRows(app, 'users')).toBe(1);
    const user = await app.finch.app.get(UsersService).getById(body.user.id as string);
    expect(user).toMatchObject({ isSuperuser: true, isActive: true });
    const verified = await app.finch.app
      .get(UsersService)
      .verifyCredentials(user.email, STRONG_PASSWORD);
    expect(verified?.id).toBe(user.id);

    const audit = await app.finch.app
      .get(DataSource)
      .query<Array<Record<string, unknown>>>(
        `SELECT actor_id, action, object_type, object_id, data, ip FROM audit_log ORDER BY id DESC LIMIT 1`,
      );
    expect(await countRows(app, 'audit_log')).toBe(auditBefore + 1);
    expect(audit[0]).toEqual({
      actor_id: user.id,
      action: 'users.first_superuser_created',
      object_type: 'user',
      object_id: user.id,
      data: { email: user.email, via: 'setup' },
      ip: '127.0.0.1',
    });
  });

  it('is closed once a user exists: GET says so, and POST answers 409 and changes nothing', async () => {
    expect(await (await fetch(setupUrl())).json()).toEqual({ needsFirstUser: false });
    const problem = await expectProblem(
      await createFirstUser({
        email: 'mallory@example.com',
        name: 'Mallory',
        password: STRONG_PASSWORD,
      }),
      409,
    );
    expect(problem.type).toBe('urn:finch:problem:first-run-closed');
    expect(await countRows(app, 'users')).toBe(1);
    expect(await app.finch.app.get(UsersService).findByEmail('mallory@example.com')).toBeNull();
  });
});

describe('first superuser from FINCH_ADMIN_EMAIL and FINCH_ADMIN_PASSWORD', () => {
  const logged = () => jest.spyOn(Logger.prototype, 'log');
  let log: ReturnType<typeof logged> | undefined;
  afterEach(() => {
    log?.mockRestore();
  });

  it('creates the superuser at boot, logging one line without the password, and does nothing once users exist', async () => {
    log = logged();
    const password = 'an unattended install passphrase';
    const app = await startTestApp({
      FINCH_ADMIN_EMAIL: 'ops@example.com',
      FINCH_ADMIN_PASSWORD: password,
    });
    try {
      const users = app.finch.app.get(UsersService);
      const user = await users.findByEmail('ops@example.com');
      expect(user).toMatchObject({ isSuperuser: true, isActive: true });
      expect((await users.verifyCredentials('ops@example.com', password))?.id).toBe(user?.id);

      const lines = log.mock.calls.map(([message]) => String(message));
      expect(lines.filter((line) => line.includes('ops@example.com'))).toEqual([
        'Created the first superuser, ops@example.com, from FINCH_ADMIN_EMAIL.',
      ]);
      expect(lines.join('\n')).not.toContain(password);
      const [entry] = await app.finch.app
        .get(DataSource)
        .query<Array<{ action: string; data: unknown }>>(
          `SELECT action, data FROM audit_log WHERE object_id = $1`,
          [user!.id],
        );
      expect(entry).toEqual({
        action: 'users.first_superuser_created',
        data: { email: 'ops@example.com', via: 'environment' },
      });
      expect(JSON.stringify(entry)).not.toContain(password);

      // A restart (or a second replica) with the same environment creates nobody.
      await app.finch.app.get(FirstSuperuserFromEnvironment).onApplicationBootstrap();
      expect(await countRows(app, 'users')).toBe(1);
      expect(await (await fetch(`${app.baseUrl}/api/setup`)).json()).toEqual({
        needsFirstUser: false,
      });
    } finally {
      await app.close();
    }
  });

  it('refuses to boot with a weak FINCH_ADMIN_PASSWORD, saying why without showing it', async () => {
    const failure = await startTestApp({
      FINCH_ADMIN_EMAIL: 'ops@example.com',
      FINCH_ADMIN_PASSWORD: 'qwerty123456',
    }).then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(
      /^FINCH_ADMIN_PASSWORD is not acceptable: the password is one of the most common passwords/,
    );
    expect(failure?.message).not.toContain('qwerty123456');
  });
});
