import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** Where a resubmitted page starts again: the task that sent it back, or the first task. */
export const RESUBMIT_FROM = ['current_task', 'first_task'] as const;
export type ResubmitFrom = (typeof RESUBMIT_FROM)[number];

/** An ordered list of tasks a page passes before it goes live (Wagtail's Workflow). */
@Entity('workflows')
@Index('UQ_workflows_name', { synchronize: false })
@Index('UQ_workflows_default', ['isDefault'], { unique: true, where: '"is_default"' })
export class Workflow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Inactive workflows are not assigned to new submissions; deactivating cancels its states. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Whether those with `publish_page` may still publish directly, skipping the workflow. */
  @Column({ name: 'allow_bypass', type: 'boolean', default: true })
  allowBypass: boolean;

  @Column({ name: 'resubmit_from', type: 'varchar', length: 16, default: 'current_task' })
  resubmitFrom: ResubmitFrom;

  /** The workflow of pages with no assignment on themselves or an ancestor. At most one. */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
