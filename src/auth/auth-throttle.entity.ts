import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * How many times lately one subject (an account, a client address) failed to sign in or
 * asked for a password reset, and until when it must wait. Kept in PostgreSQL so that
 * every replica counts the same attempts.
 */
@Entity('auth_throttle')
@Index('IDX_auth_throttle_last_event', ['lastEventAt'])
export class AuthThrottleCounter {
  /** `<policy>:<SHA-256 of the subject>`: no address or email is stored in the clear. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'integer' })
  events: number;

  @Column({ name: 'last_event_at', type: 'timestamptz' })
  lastEventAt: Date;

  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil: Date | null;
}
