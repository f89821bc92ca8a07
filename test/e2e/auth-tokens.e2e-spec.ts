import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { UsersService } from '#src/accounts/users.service.js';
import { deriveAccessTokenKey } from '#src/auth/access-tokens.js';
import {
  bearer,
  createUser,
  refresh,
  signIn,
  type SignedIn,
  TEST_PASSWORD,
  type TestUser,
} from '#test/helpers/auth.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT made by hand, so any header, algorithm and key can be tried. */
function forgeJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  sign?: { algorithm: 'sha256' | 'sha512'; key: Buffer | string },
): string {
  const unsigned = `${encode(header)}.${encode(claims)}`;
  if (!sign) return `${unsigned}.`;
  return `${unsigned}.${createHmac(sign.algorithm, sign.key).update(unsigned).digest('base64url')}`;
}

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

function me(app: TestApp, headers: Record<string, string>): Promise<Response> {
  return fetch(`${app.baseUrl}/api/auth/me`, { headers });
}

async function expectTokenRefused(app: TestApp, token: string): Promise<void> {
  const response = await me(app, bearer(token));
  expect(response.headers.get('www-authenticate')).toBe(
    'Bearer realm="finch", error="invalid_token"',
  );
  expect((await expectProblem(response, 401)).type).toBe('urn:finch:problem:invalid-token');
}

