import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '#src/accounts/user.entity.js';

/**
 * One refresh token of a signed-in session. Refreshing replaces it with a new row of the
 * same family and marks this one rotated; presenting a rotated token again means it was
 * stolen, and the whole family is revoked.
 */
@Entity('auth_sessions')
@Index('IDX_auth_sessions_family', ['familyId'])
@Index('IDX_auth_sessions_user', ['userId'])
export class AuthSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** Every token issued from one sign-in shares the family. */
  @Column({ name: 'family_id', type: 'uuid' })
  familyId: string;

  /** SHA-256 of the refresh token; the token itself is never stored. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true, select: false })
  tokenHash: string;

  /**
   * The user's token version when the family started. A password change or deactivation
   * raises the user's, and the family can no longer be refreshed.
   */
  @Column({ name: 'token_version', type: 'integer' })
  tokenVersion: number;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, default: '' })
  userAgent: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  ip: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
