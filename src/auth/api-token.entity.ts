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

export type ApiTokenScope = 'read' | 'write';

/** A named token for a machine, acting as its owner within its scopes. Shown once. */
@Entity('api_tokens')
@Index('IDX_api_tokens_user', ['userId'])
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The first characters of the token, so people can tell their tokens apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true, select: false })
  tokenHash: string;

  @Column({ type: 'text', array: true })
  scopes: ApiTokenScope[];

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
