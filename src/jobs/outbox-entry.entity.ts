import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A job waiting to be handed to the queue. Written in the same transaction as the change
 * that caused it, so a rollback leaves no job and a commit always leaves one; the relay
 * moves it to BullMQ with this id as the job id, which makes a second hand-over a no-op.
 */
@Entity('outbox')
@Index('IDX_outbox_pending', ['createdAt'], { where: '"dispatched_at" IS NULL' })
@Index('IDX_outbox_dispatched', ['dispatchedAt'], { where: '"dispatched_at" IS NOT NULL' })
export class OutboxEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The job definition's name, which is also its queue's. */
  @Column({ name: 'job_name', type: 'varchar', length: 63 })
  jobName: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  /**
   * Wait this long after dispatch before the job may run. bigint: a publication scheduled
   * months ahead is more milliseconds than an integer holds (24.8 days).
   */
  @Column({ name: 'delay_ms', type: 'bigint', default: 0 })
  delayMs: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;
}
