import type { EntityManager } from 'typeorm';
import type { FieldError } from '#src/errors/domain-error.js';

/** A task as its type sees it. */
export interface TaskRef {
  id: string;
  name: string;
  type: string;
  options: Record<string, unknown>;
}

/** Who is asking. */
export interface Reviewer {
  id: string;
  isSuperuser: boolean;
}

/**
 * A kind of task (Wagtail's Task subclasses). Finch ships `group_approval`; another module
 * adds its own with `WorkflowTaskTypes.register()` in its `onModuleInit`.
 */
export interface WorkflowTaskType {
  /** Stored on the task, e.g. `group_approval`: lower case, digits and `_`. */
  readonly key: string;
  readonly label: string;
  readonly description: string;
  /** Whether the task's `groups` mean something to this type (and must be given). */
  readonly usesGroups: boolean;
  /** Checks the type's options; errors name `options.<key>`. Returns them normalised. */
  checkOptions(options: unknown): { options: Record<string, unknown>; errors: FieldError[] };
  /** Of `tasks` (all of this type), the ids `user` may approve or send back. */
  reviewableBy(tx: EntityManager, user: Reviewer, tasks: readonly TaskRef[]): Promise<Set<string>>;
  /** Who to tell that a task awaits review (user ids; may include inactive users). */
  reviewerIds(tx: EntityManager, task: TaskRef): Promise<string[]>;
}
