import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { hashSecretToken } from '#src/auth/secret-tokens.js';

/**
 * How many events (failed sign-ins, reset requests) one subject may cause before it must
 * wait, and how long. The `freeEvents`-th event blocks the subject for `baseDelaySeconds`;
 * each further one (after the block ends) doubles the wait, up to `maxDelaySeconds`.
 * Events count while each follows the previous within `windowSeconds`; a subject quiet
 * for longer starts again from zero.
 */
export interface ThrottlePolicy {
  name: string;
  freeEvents: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  windowSeconds: number;
}

/** Failed sign-ins for one account (its normalized email, whether or not it exists). */
export const LOGIN_FAILURES_PER_ACCOUNT: ThrottlePolicy = {
  name: 'login-account',
  freeEvents: 5,
  baseDelaySeconds: 15,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 60 * 60,
};

/** Failed sign-ins from one client address (an IPv6 /64), whichever accounts they name. */
export const LOGIN_FAILURES_PER_ADDRESS: ThrottlePolicy = {
  name: 'login-address',
  freeEvents: 20,
  baseDelaySeconds: 15,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 60 * 60,
};

/** Password reset requests for one email address. */
export const RESET_REQUESTS_PER_ACCOUNT: ThrottlePolicy = {
  name: 'reset-account',
  freeEvents: 3,
  baseDelaySeconds: 60,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 60 * 60,
};

/** Password reset requests from one client address. */
export const RESET_REQUESTS_PER_ADDRESS: ThrottlePolicy = {
  name: 'reset-address',
  freeEvents: 10,
  baseDelaySeconds: 60,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 60 * 60,
};

export interface ThrottleSubject {
  policy: ThrottlePolicy;
  /** e.g. a normalized email or a client address. Stored only as a hash. */
  subject: string;
}

/** How long a subject that has just caused its `events`-th event must wait, in seconds. */
export function delayAfter(policy: ThrottlePolicy, events: number): number {
  if (events < policy.freeEvents) return 0;
  const doublings = Math.min(events - policy.freeEvents, 30);
  return Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** doublings);
}

function keyOf({ policy, subject }: ThrottleSubject): string {
  return `${policy.name}:${hashSecretToken(subject)}`;
}

/**
 * Counts attempts in PostgreSQL (`auth_throttle`), so every replica of the server sees the
 * same counts and the same blocks; nothing is kept in one process's memory. Time is the
 * database's clock.
 */
@Injectable()
export class AuthThrottle {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Seconds until every one of `subjects` may try again; 0 when none is blocked. */
  async retryAfterSeconds(subjects: readonly ThrottleSubject[]): Promise<number> {
    if (subjects.length === 0) return 0;
    const [row] = await this.dataSource.query<Array<{ seconds: string | null }>>(
      `SELECT ceil(extract(epoch FROM max(blocked_until) - now())) AS seconds
         FROM auth_throttle
        WHERE key = ANY($1::text[]) AND blocked_until > now()`,
      [subjects.map(keyOf)],
    );
    return row?.seconds === null || row?.seconds === undefined
      ? 0
      : Math.max(1, Number(row.seconds));
  }

  /** Counts one event for each subject, blocking those that went over their policy. */
  async record(subjects: readonly ThrottleSubject[]): Promise<void> {
    for (const subject of subjects) {
      const { policy } = subject;
      // The count restarts when the previous event is older than the window.
      const events = `CASE WHEN t.last_event_at < now() - make_interval(secs => $5) THEN 1 ELSE t.events + 1 END`;
      const blockFor = (count: string) =>
        `CASE WHEN ${count} >= $2 THEN now() + make_interval(secs => least($4::float8, $3::float8 * power(2, least(${count} - $2, 30)))) END`;
      await this.dataSource.query(
        `INSERT INTO auth_throttle AS t (key, events, last_event_at, blocked_until)
              VALUES ($1, 1, now(), ${blockFor('1')})
         ON CONFLICT (key) DO UPDATE
               SET events = ${events},
                   last_event_at = now(),
                   blocked_until = greatest(t.blocked_until, ${blockFor(`(${events})`)})`,
        [
          keyOf(subject),
          policy.freeEvents,
          policy.baseDelaySeconds,
          policy.maxDelaySeconds,
          policy.windowSeconds,
        ],
      );
    }
  }

  /** Forgets the events of `subjects` (an account after a successful sign-in). */
  async clear(subjects: readonly ThrottleSubject[]): Promise<void> {
    if (subjects.length === 0) return;
    await this.dataSource.query('DELETE FROM auth_throttle WHERE key = ANY($1::text[])', [
      subjects.map(keyOf),
    ]);
  }

  /** Deletes counters nobody has touched for a day and that block nothing. */
  async pruneStale(): Promise<number> {
    const result = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM auth_throttle
        WHERE last_event_at < now() - interval '1 day'
          AND (blocked_until IS NULL OR blocked_until < now())`,
    );
    return result[1] ?? 0;
  }
}
