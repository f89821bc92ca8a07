import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { clearThrottle, createUser, TEST_PASSWORD } from '#test/helpers/auth.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const WRONG = 'this is not the password';

function login(
  app: TestApp,
  email: string,
  password: string,
  options: { path?: string; from?: string } = {},
): Promise<Response> {
  return sendJson(
    `${app.baseUrl}${options.path ?? '/api/auth/login'}`,
    { email, password },
    { headers: options.from ? { 'x-forwarded-for': options.from } : {} },
  );
}

/** Expects a 429 problem with a Retry-After within [min, max] seconds; returns it. */
async function expectBlocked(response: Response, min: number, max: number): Promise<number> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const problem = await expectProblem(response, 429);
  expect(problem.type).toBe('urn:finch:problem:too-many-attempts');
  expect(retryAfter).toBeGreaterThanOrEqual(min);
  expect(retryAfter).toBeLessThanOrEqual(max);
  return retryAfter;
}

async function expectStatus(response: Response, status: number): Promise<void> {
  expect({ status: response.status, body: await response.text() }).toMatchObject({ status });
}

/** Lifts every current block, as if its wait had passed (the counts stay). */
async function waitOutBlocks(app: TestApp): Promise<void> {
  await app.finch.app
    .get(DataSource)
    .query(
      `UPDATE auth_throttle SET blocked_until = now() - interval '1 second' WHERE blocked_until IS NOT NULL`,
    );
}

