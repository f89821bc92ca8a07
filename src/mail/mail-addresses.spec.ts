import { describe, expect, it } from '@jest/globals';
import { problemFor } from '#src/http/problem-mapping.js';
import {
  formatMailAddress,
  MAX_RECIPIENTS,
  parseMailAddress,
  parseMailAddresses,
  parseMailAddressFields,
} from '#src/mail/mail-addresses.js';
import { InvalidMailAddressError } from '#src/mail/mail.errors.js';

function problemOf(input: unknown): string | undefined {
  const parsed = parseMailAddress(input);
  return 'problem' in parsed ? parsed.problem : undefined;
}

function thrownBy(work: () => unknown): InvalidMailAddressError {
  try {
    work();
  } catch (error) {
    if (error instanceof InvalidMailAddressError) return error;
    throw error;
  }
  throw new Error('expected InvalidMailAddressError');
}

describe('mail address validation', () => {
  it('accepts a bare address, a named one and a { name, address } object', () => {
    expect(parseMailAddress('ada@example.com')).toEqual({ name: '', address: 'ada@example.com' });
    expect(parseMailAddress('Ada Lovelace <ada@example.com>')).toEqual({
      name: 'Ada Lovelace',
      address: 'ada@example.com',
    });
    expect(parseMailAddress('"Lovelace, Ada" <ada@example.com>')).toEqual({
      name: 'Lovelace, Ada',
      address: 'ada@example.com',
    });
    expect(parseMailAddress({ name: 'Ada', address: 'ada@example.com' })).toEqual({
      name: 'Ada',
      address: 'ada@example.com',
    });
    // Finch's default MAIL_FROM in development is no-reply@localhost; Django allows it too.
    expect(parseMailAddress('Finch <no-reply@localhost>')).toEqual({
      name: 'Finch',
      address: 'no-reply@localhost',
    });
    expect(parseMailAddress({ address: 'zoë@bücher.example' })).toEqual({
      name: '',
      address: 'zoë@bücher.example',
    });
  });

  it.each([
    ['bob@', 'is not a valid email address'],
    ['not an address', 'has no address'],
    ['ada@intranet', 'is not a valid email address'],
    ['ada@exa mple.com', 'is not a valid email address'],
    ['ada@[127.0.0.1]', 'is not a valid email address'],
    ['', 'is empty'],
    ['   ', 'is empty'],
  ])('refuses %j', (input, problem) => {
    expect(problemOf(input)).toContain(problem);
  });

  it('refuses a string holding several addresses or a group: one entry, one address', () => {
    expect(problemOf('ada@example.com, eve@example.com')).toContain('holds 2 addresses');
    expect(problemOf('friends: ada@example.com, eve@example.com;')).toContain('address group');
  });

  it.each([
    'Eve <eve@example.com>\r\nBcc: mallory@example.com',
    'Eve <eve@example.com>\nBcc: mallory@example.com',
    'eve@example.com\rBcc: mallory@example.com',
    'Eve\u2028 <eve@example.com>',
  ])('refuses line breaks anywhere in a string entry: %j', (input) => {
    expect(problemOf(input)).toBe('must not contain line breaks');
  });

  it('refuses line breaks and control characters in an object name or address', () => {
    expect(problemOf({ name: 'Eve\r\nBcc: mallory@example.com', address: 'eve@example.com' })).toBe(
      'must not contain line breaks',
    );
    expect(problemOf({ name: 'Eve', address: 'eve@example.com\nBcc: x@example.com' })).toBe(
      'must not contain line breaks',
    );
    expect(problemOf({ name: 'Eve\u0000', address: 'eve@example.com' })).toBe(
      'must not contain control characters',
    );
  });

  it('refuses line breaks inside a quoted name, escaped or not', () => {
    const parsed = parseMailAddress('"Eve\\\r\nBcc: mallory@example.com" <eve@example.com>');
    expect(parsed).toEqual({ problem: 'must not contain line breaks' });
  });

  it('refuses what is not an address at all', () => {
    expect(problemOf(42)).toContain('expected an address');
    expect(problemOf(null)).toContain('expected an address');
    expect(problemOf({ name: 'Ada' })).toBe('needs an address');
    expect(problemOf({ name: 7, address: 'ada@example.com' })).toBe('has a name that is not text');
  });

  it('names every wrong entry by its path, and checks all fields before throwing', () => {
    const error = thrownBy(() =>
      parseMailAddressFields({
        to: {
          input: ['ada@example.com', 'bob@', 'Eve <eve@example.com>\nBcc: x@example.com'],
          required: true,
        },
        replyTo: { input: 'nobody', required: false },
      }),
    );
    expect(error.errors).toEqual([
      { path: 'to[1]', message: '"bob@" is not a valid email address' },
      { path: 'to[2]', message: 'must not contain line breaks' },
      { path: 'replyTo[0]', message: '"nobody" has no address' },
    ]);
  });

  it('needs at least one recipient and at most MAX_RECIPIENTS', () => {
    expect(thrownBy(() => parseMailAddresses('to', [], { required: true })).errors).toEqual([
      { path: 'to', message: 'needs at least one address' },
    ]);
    expect(parseMailAddresses('replyTo', undefined, { required: false })).toEqual([]);
    const many = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, index) => `r${index}@example.com`);
    expect(thrownBy(() => parseMailAddresses('to', many, { required: true })).errors?.[0]).toEqual({
      path: 'to',
      message: expect.stringContaining(`at most ${MAX_RECIPIENTS}`),
    });
  });

  it('becomes a 400 problem with the invalid-mail-address type and the field errors', () => {
    const error = thrownBy(() => parseMailAddresses('to', 'bob@', { required: true }));
    const { problem, unexpected } = problemFor(error);
    expect(unexpected).toBe(false);
    expect(problem).toMatchObject({
      type: 'urn:finch:problem:invalid-mail-address',
      status: 400,
      title: 'A mail address is not valid',
      errors: [{ path: 'to[0]', message: '"bob@" is not a valid email address' }],
    });
  });

  it('formats an address for people', () => {
    expect(formatMailAddress({ name: 'Ada', address: 'ada@example.com' })).toBe(
      'Ada <ada@example.com>',
    );
    expect(formatMailAddress({ name: '', address: 'ada@example.com' })).toBe('ada@example.com');
  });
});
