import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '#src/accounts/user.entity.js';
import type { PublishableType } from '#src/publishing/publishable-columns.js';
import { Workflow } from '#src/workflows/workflow.entity.js';

export const WORKFLOW_STATUSES = ['in_progress', 'needs_changes', 'approved', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/** One submission of an object to a workflow, from submit to its end (Wagtail's WorkflowState). */
@Entity('workflow_states')
@Index('IDX_workflow_states_object', ['objectType', 'objectId', 'createdAt'])
@Index('UQ_workflow_states_active', ['objectType', 'objectId'], {
  unique: true,
  where: `"status" IN ('in_progress', 'needs_changes')`,
})
@Index('IDX_workflow_states_requested_by', ['requestedById', 'createdAt'])
export class WorkflowState {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'object_type', type: 'varchar', length: 16 })
  objectType: PublishableType;

  @Column({ name: 'object_id', type: 'uuid' })
  objectId: string;

  /** The workflow it was submitted to: it keeps it to the end, whatever is reassigned. */
  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId: string;

  @Column({ type: 'varchar', length: 16 })
  status: WorkflowStatus;

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedById: string | null;

  @Column({ name: 'current_task_state_id', type: 'uuid', nullable: true })
  currentTaskStateId: string | null;

  /** The tasks approved in this round; the next task is the first of the workflow not here. */
  @Column({ name: 'approved_task_ids', type: 'uuid', array: true, default: () => "'{}'" })
  approvedTaskIds: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @ManyToOne(() => Workflow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'workflow_id' })
  workflow?: Relation<Workflow>;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'requested_by' })
  requestedBy?: Relation<User>;
}
