import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { WorkflowTask } from '#src/workflows/workflow-task.entity.js';
import { Workflow } from '#src/workflows/workflow.entity.js';

/** A task's place in a workflow. */
@Entity('workflow_steps')
export class WorkflowStep {
  @PrimaryColumn({ name: 'workflow_id', type: 'uuid' })
  workflowId: string;

  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId: string;

  @Column({ type: 'integer' })
  position: number;

  @ManyToOne(() => Workflow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id' })
  workflow?: Relation<Workflow>;

  @ManyToOne(() => WorkflowTask, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'task_id' })
  task?: Relation<WorkflowTask>;
}
