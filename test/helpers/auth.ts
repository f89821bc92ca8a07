import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { User } from '#src/accounts/user.entity.js';
import { type NewUser, UsersService } from '#src/accounts/users.service.js';
import { CSRF_HEADER } from '#src/auth/csrf.guard.js';
import type { TestApp } from '#test/helpers/test-app.js';

/** Passes the password policy; every test user gets it unless told otherwise. */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser extends User {
  /** The password it was created with (undefined for an invited user). */
  password?: string;
}

/**
 * A user made through UsersService (the way the app makes them): a unique email unless
 * given, TEST_PASSWORD unless `password` is given (`null`: no password, like an invited user).
 */
export async function createUser(
  app: TestApp,
  input: Partial<Omit<NewUser, 'password'>> & { password?: string | null } = {},
): Promise<TestUser> {
  const password = input.password === null ? undefined : (input.password ?? TEST_PASSWORD);
  const user = await app.finch.app.get(UsersService).create({
    ...input,
    email: input.email ?? `user-${randomBytes(5).toString('hex')}@example.com`,
    name: input.name ?? 'Test User',
    password,
  });
  return { ...user, password };
}

export interface SignedIn {
  accessToken: string;
  expiresIn: number;
  /** The refresh cookie as a `Cookie` header value, e.g. `finch_refresh=…`. */
  cookie: string;
  user: { id: string; email: string; name: string; isSuperuser: boolean };
}

/** The refresh cookie a response sets, as `name=value`, or undefined. */
export function refreshCookieFrom(response: Response): string | undefined {
  const header = response.headers
    .getSetCookie()
    .find((cookie) => /^(__Host-)?finch_refresh=/.test(cookie));
  const pair = header?.split(';')[0];
  return pair && !pair.endsWith('=') ? pair : undefined;
}

/** Signs in over HTTP; throws with the response when that fails. */
export async function signIn(app: TestApp, email: string, password: string): Promise<SignedIn> {
  const response = await fetch(`${app.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) {
    throw new Error(`Signing in as ${email} failed: ${response.status} ${await response.text()}`);
  }
  const body = (await response.json()) as Omit<SignedIn, 'cookie'>;
  const cookie = refreshCookieFrom(response);
  if (!cookie) throw new Error('Signing in set no refresh cookie.');
  return { ...body, cookie };
}

/** Headers that authenticate with an access token or API token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** POST /api/auth/refresh as the admin UI does it: the cookie and the CSRF header. */
export function refresh(app: TestApp, cookie: string): Promise<Response> {
  return fetch(`${app.baseUrl}/api/auth/refresh`, {
    method: 'POST',
    headers: { cookie, [CSRF_HEADER]: '1' },
  });
}

/** Forgets every sign-in and reset throttle counter, as if an hour had passed. */
export async function clearThrottle(app: TestApp): Promise<void> {
  await app.finch.app.get(DataSource).query('DELETE FROM auth_throttle');
}
