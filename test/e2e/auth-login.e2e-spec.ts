import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { UsersService } from '#src/accounts/users.service.js';
import {
  bearer,
  clearThrottle,
  createUser,
  refresh,
  refreshCookieFrom,
  signIn,
  TEST_PASSWORD,
  type TestUser,
} from '#test/helpers/auth.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const NEW_PASSWORD = 'a completely different passphrase';

function login(app: TestApp, body: unknown, path = '/api/auth/login'): Promise<Response> {
  return sendJson(`${app.baseUrl}${path}`, body);
}

function me(app: TestApp, accessToken: string): Promise<Response> {
  return fetch(`${app.baseUrl}/api/auth/me`, { headers: bearer(accessToken) });
}

function logout(app: TestApp, cookie: string): Promise<Response> {
  return fetch(`${app.baseUrl}/api/auth/logout`, {
    method: 'POST',
    headers: { cookie, 'x-finch-csrf': '1' },
  });
}

/** What a cross-site HTML form can send: a urlencoded POST with the cookie and no custom header. */
function crossSiteFormPost(app: TestApp, path: string, cookie: string): Promise<Response> {
  return fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    },
    body: 'a=1',
  });
}

async function auditActions(app: TestApp, userId: string): Promise<string[]> {
  const rows = await app.finch.app
    .get(DataSource)
    .query<Array<{ action: string }>>(
      'SELECT action FROM audit_log WHERE actor_id = $1 OR object_id = $2 ORDER BY id',
      [userId, userId],
    );
  return rows.map((row) => row.action);
}

