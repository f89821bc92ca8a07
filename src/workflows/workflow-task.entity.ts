import {
  Column,
  CreateDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Group } from '#src/accounts/group.entity.js';

/**
 * One step of review (Wagtail's Task). What it takes to pass it is its type's business
 * (`group_approval`: a member of one of its groups approves); a task can be part of several
 * workflows. Tasks are deactivated, never deleted, so their history stays readable.
 */
@Entity('workflow_tasks')
export class WorkflowTask {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** The task type's key, e.g. `group_approval`. */
  @Column({ type: 'varchar', length: 63 })
  type: string;

  /** Type-specific settings, checked by the type. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  options: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** The reviewers, for types that use groups. A deleted group leaves the task. */
  @ManyToMany(() => Group, { onDelete: 'CASCADE' })
  @JoinTable({
    name: 'workflow_task_groups',
    joinColumn: { name: 'task_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'group_id', referencedColumnName: 'id' },
  })
  groups?: Group[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
