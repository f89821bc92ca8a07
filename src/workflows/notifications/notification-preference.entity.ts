import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { User } from '#src/accounts/user.entity.js';

/** The kinds of workflow email a user can turn off, one by one. */
export const WORKFLOW_NOTIFICATION_KINDS = [
  'task_awaiting_review',
  'submission_approved',
  'changes_requested',
  'published',
] as const;
export type WorkflowNotificationKind = (typeof WORKFLOW_NOTIFICATION_KINDS)[number];

/** A user's choice for one kind of notification; no row means the kind is on. */
@Entity('user_notification_preferences')
export class NotificationPreference {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  kind: WorkflowNotificationKind;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;
}
