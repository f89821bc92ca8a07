import { describe, expect, it } from '@jest/globals';
import {
  delayAfter,
  LOGIN_FAILURES_PER_ACCOUNT,
  LOGIN_FAILURES_PER_ADDRESS,
  RESET_REQUESTS_PER_ACCOUNT,
} from '#src/auth/auth-throttle.service.js';

describe('throttle policies', () => {
  it('blocks an account for 15 s at its 5th failure, doubling with each further one up to 15 minutes', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 50].map((events) =>
      delayAfter(LOGIN_FAILURES_PER_ACCOUNT, events),
    );
    expect(waits).toEqual([0, 0, 0, 0, 15, 30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('allows a shared address (an office, a NAT) more failures than one account', () => {
    expect(delayAfter(LOGIN_FAILURES_PER_ADDRESS, 19)).toBe(0);
    expect(delayAfter(LOGIN_FAILURES_PER_ADDRESS, 20)).toBe(15);
  });

  it('blocks an email for a minute at its 3rd reset request, doubling with each further one', () => {
    expect([1, 2, 3, 4, 5].map((events) => delayAfter(RESET_REQUESTS_PER_ACCOUNT, events))).toEqual(
      [0, 0, 60, 120, 240],
    );
  });
});
