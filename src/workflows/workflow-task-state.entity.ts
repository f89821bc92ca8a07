import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '#src/accounts/user.entity.js';
import { Revision } from '#src/publishing/revision.entity.js';
import { WorkflowState } from '#src/workflows/workflow-state.entity.js';
import { WorkflowTask } from '#src/workflows/workflow-task.entity.js';

export const TASK_STATUSES = ['in_progress', 'approved', 'rejected', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** One task's review of one revision within a workflow state (Wagtail's TaskState). */
@Entity('workflow_task_states')
@Index('IDX_workflow_task_states_state', ['workflowStateId', 'startedAt'])
@Index('IDX_workflow_task_states_open', ['taskId'], { where: `"status" = 'in_progress'` })
export class WorkflowTaskState {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workflow_state_id', type: 'uuid' })
  workflowStateId: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  /** The revision under review; null once retention pruned it. */
  @Column({ name: 'revision_id', type: 'bigint', nullable: true })
  revisionId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: TaskStatus;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'finished_by', type: 'uuid', nullable: true })
  finishedById: string | null;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @ManyToOne(() => WorkflowState, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_state_id' })
  workflowState?: Relation<WorkflowState>;

  @ManyToOne(() => WorkflowTask, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'task_id' })
  task?: Relation<WorkflowTask>;

  @ManyToOne(() => Revision, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'revision_id' })
  revision?: Relation<Revision>;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'finished_by' })
  finishedBy?: Relation<User>;
}
