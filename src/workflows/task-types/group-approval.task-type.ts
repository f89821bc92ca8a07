import type { EntityManager } from 'typeorm';
import type { FieldError } from '#src/errors/domain-error.js';
import type {
  Reviewer,
  TaskRef,
  WorkflowTaskType,
} from '#src/workflows/task-types/workflow-task-type.js';

/**
 * Wagtail's GroupApprovalTask: any member of one of the task's groups may approve or send
 * back; superusers always may. A task whose groups were all deleted waits for a superuser.
 */
export class GroupApprovalTaskType implements WorkflowTaskType {
  readonly key = 'group_approval';
  readonly label = 'Group approval';
  readonly description = 'A member of any of the chosen groups approves or requests changes.';
  readonly usesGroups = true;

  checkOptions(options: unknown): { options: Record<string, unknown>; errors: FieldError[] } {
    if (options === undefined || options === null) return { options: {}, errors: [] };
    if (typeof options !== 'object' || Array.isArray(options) || Object.keys(options).length > 0) {
      return {
        options: {},
        errors: [{ path: 'options', message: 'group approval takes no options: leave it out' }],
      };
    }
    return { options: {}, errors: [] };
  }

  async reviewableBy(
    tx: EntityManager,
    user: Reviewer,
    tasks: readonly TaskRef[],
  ): Promise<Set<string>> {
    if (tasks.length === 0) return new Set();
    if (user.isSuperuser) return new Set(tasks.map((task) => task.id));
    const rows = await tx.query<Array<{ task_id: string }>>(
      `SELECT DISTINCT tg.task_id FROM workflow_task_groups tg
         JOIN user_groups ug ON ug.group_id = tg.group_id
        WHERE tg.task_id = ANY($1::uuid[]) AND ug.user_id = $2`,
      [tasks.map((task) => task.id), user.id],
    );
    return new Set(rows.map((row) => row.task_id));
  }

  async reviewerIds(tx: EntityManager, task: TaskRef): Promise<string[]> {
    const rows = await tx.query<Array<{ user_id: string }>>(
      `SELECT DISTINCT ug.user_id FROM workflow_task_groups tg
         JOIN user_groups ug ON ug.group_id = tg.group_id
        WHERE tg.task_id = $1`,
      [task.id],
    );
    return rows.map((row) => row.user_id);
  }
}