async function accountEvents(app: TestApp, email: string): Promise<number> {
  const key = `login-account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  const rows = await app.finch.app
    .get(DataSource)
    .query<Array<{ events: number }>>('SELECT events FROM auth_throttle WHERE key = $1', [key]);
  return rows[0]?.events ?? 0;
}

describe('sign-in throttling (no TRUST_PROXY)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    await clearThrottle(app);
  });

  it('blocks an account after 5 failures, however its email is cased or spaced and whatever the path spelling', async () => {
    const victim = await createUser(app, { email: 'victim@example.com' });
    await expectStatus(await login(app, 'victim@example.com', WRONG), 401);
    await expectStatus(await login(app, 'VICTIM@Example.COM', WRONG), 401);
    await expectStatus(await login(app, '  victim@example.com\t', WRONG), 401);
    await expectStatus(
      await login(app, 'victim@example.com', WRONG, { path: '/api/auth/login/' }),
      401,
    );
    await expectStatus(
      await login(app, 'Victim@example.com', WRONG, { path: '/api/auth/login?via=form' }),
      401,
    );
    // The path is case-sensitive: another spelling is no other door to the same handler.
    await expectStatus(
      await login(app, 'victim@example.com', WRONG, { path: '/API/AUTH/LOGIN' }),
      404,
    );

    await expectBlocked(await login(app, victim.email, TEST_PASSWORD), 1, 15);
    await expectBlocked(await login(app, ' VICTIM@example.com', TEST_PASSWORD), 1, 15);
    await expectBlocked(
      await login(app, victim.email, TEST_PASSWORD, { path: '/api/auth/login/' }),
      1,
      15,
    );
  });

  it('blocks an unknown email the same way, so a block tells nobody who has an account', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      await expectStatus(await login(app, 'nobody@example.com', WRONG), 401);
    }
    await expectBlocked(await login(app, 'nobody@example.com', WRONG), 1, 15);
  });

  it('doubles the wait with each failure after a block, up to 15 minutes', async () => {
    const email = 'doubling@example.com';
    for (let attempt = 0; attempt < 5; attempt++) await login(app, email, WRONG);
    await expectBlocked(await login(app, email, WRONG), 1, 15);

    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      await waitOutBlocks(app);
      await expectStatus(await login(app, email, WRONG), 401);
      waits.push(await expectBlocked(await login(app, email, WRONG), 1, 900));
    }
    expect(waits[0]).toBeGreaterThan(15);
    expect(waits[0]).toBeLessThanOrEqual(30);
    expect(waits[1]).toBeGreaterThan(30);
    expect(waits[1]).toBeLessThanOrEqual(60);
    expect(waits[2]).toBeGreaterThan(60);
    expect(waits[2]).toBeLessThanOrEqual(120);

    await app.finch.app.get(DataSource).query('UPDATE auth_throttle SET events = 40');
    await waitOutBlocks(app);
    await login(app, email, WRONG);
    await expectBlocked(await login(app, email, WRONG), 890, 900);
  });

  it('forgets the failures of an account once its owner signs in', async () => {
    const user = await createUser(app);
    for (let attempt = 0; attempt < 4; attempt++) await login(app, user.email, WRONG);
    expect(await accountEvents(app, user.email)).toBe(4);
    await expectStatus(await login(app, user.email, TEST_PASSWORD), 200);
    expect(await accountEvents(app, user.email)).toBe(0);
  });

  it('blocks a client address after 20 failures over any accounts; X-Forwarded-For does not dodge it', async () => {
    const user = await createUser(app);
    for (let attempt = 0; attempt < 20; attempt++) {
      await expectStatus(
        await login(app, `guess-${attempt}@example.com`, WRONG, { from: `198.51.100.${attempt}` }),
        401,
      );
    }
    await expectBlocked(await login(app, 'fresh@example.com', WRONG), 1, 15);
    await expectBlocked(
      await login(app, 'fresh@example.com', WRONG, { from: '192.0.2.77' }),
      1,
      15,
    );
    await expectBlocked(await login(app, user.email, TEST_PASSWORD, { from: '192.0.2.78' }), 1, 15);
  });

  it('limits password reset requests per email (existing or not) and per address', async () => {
    const user = await createUser(app);
    const reset = (email: string) => sendJson(`${app.baseUrl}/api/auth/password-reset`, { email });
    for (const email of [user.email, 'nobody-here@example.com']) {
      for (let attempt = 0; attempt < 3; attempt++) await expectStatus(await reset(email), 202);
      await expectBlocked(await reset(email.toUpperCase()), 1, 60);
    }
    await clearThrottle(app);
    for (let attempt = 0; attempt < 10; attempt++) {
      await expectStatus(await reset(`someone-${attempt}@example.com`), 202);
    }
    await expectBlocked(await reset('one-more@example.com'), 1, 60);
  });
});

describe('sign-in throttling behind a trusted proxy (TRUST_PROXY=true)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    await clearThrottle(app);
  });

  it('counts each forwarded client address apart', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      await login(app, `probe-${attempt}@example.com`, WRONG, { from: '203.0.113.1' });
    }
    await expectBlocked(await login(app, 'x@example.com', WRONG, { from: '203.0.113.1' }), 1, 15);
    await expectStatus(await login(app, 'x@example.com', WRONG, { from: '203.0.113.2' }), 401);
  });

  it('counts a whole IPv6 /64 as one client', async () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      await login(app, `v6-${attempt}@example.com`, WRONG, {
        from: `2001:db8:1:2::${attempt.toString(16)}`,
      });
    }
    await expectBlocked(
      await login(app, 'y@example.com', WRONG, { from: '2001:db8:1:2:ffff::99' }),
      1,
      15,
    );
    await expectStatus(await login(app, 'y@example.com', WRONG, { from: '2001:db8:1:3::1' }), 401);
  });

  it('does not let an attacker elsewhere lock the owner out where they signed in before', async () => {
    const owner = await createUser(app);
    await expectStatus(await login(app, owner.email, TEST_PASSWORD, { from: '198.51.100.7' }), 200);
    for (let attempt = 0; attempt < 5; attempt++) {
      await expectStatus(await login(app, owner.email, WRONG, { from: '203.0.113.50' }), 401);
    }
    // The attacker, and anyone at an address the owner never used, must wait...
    await expectBlocked(
      await login(app, owner.email, TEST_PASSWORD, { from: '203.0.113.50' }),
      1,
      15,
    );
    await expectBlocked(await login(app, owner.email, TEST_PASSWORD, { from: '192.0.2.9' }), 1, 15);
    // ...but the owner, from their usual address, signs in.
    await expectStatus(await login(app, owner.email, TEST_PASSWORD, { from: '198.51.100.7' }), 200);
  });
});
