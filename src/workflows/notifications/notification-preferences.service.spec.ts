import { describe, expect, it } from '@jest/globals';
import { RequestValidationError } from '#src/errors/domain-error.js';
import { parseNotificationPreferenceChanges } from '#src/workflows/notifications/notification-preferences.service.js';

function refusal(input: unknown): RequestValidationError {
  try {
    parseNotificationPreferenceChanges(input);
  } catch (error) {
    if (error instanceof RequestValidationError) return error;
    throw error;
  }
  throw new Error('expected a RequestValidationError');
}

describe('parseNotificationPreferenceChanges', () => {
  it('takes any subset of the four kinds, as booleans', () => {
    expect(
      parseNotificationPreferenceChanges({ published: false, task_awaiting_review: true }),
    ).toEqual({
      published: false,
      task_awaiting_review: true,
    });
    expect(parseNotificationPreferenceChanges({})).toEqual({});
  });

  it('ignores properties that are undefined (left out of the request)', () => {
    expect(
      parseNotificationPreferenceChanges({ published: undefined, changes_requested: false }),
    ).toEqual({
      changes_requested: false,
    });
  });

  it('refuses an unknown kind and a value that is not a boolean, naming each field', () => {
    const error = refusal({ published: 'no', sms: true, changes_requested: 0 });
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([
      { path: 'published', message: 'published must be true or false' },
      {
        path: 'sms',
        message: expect.stringContaining('sms is not a kind of notification') as unknown as string,
      },
      { path: 'changes_requested', message: 'changes_requested must be true or false' },
    ]);
  });

  it.each([null, [], 'published', 1])('refuses %p, which is not an object', (input) => {
    expect(refusal(input).errors).toEqual([
      { path: '', message: 'expected an object of notification kinds and true or false' },
    ]);
  });
});
