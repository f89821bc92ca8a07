import { Injectable } from '@nestjs/common';
import { GroupApprovalTaskType } from '#src/workflows/task-types/group-approval.task-type.js';
import type { WorkflowTaskType } from '#src/workflows/task-types/workflow-task-type.js';

const TASK_TYPE_KEY = /^[a-z][a-z0-9_]{0,62}$/;

/** The task types Finch knows: `group_approval`, and any a module registers. */
@Injectable()
export class WorkflowTaskTypes {
  private readonly types = new Map<string, WorkflowTaskType>();

  constructor() {
    this.register(new GroupApprovalTaskType());
  }

  register(type: WorkflowTaskType): void {
    if (!TASK_TYPE_KEY.test(type.key)) {
      throw new Error(`Task type key "${type.key}" must be lower case letters, digits and _.`);
    }
    if (this.types.has(type.key)) throw new Error(`Task type "${type.key}" is registered twice.`);
    this.types.set(type.key, type);
  }

  /** Undefined for a task whose type is no longer registered: only superusers review it. */
  find(key: string): WorkflowTaskType | undefined {
    return this.types.get(key);
  }

  list(): WorkflowTaskType[] {
    return [...this.types.values()];
  }
}
