import { describe, expect, it } from '@jest/globals';
import { isSecretKey, REDACTED, redactSecrets } from '#src/audit/secret-redaction.js';

describe('isSecretKey', () => {
  it.each([
    'password',
    'newPassword',
    'current_password',
    'passwordHash',
    'PASSWORD',
    'secret',
    'clientSecret',
    'token',
    'refresh_token',
    'accessToken',
    'tokenHash',
    'apiKey',
    'api_key',
    'private-key',
    'authorization',
    'Cookie',
    'credentials',
    'otp',
    'passphrase',
  ])('treats %s as a secret', (key) => expect(isSecretKey(key)).toBe(true));

  it.each([
    'email',
    'name',
    'key',
    'keyCount',
    'footprint',
    'passed',
    'ip',
    'permissions',
    'hashtags',
  ])('keeps %s', (key) => expect(isSecretKey(key)).toBe(false));
});

describe('redactSecrets', () => {
  it('replaces secret values at any depth, in objects and arrays, and keeps the rest', () => {
    const input = {
      email: 'ada@example.com',
      password: 'hunter2',
      nested: [{ resetToken: 'abc', when: '2026-01-01' }, 'plain'],
      count: 2,
      none: null,
    };
    expect(redactSecrets(input)).toEqual({
      email: 'ada@example.com',
      password: REDACTED,
      nested: [{ resetToken: REDACTED, when: '2026-01-01' }, 'plain'],
      count: 2,
      none: null,
    });
    expect(input.password).toBe('hunter2');
  });

  it('stops at a depth no real record has, instead of recursing forever', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 50; level++) deep = { child: deep };
    expect(JSON.stringify(redactSecrets(deep))).toContain(REDACTED);
  });
});
