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

export type OneTimeTokenPurpose = 'password_reset' | 'invitation';

/** A single-use, expiring token sent by email: password resets and invitations. */
@Entity('one_time_tokens')
@Index('IDX_one_time_tokens_user', ['userId', 'purpose'])
export class OneTimeToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 32 })
  purpose: OneTimeTokenPurpose;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true, select: false })
  tokenHash: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