describe('access tokens refuse forgeries and stale credentials', () => {
  let app: TestApp;
  let user: TestUser;
  let session: SignedIn;
  let key: Buffer;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    app = await startTestApp();
    user = await createUser(app);
    session = await signIn(app, user.email, TEST_PASSWORD);
    key = deriveAccessTokenKey(app.config.secretKey);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('carries sub, ver, sid, typ, iat and exp (15 minutes), signed HS256', () => {
    const claims = claimsOf(session.accessToken);
    expect(claims).toEqual({
      sub: user.id,
      ver: 0,
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      typ: 'access',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
  });

  it('accepts a token forged exactly as Finch makes them (the test itself is sound)', async () => {
    const token = forgeJwt(
      { alg: 'HS256', typ: 'JWT' },
      { ...claimsOf(session.accessToken), iat: now(), exp: now() + 60 },
      { algorithm: 'sha256', key },
    );
    expect((await me(app, bearer(token))).status).toBe(200);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [header, payload, signature] = session.accessToken.split('.');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    await expectTokenRefused(app, `${header}.${payload}.${flipped}`);
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [header, , signature] = session.accessToken.split('.');
    const other = await createUser(app, { isSuperuser: true });
    const payload = encode({ ...claimsOf(session.accessToken), sub: other.id });
    await expectTokenRefused(app, `${header}.${payload}.${signature}`);
  });

  it('refuses alg "none" (unsigned), in any spelling', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      await expectTokenRefused(
        app,
        forgeJwt({ alg, typ: 'JWT' }, { ...claimsOf(session.accessToken), exp: now() + 60 }),
      );
    }
  });

  it('refuses HS512 and HS384-labelled tokens, even signed with the right key or the raw SECRET_KEY', async () => {
    const claims = { ...claimsOf(session.accessToken), exp: now() + 60 };
    await expectTokenRefused(
      app,
      forgeJwt({ alg: 'HS512', typ: 'JWT' }, claims, { algorithm: 'sha512', key }),
    );
    await expectTokenRefused(
      app,
      forgeJwt({ alg: 'HS512', typ: 'JWT' }, claims, {
        algorithm: 'sha512',
        key: app.config.secretKey,
      }),
    );
    await expectTokenRefused(
      app,
      forgeJwt({ alg: 'HS384', typ: 'JWT' }, claims, { algorithm: 'sha256', key }),
    );
  });

  it('refuses an HS256 token signed with the raw SECRET_KEY instead of the derived key', async () => {
    await expectTokenRefused(
      app,
      forgeJwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claimsOf(session.accessToken), exp: now() + 60 },
        { algorithm: 'sha256', key: app.config.secretKey },
      ),
    );
  });

  it('refuses an expired token', async () => {
    await expectTokenRefused(
      app,
      forgeJwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claimsOf(session.accessToken), iat: now() - 1000, exp: now() - 1 },
        { algorithm: 'sha256', key },
      ),
    );
  });

  it('refuses a well-signed token that is not an access token, or lacks a claim', async () => {
    const claims = { ...claimsOf(session.accessToken), exp: now() + 60 };
    const without = (name: string) =>
      Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));
    const withoutType = without('typ');
    const withoutSession = without('sid');
    for (const forged of [{ ...claims, typ: 'refresh' }, withoutType, withoutSession]) {
      await expectTokenRefused(
        app,
        forgeJwt({ alg: 'HS256', typ: 'JWT' }, forged, { algorithm: 'sha256', key }),
      );
    }
  });

  it('refuses a token with a stale token version (the password changed since)', async () => {
    const other = await createUser(app);
    const before = await signIn(app, other.email, TEST_PASSWORD);
    await app.finch.app.get(UsersService).setPassword(other.id, 'the brand new passphrase');
    await expectTokenRefused(app, before.accessToken);
    // Even one claiming the new version (made with the key) is refused: the session began
    // under the old version.
    const forged = forgeJwt(
      { alg: 'HS256', typ: 'JWT' },
      { ...claimsOf(before.accessToken), ver: 1, exp: now() + 60 },
      { algorithm: 'sha256', key },
    );
    await expectTokenRefused(app, forged);
  });

  it('refuses the token of a deactivated user, and of a deleted one', async () => {
    const other = await createUser(app);
    const { accessToken } = await signIn(app, other.email, TEST_PASSWORD);
    await app.finch.app.get(UsersService).setActive(other.id, false);
    await expectTokenRefused(app, accessToken);

    const doomed = await createUser(app);
    const doomedSession = await signIn(app, doomed.email, TEST_PASSWORD);
    await app.finch.app.get(DataSource).query('DELETE FROM users WHERE id = $1', [doomed.id]);
    await expectTokenRefused(app, doomedSession.accessToken);
  });

  it('refuses the token of a session that was revoked (signed out)', async () => {
    const other = await signIn(app, user.email, TEST_PASSWORD);
    await fetch(`${app.baseUrl}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: other.cookie, 'x-finch-csrf': '1' },
    });
    await expectTokenRefused(app, other.accessToken);
  });

  it('refuses a malformed Authorization header, and ignores a token in the query string', async () => {
    for (const authorization of [
      `Basic ${Buffer.from(`${user.email}:${TEST_PASSWORD}`).toString('base64')}`,
      'Bearer',
      `Bearer  ${session.accessToken}`,
      `Token ${session.accessToken}`,
      'Bearer not-a-jwt',
    ]) {
      await expectProblem(await me(app, { authorization }), 401);
    }
    const inQuery = await fetch(`${app.baseUrl}/api/auth/me?access_token=${session.accessToken}`);
    await expectProblem(inQuery, 401);
  });

  it('is not a refresh token: an access token in the refresh cookie is refused', async () => {
    await expectProblem(await refresh(app, `finch_refresh=${session.accessToken}`), 401);
  });
});

describe('API tokens', () => {
  let app: TestApp;
  let owner: TestUser;
  let session: SignedIn;

  beforeAll(async () => {
    app = await startTestApp();
    owner = await createUser(app, { name: 'Token Owner' });
    session = await signIn(app, owner.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
  });

  const tokensUrl = () => `${app.baseUrl}/api/auth/tokens`;
  async function createToken(
    body: Record<string, unknown>,
    accessToken = session.accessToken,
  ): Promise<Response> {
    return sendJson(tokensUrl(), body, { headers: bearer(accessToken) });
  }
  async function newToken(
    body: Record<string, unknown> = {},
  ): Promise<{ id: string; token: string }> {
    const response = await createToken({ name: 'CI', scopes: ['write'], ...body });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; token: string };
  }
  const dataSource = () => app.finch.app.get(DataSource);

  it('shows a new token once, as finch_<random>, and keeps only its SHA-256 and a short prefix', async () => {
    const response = await createToken({ name: 'Netlify build', scopes: ['read', 'write'] });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const created = (await response.json()) as Record<string, unknown>;
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Netlify build',
      prefix: String(created.token).slice(0, 12),
      scopes: ['read', 'write'],
      expiresAt: null,
      lastUsedAt: null,
      createdAt: expect.any(String),
      token: expect.stringMatching(/^finch_[A-Za-z0-9_-]{43}$/),
    });
    const [row] = await dataSource().query<Array<Record<string, unknown>>>(
      'SELECT * FROM api_tokens WHERE id = $1',
      [created.id],
    );
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(String(created.token).slice(12));

    const list = await fetch(tokensUrl(), { headers: bearer(session.accessToken) });
    const { items } = (await list.json()) as { items: Array<Record<string, unknown>> };
    const listed = items.find((item) => item.id === created.id)!;
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('token');
    expect(JSON.stringify(items)).not.toMatch(/token_?hash/i);
  });

  it('authenticates as its owner with its scopes, and records when it was last used', async () => {
    const { id, token } = await newToken({ scopes: ['write', 'read'] });
    const response = await me(app, bearer(token));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: owner.id,
      authentication: { method: 'api-token', scopes: ['read', 'write'] },
    });
    const [row] = await dataSource().query<Array<{ last_used_at: Date | null }>>(
      'SELECT last_used_at FROM api_tokens WHERE id = $1',
      [id],
    );
    expect(row.last_used_at).toBeInstanceOf(Date);
  });

  it('needs the write scope on every route that is not public (read is for drafts and previews)', async () => {
    const { token } = await newToken({ scopes: ['read'] });
    const problem = await expectProblem(await me(app, bearer(token)), 403);
    expect(problem.type).toBe('urn:finch:problem:missing-token-scope');
  });

  it('cannot make, list or revoke API tokens, nor list sessions: those need a person signed in', async () => {
    const { id, token } = await newToken();
    expect(
      (await expectProblem(await createToken({ name: 'more', scopes: ['write'] }, token), 403))
        .type,
    ).toBe('urn:finch:problem:api-token-not-accepted');
    await expectProblem(await fetch(tokensUrl(), { headers: bearer(token) }), 403);
    await expectProblem(
      await fetch(`${tokensUrl()}/${id}`, { method: 'DELETE', headers: bearer(token) }),
      403,
    );
    await expectProblem(
      await fetch(`${app.baseUrl}/api/auth/sessions`, { headers: bearer(token) }),
      403,
    );
  });

  it('stops working once revoked, and disappears from the list', async () => {
    const { id, token } = await newToken();
    const revoked = await fetch(`${tokensUrl()}/${id}`, {
      method: 'DELETE',
      headers: bearer(session.accessToken),
    });
    expect(revoked.status).toBe(204);
    await expectTokenRefused(app, token);
    const { items } = (await (
      await fetch(tokensUrl(), { headers: bearer(session.accessToken) })
    ).json()) as { items: Array<{ id: string }> };
    expect(items.map((item) => item.id)).not.toContain(id);
    await expectProblem(
      await fetch(`${tokensUrl()}/${id}`, {
        method: 'DELETE',
        headers: bearer(session.accessToken),
      }),
      404,
    );
  });

  it('stops working once expired', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const { id, token } = await newToken({ expiresAt: soon });
    expect((await me(app, bearer(token))).status).toBe(200);
    await dataSource().query(
      `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    await expectTokenRefused(app, token);
  });

  it("stops working when its owner is deactivated, and survives the owner's password change", async () => {
    const other = await createUser(app);
    const otherSession = await signIn(app, other.email, TEST_PASSWORD);
    const created = await createToken({ name: 'x', scopes: ['write'] }, otherSession.accessToken);
    const { token } = (await created.json()) as { token: string };
    const users = app.finch.app.get(UsersService);
    await users.setPassword(other.id, 'yet another fine passphrase');
    expect((await me(app, bearer(token))).status).toBe(200);
    await users.setActive(other.id, false);
    await expectTokenRefused(app, token);
  });

  it('refuses unknown and guessed tokens', async () => {
    await expectTokenRefused(app, `finch_${'A'.repeat(43)}`);
    await expectTokenRefused(app, 'finch_');
  });

  it("cannot revoke another user's token", async () => {
    const other = await createUser(app);
    const otherSession = await signIn(app, other.email, TEST_PASSWORD);
    const { id, token } = (await (
      await createToken({ name: 'theirs', scopes: ['write'] }, otherSession.accessToken)
    ).json()) as { id: string; token: string };
    await expectProblem(
      await fetch(`${tokensUrl()}/${id}`, {
        method: 'DELETE',
        headers: bearer(session.accessToken),
      }),
      404,
    );
    expect((await me(app, bearer(token))).status).toBe(200);
  });

  it.each([
    ['no name', { scopes: ['write'] }, 'name'],
    ['a blank name', { name: '   ', scopes: ['write'] }, 'name'],
    ['no scopes', { name: 'x', scopes: [] }, 'scopes'],
    ['an unknown scope', { name: 'x', scopes: ['admin'] }, 'scopes'],
    ['a repeated scope', { name: 'x', scopes: ['read', 'read'] }, 'scopes'],
    [
      'an expiry in the past',
      { name: 'x', scopes: ['read'], expiresAt: '2001-01-01T00:00:00Z' },
      'expiresAt',
    ],
    [
      'an expiry that is not a date',
      { name: 'x', scopes: ['read'], expiresAt: 'tomorrow' },
      'expiresAt',
    ],
    [
      'an owner (mass assignment)',
      { name: 'x', scopes: ['read'], userId: '00000000-0000-4000-8000-000000000000' },
      'userId',
    ],
    [
      'a chosen hash (mass assignment)',
      { name: 'x', scopes: ['read'], tokenHash: '0'.repeat(64) },
      'tokenHash',
    ],
  ])('refuses a token with %s, naming the field', async (_case, body, field) => {
    const problem = await expectProblem(await createToken(body), 400);
    expect(problem.errors?.map((error) => error.path)).toContain(field);
  });

  it('needs a signed-in user to make a token', async () => {
    await expectProblem(await sendJson(tokensUrl(), { name: 'x', scopes: ['read'] }), 401);
  });
});
