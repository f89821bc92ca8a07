import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what to which object, when and from where. Append-only. */
@Entity('audit_log')
@Index('IDX_audit_log_created', ['createdAt'])
@Index('IDX_audit_log_actor', ['actorId', 'createdAt'])
@Index('IDX_audit_log_object', ['objectType', 'objectId'])
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** Null for anonymous actions (a failed sign-in) and for the system itself. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  /** e.g. `auth.login`, `auth.login_failed`, `users.password_changed`, `groups.permissions_changed`. */
  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'object_type', type: 'varchar', length: 64, nullable: true })
  objectType: string | null;

  @Column({ name: 'object_id', type: 'varchar', length: 64, nullable: true })
  objectId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data: Record<string, unknown>;

  @Column({ type: 'varchar', length: 64, default: '' })
  ip: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