describe('signing in, refreshing and signing out (PUBLIC_URL http)', () => {
  let app: TestApp;
  let ana: TestUser;

  beforeAll(async () => {
    app = await startTestApp();
    ana = await createUser(app, { email: 'Ana.Silva@Example.com', name: 'Ana Silva' });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    await clearThrottle(app);
  });

  it('answers a good sign-in with an access token, its lifetime and the user (no hashes), never cached', async () => {
    const response = await login(app, { email: ana.email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'user']);
    expect(body.expiresIn).toBe(900);
    expect(body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body.user).toEqual({
      id: ana.id,
      email: 'Ana.Silva@Example.com',
      name: 'Ana Silva',
      isSuperuser: false,
      preferredLocale: null,
    });
    expect(JSON.stringify(body)).not.toMatch(/argon2|passwordHash|tokenHash/);
    const header = JSON.parse(
      Buffer.from(String(body.accessToken).split('.')[0], 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(header.alg).toBe('HS256');
  });

  it('sets the refresh token as an HttpOnly, SameSite=Strict cookie limited to /api/auth (not Secure over http)', async () => {
    const response = await login(app, { email: ana.email, password: TEST_PASSWORD });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^finch_refresh=[A-Za-z0-9_-]{43};/);
    const attributes = cookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/auth']),
    );
    expect(attributes.some((attribute) => attribute.startsWith('max-age='))).toBe(true);
    expect(attributes).not.toContain('secure');
    expect(attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);
  });

  it('accepts the email in any case and with spaces around it', async () => {
    const response = await login(app, {
      email: '  ANA.silva@example.COM ',
      password: TEST_PASSWORD,
    });
    expect(response.status).toBe(200);
  });

  it('gives the same 401 for a wrong password, an unknown email, an invited user and a deactivated user', async () => {
    const invited = await createUser(app, { password: null });
    const disabled = await createUser(app);
    await app.finch.app.get(UsersService).setActive(disabled.id, false);
    const attempts = [
      { email: ana.email, password: 'not the right password' },
      { email: 'nobody@example.com', password: TEST_PASSWORD },
      { email: invited.email, password: TEST_PASSWORD },
      { email: disabled.email, password: TEST_PASSWORD },
    ];
    const answers: unknown[] = [];
    for (const attempt of attempts) {
      const response = await login(app, attempt);
      expect(refreshCookieFrom(response)).toBeUndefined();
      const problem = await expectProblem(response, 401);
      delete problem.requestId;
      answers.push(problem);
    }
    expect(answers[0]).toEqual({
      type: 'urn:finch:problem:invalid-credentials',
      title: 'Wrong email address or password',
      status: 401,
      detail: 'The email address or the password is not right. Check both and try again.',
      instance: '/api/auth/login',
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it.each([
    ['isSuperuser (mass assignment)', { isSuperuser: true }, 'isSuperuser'],
    ['a user id', { id: '00000000-0000-4000-8000-000000000000' }, 'id'],
  ])('refuses a sign-in body with %s with a 400 naming it', async (_case, extra, field) => {
    const problem = await expectProblem(
      await login(app, { email: ana.email, password: TEST_PASSWORD, ...extra }),
      400,
    );
    expect(problem.errors?.map((error) => error.path)).toContain(field);
  });

  it('refuses a sign-in without a password, or with a password that is not a string', async () => {
    await expectProblem(await login(app, { email: ana.email }), 400);
    await expectProblem(await login(app, { email: ana.email, password: ['x'] }), 400);
  });

  it('GET /api/auth/me answers who the access token belongs to; without one, 401 with a Bearer challenge', async () => {
    const { accessToken } = await signIn(app, ana.email, TEST_PASSWORD);
    const response = await me(app, accessToken);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: ana.id,
      email: ana.email,
      name: 'Ana Silva',
      isSuperuser: false,
      preferredLocale: null,
      authentication: { method: 'session', scopes: ['read', 'write'] },
    });
    const anonymous = await fetch(`${app.baseUrl}/api/auth/me`);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="finch"');
    expect((await expectProblem(anonymous, 401)).type).toBe(
      'urn:finch:problem:authentication-required',
    );
  });

  it('records the sign-in time and the audit entries of a good and a failed sign-in', async () => {
    const user = await createUser(app);
    await login(app, { email: user.email, password: 'wrong password, sadly' });
    await signIn(app, user.email, TEST_PASSWORD);
    expect((await app.finch.app.get(UsersService).getById(user.id)).lastLoginAt).toBeInstanceOf(
      Date,
    );
    expect(await auditActions(app, user.id)).toEqual(['auth.login']);
    const [failed] = await app.finch.app
      .get(DataSource)
      .query<Array<{ actor_id: string | null; data: { email: string }; ip: string }>>(
        `SELECT actor_id, data, ip FROM audit_log WHERE action = 'auth.login_failed' AND data->>'email' = $1`,
        [user.email],
      );
    expect(failed).toEqual({ actor_id: null, data: { email: user.email }, ip: '127.0.0.1' });
  });

  describe('refresh', () => {
    it('rotates: a new refresh cookie and a new access token, and the session row is marked rotated', async () => {
      const first = await signIn(app, ana.email, TEST_PASSWORD);
      const response = await refresh(app, first.cookie);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { accessToken: string; user: { id: string } };
      expect(body.user.id).toBe(ana.id);
      const second = refreshCookieFrom(response)!;
      expect(second).toBeDefined();
      expect(second).not.toBe(first.cookie);
      expect((await me(app, body.accessToken)).status).toBe(200);
      const rows = await app.finch.app
        .get(DataSource)
        .query<Array<{ rotated: boolean; revoked: boolean }>>(
          `SELECT rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked
             FROM auth_sessions
            WHERE family_id = (SELECT family_id FROM auth_sessions ORDER BY created_at DESC LIMIT 1)
            ORDER BY created_at`,
        );
      expect(rows).toEqual([
        { rotated: true, revoked: false },
        { rotated: false, revoked: false },
      ]);
    });

    it('ends the whole session when a rotated refresh token comes back (it was copied)', async () => {
      const stolen = await signIn(app, ana.email, TEST_PASSWORD);
      const rotated = await refresh(app, stolen.cookie);
      const current = refreshCookieFrom(rotated)!;
      const { accessToken } = (await rotated.json()) as { accessToken: string };

      const replay = await refresh(app, stolen.cookie);
      expect((await expectProblem(replay, 401)).type).toBe('urn:finch:problem:session-ended');
      // Both the thief's and the owner's tokens of that session are dead now.
      await expectProblem(await refresh(app, current), 401);
      await expectProblem(await me(app, accessToken), 401);
      await expectProblem(await me(app, stolen.accessToken), 401);
      const [{ count }] = await app.finch.app
        .get(DataSource)
        .query<Array<{ count: number }>>(
          `SELECT count(*)::int AS count FROM audit_log WHERE action = 'auth.refresh_token_reused' AND object_id = $1`,
          [ana.id],
        );
      expect(count).toBeGreaterThanOrEqual(1);
    });

    it('refuses a refresh without the cookie, or with a cookie that is not one of ours, and clears it', async () => {
      const none = await fetch(`${app.baseUrl}/api/auth/refresh`, {
        method: 'POST',
        headers: { 'x-finch-csrf': '1' },
      });
      await expectProblem(none, 401);
      const forged = await refresh(app, `finch_refresh=${'A'.repeat(43)}`);
      expect(forged.headers.getSetCookie().join()).toMatch(/finch_refresh=;/);
      await expectProblem(forged, 401);
    });

    it('refuses a refresh without the X-Finch-CSRF header, leaving the session usable', async () => {
      const session = await signIn(app, ana.email, TEST_PASSWORD);
      const withoutHeader = await fetch(`${app.baseUrl}/api/auth/refresh`, {
        method: 'POST',
        headers: { cookie: session.cookie },
      });
      expect((await expectProblem(withoutHeader, 403)).type).toBe(
        'urn:finch:problem:csrf-header-missing',
      );
      const wrongValue = await fetch(`${app.baseUrl}/api/auth/refresh`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-finch-csrf': 'yes' },
      });
      await expectProblem(wrongValue, 403);
      expect((await refresh(app, session.cookie)).status).toBe(200);
    });

    it.each(['/api/auth/refresh', '/api/auth/logout'])(
      'refuses a cross-site form post to %s and leaves the session as it was',
      async (path) => {
        const session = await signIn(app, ana.email, TEST_PASSWORD);
        const forged = await crossSiteFormPost(app, path, session.cookie);
        expect(forged.status).toBeGreaterThanOrEqual(400);
        expect(forged.status).toBeLessThan(500);
        expect(refreshCookieFrom(forged)).toBeUndefined();
        await forged.arrayBuffer();
        // Nothing was rotated or revoked: the session refreshes and its access token works.
        expect((await me(app, session.accessToken)).status).toBe(200);
        expect((await refresh(app, session.cookie)).status).toBe(200);
      },
    );

    it('is refused once the password was changed elsewhere or the user was deactivated', async () => {
      const user = await createUser(app);
      const users = app.finch.app.get(UsersService);
      const before = await signIn(app, user.email, TEST_PASSWORD);
      await users.setPassword(user.id, NEW_PASSWORD);
      await expectProblem(await refresh(app, before.cookie), 401);
      await expectProblem(await me(app, before.accessToken), 401);

      const again = await signIn(app, user.email, NEW_PASSWORD);
      await users.setActive(user.id, false);
      await expectProblem(await refresh(app, again.cookie), 401);
      await expectProblem(await me(app, again.accessToken), 401);
    });

    it('is refused once the refresh token expired', async () => {
      const session = await signIn(app, ana.email, TEST_PASSWORD);
      await app.finch.app
        .get(DataSource)
        .query(
          `UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND rotated_at IS NULL AND revoked_at IS NULL`,
          [ana.id],
        );
      await expectProblem(await refresh(app, session.cookie), 401);
      await expectProblem(await me(app, session.accessToken), 401);
    });
  });

  describe('logout', () => {
    it('ends the session: the refresh cookie is cleared and refused, and its access token stops at once', async () => {
      const user = await createUser(app);
      const session = await signIn(app, user.email, TEST_PASSWORD);
      const response = await logout(app, session.cookie);
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie().join()).toMatch(/finch_refresh=;.*Path=\/api\/auth/);
      await expectProblem(await refresh(app, session.cookie), 401);
      await expectProblem(await me(app, session.accessToken), 401);
      expect(await auditActions(app, user.id)).toEqual(['auth.login', 'auth.logout']);
    });

    it('needs the CSRF header too, and answers 204 without a cookie', async () => {
      const session = await signIn(app, ana.email, TEST_PASSWORD);
      const withoutHeader = await fetch(`${app.baseUrl}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: session.cookie },
      });
      await expectProblem(withoutHeader, 403);
      expect((await me(app, session.accessToken)).status).toBe(200);
      const noCookie = await fetch(`${app.baseUrl}/api/auth/logout`, {
        method: 'POST',
        headers: { 'x-finch-csrf': '1' },
      });
      expect(noCookie.status).toBe(204);
    });
  });

  describe('my sessions', () => {
    it('lists my live sessions, marks the current one, and revokes another one at once', async () => {
      const user = await createUser(app);
      const laptop = await signIn(app, user.email, TEST_PASSWORD);
      const phone = await signIn(app, user.email, TEST_PASSWORD);
      const ended = await signIn(app, user.email, TEST_PASSWORD);
      await logout(app, ended.cookie);

      const list = await fetch(`${app.baseUrl}/api/auth/sessions`, {
        headers: bearer(laptop.accessToken),
      });
      expect(list.status).toBe(200);
      const { items } = (await list.json()) as {
        items: Array<{ id: string; current: boolean; ip: string; signedInAt: string }>;
      };
      expect(items).toHaveLength(2);
      expect(items.filter((item) => item.current)).toHaveLength(1);
      expect(items[0]).toEqual({
        id: expect.any(String),
        userAgent: expect.any(String),
        ip: '127.0.0.1',
        signedInAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        current: expect.any(Boolean),
      });
      const phoneSession = items.find((item) => !item.current)!;

      const revoked = await fetch(`${app.baseUrl}/api/auth/sessions/${phoneSession.id}`, {
        method: 'DELETE',
        headers: bearer(laptop.accessToken),
      });
      expect(revoked.status).toBe(204);
      await expectProblem(await me(app, phone.accessToken), 401);
      await expectProblem(await refresh(app, phone.cookie), 401);
      expect((await me(app, laptop.accessToken)).status).toBe(200);

      const again = await fetch(`${app.baseUrl}/api/auth/sessions/${phoneSession.id}`, {
        method: 'DELETE',
        headers: bearer(laptop.accessToken),
      });
      await expectProblem(again, 404);
    });

    it("cannot revoke someone else's session, and refuses an id that is not a UUID", async () => {
      const mine = await signIn(app, ana.email, TEST_PASSWORD);
      const other = await createUser(app);
      const theirs = await signIn(app, other.email, TEST_PASSWORD);
      const { items } = (await (
        await fetch(`${app.baseUrl}/api/auth/sessions`, { headers: bearer(theirs.accessToken) })
      ).json()) as { items: Array<{ id: string }> };
      const attempt = await fetch(`${app.baseUrl}/api/auth/sessions/${items[0].id}`, {
        method: 'DELETE',
        headers: bearer(mine.accessToken),
      });
      await expectProblem(attempt, 404);
      expect((await me(app, theirs.accessToken)).status).toBe(200);
      const malformed = await fetch(`${app.baseUrl}/api/auth/sessions/not-a-uuid`, {
        method: 'DELETE',
        headers: bearer(mine.accessToken),
      });
      await expectProblem(malformed, 400);
    });
  });

  describe('changing my password', () => {
    function changePassword(accessToken: string, body: unknown): Promise<Response> {
      return sendJson(`${app.baseUrl}/api/auth/password`, body, { headers: bearer(accessToken) });
    }

    it('needs the current password, applies the policy, and refuses extra fields', async () => {
      const user = await createUser(app);
      const { accessToken } = await signIn(app, user.email, TEST_PASSWORD);
      const wrong = await expectProblem(
        await changePassword(accessToken, { currentPassword: 'nope', newPassword: NEW_PASSWORD }),
        400,
      );
      expect(wrong.errors).toEqual([{ path: 'currentPassword', message: 'is not right' }]);
      const weak = await expectProblem(
        await changePassword(accessToken, {
          currentPassword: TEST_PASSWORD,
          newPassword: 'short',
        }),
        400,
      );
      expect(weak.type).toBe('urn:finch:problem:weak-password');
      const extra = await expectProblem(
        await changePassword(accessToken, {
          currentPassword: TEST_PASSWORD,
          newPassword: NEW_PASSWORD,
          isSuperuser: true,
        }),
        400,
      );
      expect(extra.errors?.map((error) => error.path)).toEqual(['isSuperuser']);
      expect((await app.finch.app.get(UsersService).getById(user.id)).isSuperuser).toBe(false);
      expect((await signIn(app, user.email, TEST_PASSWORD)).accessToken).toBeDefined();
    });

    it('ends my other sessions and keeps this one going with the new access token', async () => {
      const user = await createUser(app);
      const here = await signIn(app, user.email, TEST_PASSWORD);
      const elsewhere = await signIn(app, user.email, TEST_PASSWORD);
      const response = await changePassword(here.accessToken, {
        currentPassword: TEST_PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(response.status).toBe(200);
      const { accessToken } = (await response.json()) as { accessToken: string };

      expect((await me(app, accessToken)).status).toBe(200);
      await expectProblem(await me(app, here.accessToken), 401);
      expect((await refresh(app, here.cookie)).status).toBe(200);
      await expectProblem(await me(app, elsewhere.accessToken), 401);
      await expectProblem(await refresh(app, elsewhere.cookie), 401);
      await expectProblem(await login(app, { email: user.email, password: TEST_PASSWORD }), 401);
      expect((await signIn(app, user.email, NEW_PASSWORD)).accessToken).toBeDefined();
      expect(await auditActions(app, user.id)).toContain('auth.password_changed');
    });
  });
});

describe('the refresh cookie when PUBLIC_URL is https', () => {
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://cms.example.com' });
    user = await createUser(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is Secure, HttpOnly, SameSite=Strict, named __Host- with Path=/ and no Domain, and refreshes', async () => {
    const response = await login(app, { email: user.email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^__Host-finch_refresh=[A-Za-z0-9_-]{43};/);
    const attributes = cookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['httponly', 'secure', 'samesite=strict', 'path=/']),
    );
    expect(attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);

    const rotated = await refresh(app, refreshCookieFrom(response)!);
    expect(rotated.status).toBe(200);
    expect(refreshCookieFrom(rotated)).toMatch(/^__Host-finch_refresh=/);
    // The plain-http name is not read here.
    const plainName = await refresh(app, refreshCookieFrom(rotated)!.replace('__Host-', ''));
    await expectProblem(plainName, 401);
  });
});
