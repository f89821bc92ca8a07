import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import { type FieldError, RequestValidationError } from '#src/errors/domain-error.js';
import { PagesService } from '#src/pages/pages.service.js';
import type { CreateWorkflowDto, UpdateWorkflowDto } from '#src/workflows/dto/workflow.dto.js';
import type {
  CreateWorkflowTaskDto,
  UpdateWorkflowTaskDto,
} from '#src/workflows/dto/workflow-task.dto.js';
import { WorkflowTaskTypes } from '#src/workflows/task-types/workflow-task-types.js';
import type { WorkflowTaskType } from '#src/workflows/task-types/workflow-task-type.js';
import { type ResubmitFrom, Workflow } from '#src/workflows/workflow.entity.js';
import { WorkflowTask } from '#src/workflows/workflow-task.entity.js';
import {
  WorkflowConflictError,
  WorkflowAssignmentNotFoundError,
  WorkflowInUseError,
  WorkflowNameTakenError,
  WorkflowNotFoundError,
  WorkflowTaskNotFoundError,
} from '#src/workflows/workflows.errors.js';

/** The fields a PATCH sets: the DTO has a key for every property, most undefined. */
function changedKeys(input: object): string[] {
  return Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NamedRef {
  id: string;
  name: string;
}

export interface TaskView {
  id: string;
  name: string;
  type: string;
  active: boolean;
  groups: NamedRef[];
  options: Record<string, unknown>;
  /** The workflows the task is part of. */
  workflows: NamedRef[];
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowView {
  id: string;
  name: string;
  active: boolean;
  allowBypass: boolean;
  resubmitFrom: ResubmitFrom;
  isDefault: boolean;
  /** In review order. */
  tasks: TaskView[];
  /** The pages it is assigned to (each holds for its subtree). */
  pages: Array<{ id: string; title: string; urlPath: string }>;
  createdAt: string;
  updatedAt: string;
}

/** The workflow that holds for a page, as moderation needs it. */
export interface ApplicableWorkflow {
  id: string;
  name: string;
  allowBypass: boolean;
  resubmitFrom: ResubmitFrom;
}

/** The fields a workflow task row has, as the moderation code reads them. */
export interface TaskRow {
  id: string;
  name: string;
  type: string;
  options: Record<string, unknown>;
  active: boolean;
}

interface WorkflowRow {
  id: string;
  name: string;
  active: boolean;
  allow_bypass: boolean;
  resubmit_from: ResubmitFrom;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

/**
 * Workflows, their tasks and where they hold (Wagtail's workflow settings). A workflow
 * assigned to a page holds for its subtree, the nearest active assignment winning; the
 * default workflow holds where none does. Moderation itself is ModerationService's.
 */
@Injectable()
export class WorkflowsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly pages: PagesService,
    private readonly taskTypes: WorkflowTaskTypes,
  ) {}

  // ---------------------------------------------------------------- workflows

  async list(): Promise<WorkflowView[]> {
    return this.views(this.dataSource.manager, null);
  }

  async get(id: string, manager?: EntityManager): Promise<WorkflowView> {
    const [view] = UUID.test(id) ? await this.views(manager ?? this.dataSource.manager, [id]) : [];
    if (!view) throw new WorkflowNotFoundError(id);
    return view;
  }

  async create(input: CreateWorkflowDto, actor: AuditActor): Promise<WorkflowView> {
    return this.changeWorkflows(input.name, async (tx) => {
      await this.assertNameFree(tx, input.name);
      const taskIds = input.tasks ?? [];
      await this.assertTasksExist(tx, taskIds);
      if (input.isDefault) await tx.update(Workflow, { isDefault: true }, { isDefault: false });
      const saved = await tx.save(
        tx.create(Workflow, {
          name: input.name,
          active: input.active ?? true,
          allowBypass: input.allowBypass ?? true,
          resubmitFrom: input.resubmitFrom ?? 'current_task',
          isDefault: input.isDefault ?? false,
        }),
      );
      await this.replaceSteps(tx, saved.id, taskIds);
      await this.record(tx, actor, 'workflows.created', 'workflow', saved.id, {
        name: saved.name,
        tasks: taskIds,
      });
      return this.get(saved.id, tx);
    });
  }

  /**
   * Changes what is given. `tasks` replaces the order; reviews in progress keep their current
   * task and move on through the new order. Deactivating is ModerationService's (it cancels
   * reviews): the caller passes `onDeactivate`, run in this transaction.
   */
  async update(
    id: string,
    input: UpdateWorkflowDto,
    actor: AuditActor,
    onDeactivate: (tx: EntityManager, workflowId: string) => Promise<void>,
  ): Promise<WorkflowView> {
    return this.changeWorkflows(input.name, async (tx) => {
      const workflow = await this.lockWorkflow(tx, id);
      if (input.name !== undefined && input.name.toLowerCase() !== workflow.name.toLowerCase()) {
        await this.assertNameFree(tx, input.name);
      }
      if (input.tasks) await this.assertTasksExist(tx, input.tasks);
      if (input.isDefault === true && !workflow.isDefault) {
        await tx.update(Workflow, { isDefault: true }, { isDefault: false });
      }
      const changes: Partial<Workflow> = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        ...(input.allowBypass !== undefined ? { allowBypass: input.allowBypass } : {}),
        ...(input.resubmitFrom !== undefined ? { resubmitFrom: input.resubmitFrom } : {}),
        ...(input.isDefault !== undefined ? { isDefault: input.isDefault } : {}),
      };
      if (Object.keys(changes).length > 0) await tx.update(Workflow, { id }, changes);
      if (input.tasks) await this.replaceSteps(tx, id, input.tasks);
      if (workflow.active && input.active === false) await onDeactivate(tx, id);
      await this.record(tx, actor, 'workflows.updated', 'workflow', id, {
        name: input.name ?? workflow.name,
        changed: changedKeys(input),
      });
      return this.get(id, tx);
    });
  }

  /** Only a workflow that never moderated anything: its history would go with it. */
  async delete(id: string, actor: AuditActor): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const workflow = await this.lockWorkflow(tx, id);
      const [used] = await tx.query<unknown[]>(
        'SELECT 1 FROM workflow_states WHERE workflow_id = $1 LIMIT 1',
        [id],
      );
      if (used) throw new WorkflowInUseError(workflow.name);
      await tx.delete(Workflow, { id });
      await this.record(tx, actor, 'workflows.deleted', 'workflow', id, { name: workflow.name });
    });
  }

  /** Assigns the workflow to the page (and so its subtree), replacing the page's earlier one. */
  async assign(id: string, pageId: string, actor: AuditActor): Promise<WorkflowView> {
    return this.dataSource.transaction(async (tx) => {
      const workflow = await this.lockWorkflow(tx, id);
      const page = await this.pages.get(pageId, tx);
      await tx.query(
        `INSERT INTO workflow_pages (page_id, workflow_id) VALUES ($1, $2)
         ON CONFLICT (page_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id`,
        [page.id, id],
      );
      await this.record(tx, actor, 'workflows.assigned', 'workflow', id, {
        name: workflow.name,
        pageId: page.id,
        pageTitle: page.title,
      });
      return this.get(id, tx);
    });
  }

  async unassign(id: string, pageId: string, actor: AuditActor): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const workflow = await this.lockWorkflow(tx, id);
      const page = await this.pages.get(pageId, tx);
      const [, removed] = await tx.query<[unknown, number]>(
        'DELETE FROM workflow_pages WHERE page_id = $1 AND workflow_id = $2',
        [page.id, id],
      );
      if (removed === 0) throw new WorkflowAssignmentNotFoundError(workflow.name, page.id);
      await this.record(tx, actor, 'workflows.unassigned', 'workflow', id, {
        name: workflow.name,
        pageId: page.id,
      });
    });
  }

  /**
   * The active workflow holding for the page: the nearest active one assigned to it or an
   * ancestor, else the active default, else null. One query.
   */
  async workflowFor(pageId: string, manager?: EntityManager): Promise<ApplicableWorkflow | null> {
    if (!UUID.test(pageId)) return null;
    const [row] = await (manager ?? this.dataSource.manager).query<
      Array<{ id: string; name: string; allow_bypass: boolean; resubmit_from: ResubmitFrom }>
    >(
      `SELECT w.id, w.name, w.allow_bypass, w.resubmit_from FROM (
         SELECT wp.workflow_id, p.depth
           FROM pages target
           JOIN pages p ON p.path = ANY (ARRAY(
                  SELECT substr(target.path, 1, 4 * level)
                    FROM generate_series(1, target.depth) AS level))
           JOIN workflow_pages wp ON wp.page_id = p.id
          WHERE target.id = $1
         UNION ALL
         SELECT id, 0 FROM workflows WHERE is_default
       ) holding
       JOIN workflows w ON w.id = holding.workflow_id AND w.active
       ORDER BY holding.depth DESC
       LIMIT 1`,
      [pageId],
    );
    return row
      ? {
          id: row.id,
          name: row.name,
          allowBypass: row.allow_bypass,
          resubmitFrom: row.resubmit_from,
        }
      : null;
  }

  /** The nearest workflow assigned to the page or an ancestor, active or not: its name. */
  async nearestAssignedName(pageId: string, manager?: EntityManager): Promise<string | null> {
    if (!UUID.test(pageId)) return null;
    const [row] = await (manager ?? this.dataSource.manager).query<Array<{ name: string }>>(
      `SELECT w.name
         FROM pages target
         JOIN pages p ON p.path = ANY (ARRAY(
                SELECT substr(target.path, 1, 4 * level)
                  FROM generate_series(1, target.depth) AS level))
         JOIN workflow_pages wp ON wp.page_id = p.id
         JOIN workflows w ON w.id = wp.workflow_id
        WHERE target.id = $1
        ORDER BY p.depth DESC
        LIMIT 1`,
      [pageId],
    );
    return row?.name ?? null;
  }

  /** The workflow's active tasks in review order. */
  async activeTasksOf(workflowId: string, manager?: EntityManager): Promise<TaskRow[]> {
    return (manager ?? this.dataSource.manager).query<TaskRow[]>(
      `SELECT t.id, t.name, t.type, t.options, t.active
         FROM workflow_steps s JOIN workflow_tasks t ON t.id = s.task_id
        WHERE s.workflow_id = $1 AND t.active
        ORDER BY s.position`,
      [workflowId],
    );
  }

  async workflowName(id: string, manager?: EntityManager): Promise<string> {
    const [row] = await (manager ?? this.dataSource.manager).query<Array<{ name: string }>>(
      'SELECT name FROM workflows WHERE id = $1',
      [id],
    );
    return row?.name ?? '(deleted workflow)';
  }

  // ---------------------------------------------------------------- tasks

  taskTypesList(): Array<{ key: string; label: string; description: string }> {
    return this.taskTypes
      .list()
      .map((type) => ({ key: type.key, label: type.label, description: type.description }));
  }

  async listTasks(): Promise<TaskView[]> {
    return this.taskViews(this.dataSource.manager, null);
  }

  async getTask(id: string, manager?: EntityManager): Promise<TaskView> {
    const [view] = UUID.test(id)
      ? await this.taskViews(manager ?? this.dataSource.manager, [id])
      : [];
    if (!view) throw new WorkflowTaskNotFoundError(id);
    return view;
  }

  async createTask(input: CreateWorkflowTaskDto, actor: AuditActor): Promise<TaskView> {
    const typeKey = input.type ?? 'group_approval';
    const type = this.taskTypes.find(typeKey);
    if (!type) {
      throw new RequestValidationError([
        {
          path: 'type',
          message: `unknown task type "${typeKey}"; known: ${this.taskTypes
            .list()
            .map((known) => known.key)
            .join(', ')}`,
        },
      ]);
    }
    const options = this.checkTaskInput(type, input, true);
    return this.dataSource.transaction(async (tx) => {
      await this.assertGroupsExist(tx, input.groups ?? []);
      const saved = await tx.save(
        tx.create(WorkflowTask, { name: input.name, type: type.key, options, active: true }),
      );
      if (input.active === false)
        await tx.update(WorkflowTask, { id: saved.id }, { active: false });
      await this.replaceGroups(tx, saved.id, input.groups ?? []);
      await this.record(tx, actor, 'workflow_tasks.created', 'workflow_task', saved.id, {
        name: saved.name,
        type: type.key,
        groups: input.groups ?? [],
      });
      return this.getTask(saved.id, tx);
    });
  }

  /**
   * Changes what is given. Deactivating is ModerationService's business too (reviews waiting
   * on the task move on): the caller passes `onDeactivate`, run in this transaction.
   */
  async updateTask(
    id: string,
    input: UpdateWorkflowTaskDto,
    actor: AuditActor,
    onDeactivate: (tx: EntityManager, taskId: string) => Promise<void>,
  ): Promise<TaskView> {
    return this.dataSource.transaction(async (tx) => {
      const task = UUID.test(id)
        ? await tx
            .getRepository(WorkflowTask)
            .createQueryBuilder('t')
            .setLock('pessimistic_write')
            .where('t.id = :id', { id })
            .getOne()
        : null;
      if (!task) throw new WorkflowTaskNotFoundError(id);
      const type = this.taskTypes.find(task.type);
      const options = type ? this.checkTaskInput(type, input, false) : undefined;
      if (input.groups) await this.assertGroupsExist(tx, input.groups);
      const changes = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        ...(input.options !== undefined && options ? { options } : {}),
      } as QueryDeepPartialEntity<WorkflowTask>;
      if (Object.keys(changes).length > 0) await tx.update(WorkflowTask, { id }, changes);
      if (input.groups) await this.replaceGroups(tx, id, input.groups);
      if (task.active && input.active === false) await onDeactivate(tx, id);
      await this.record(tx, actor, 'workflow_tasks.updated', 'workflow_task', id, {
        name: input.name ?? task.name,
        changed: changedKeys(input),
      });
      return this.getTask(id, tx);
    });
  }

  /** Tasks by id, with their type (none for an unknown type). */
  async tasksByIds(
    ids: readonly string[],
    manager?: EntityManager,
  ): Promise<Map<string, TaskRow & { taskType: WorkflowTaskType | undefined }>> {
    if (ids.length === 0) return new Map();
    const rows = await (manager ?? this.dataSource.manager).query<TaskRow[]>(
      'SELECT id, name, type, options, active FROM workflow_tasks WHERE id = ANY($1::uuid[])',
      [[...new Set(ids)]],
    );
    return new Map(
      rows.map((row) => [row.id, { ...row, taskType: this.taskTypes.find(row.type) }]),
    );
  }

  // ---------------------------------------------------------------- internals

  /**
   * A transaction that changes workflows; two requests racing for one name (or both making
   * themselves the default) meet a unique index: the loser gets the 409 the check would give.
   */
  private async changeWorkflows<T>(
    name: string | undefined,
    work: (tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'UQ_workflows_name' && name !== undefined) {
        throw new WorkflowNameTakenError(name);
      }
      if (code === '23505' && constraint === 'UQ_workflows_default') {
        throw new WorkflowConflictError();
      }
      throw error;
    }
  }

  private checkTaskInput(
    type: WorkflowTaskType,
    input: UpdateWorkflowTaskDto,
    creating: boolean,
  ): Record<string, unknown> {
    const errors: FieldError[] = [];
    const checked = type.checkOptions(input.options);
    errors.push(...checked.errors);
    if (type.usesGroups && creating && (input.groups ?? []).length === 0) {
      errors.push({ path: 'groups', message: `a ${type.label} task needs at least one group` });
    }
    if (type.usesGroups && input.groups && input.groups.length === 0 && !creating) {
      errors.push({ path: 'groups', message: 'must name at least one group' });
    }
    if (!type.usesGroups && input.groups && input.groups.length > 0) {
      errors.push({ path: 'groups', message: `a ${type.label} task takes no groups` });
    }
    if (errors.length > 0) throw new RequestValidationError(errors);
    return checked.options;
  }

  private async lockWorkflow(tx: EntityManager, id: string): Promise<Workflow> {
    const workflow = UUID.test(id)
      ? await tx
          .getRepository(Workflow)
          .createQueryBuilder('w')
          .setLock('pessimistic_write')
          .where('w.id = :id', { id })
          .getOne()
      : null;
    if (!workflow) throw new WorkflowNotFoundError(id);
    return workflow;
  }

  private async assertNameFree(tx: EntityManager, name: string): Promise<void> {
    const [taken] = await tx.query<unknown[]>(
      'SELECT 1 FROM workflows WHERE lower(name) = lower($1)',
      [name],
    );
    if (taken) throw new WorkflowNameTakenError(name);
  }

  private async assertTasksExist(tx: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await tx.query<Array<{ id: string }>>(
      'SELECT id FROM workflow_tasks WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const found = new Set(rows.map((row) => row.id));
    const errors = ids.flatMap((id, index) =>
      found.has(id.toLowerCase())
        ? []
        : [{ path: `tasks[${index}]`, message: `there is no workflow task ${id}` }],
    );
    if (errors.length > 0) throw new RequestValidationError(errors);
  }

  private async assertGroupsExist(tx: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await tx.query<Array<{ id: string }>>(
      'SELECT id FROM groups WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const found = new Set(rows.map((row) => row.id));
    const errors = ids.flatMap((id, index) =>
      found.has(id.toLowerCase())
        ? []
        : [{ path: `groups[${index}]`, message: `there is no group ${id}` }],
    );
    if (errors.length > 0) throw new RequestValidationError(errors);
  }

  private async replaceSteps(tx: EntityManager, workflowId: string, taskIds: readonly string[]) {
    await tx.query('DELETE FROM workflow_steps WHERE workflow_id = $1', [workflowId]);
    if (taskIds.length === 0) return;
    await tx.query(
      `INSERT INTO workflow_steps (workflow_id, task_id, position)
       SELECT $1, task_id, position FROM unnest($2::uuid[]) WITH ORDINALITY AS t(task_id, position)`,
      [workflowId, taskIds],
    );
  }

  private async replaceGroups(tx: EntityManager, taskId: string, groupIds: readonly string[]) {
    await tx.query('DELETE FROM workflow_task_groups WHERE task_id = $1', [taskId]);
    if (groupIds.length === 0) return;
    await tx.query(
      `INSERT INTO workflow_task_groups (task_id, group_id)
       SELECT $1, group_id FROM unnest($2::uuid[]) AS g(group_id)`,
      [taskId, groupIds],
    );
  }

  /** Workflows (all, or `ids`) with their tasks and pages: four queries, whatever the count. */
  private async views(tx: EntityManager, ids: string[] | null): Promise<WorkflowView[]> {
    const rows = await tx.query<WorkflowRow[]>(
      `SELECT * FROM workflows WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) ORDER BY lower(name)`,
      [ids],
    );
    if (rows.length === 0) return [];
    const workflowIds = rows.map((row) => row.id);
    const steps = await tx.query<Array<{ workflow_id: string; task_id: string }>>(
      `SELECT workflow_id, task_id FROM workflow_steps WHERE workflow_id = ANY($1::uuid[])
        ORDER BY workflow_id, position`,
      [workflowIds],
    );
    const tasks = new Map(
      (await this.taskViews(tx, [...new Set(steps.map((step) => step.task_id))])).map((task) => [
        task.id,
        task,
      ]),
    );
    const pages = await tx.query<
      Array<{ workflow_id: string; id: string; title: string; url_path: string }>
    >(
      `SELECT wp.workflow_id, p.id, p.title, p.url_path FROM workflow_pages wp
         JOIN pages p ON p.id = wp.page_id
        WHERE wp.workflow_id = ANY($1::uuid[]) ORDER BY p.path`,
      [workflowIds],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      active: row.active,
      allowBypass: row.allow_bypass,
      resubmitFrom: row.resubmit_from,
      isDefault: row.is_default,
      tasks: steps
        .filter((step) => step.workflow_id === row.id)
        .flatMap((step) => tasks.get(step.task_id) ?? []),
      pages: pages
        .filter((page) => page.workflow_id === row.id)
        .map((page) => ({ id: page.id, title: page.title, urlPath: page.url_path })),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }

  /** Tasks (all, or `ids`) with groups and workflows: three queries. */
  private async taskViews(tx: EntityManager, ids: string[] | null): Promise<TaskView[]> {
    if (ids && ids.length === 0) return [];
    const rows = await tx.query<Array<TaskRow & { created_at: Date; updated_at: Date }>>(
      `SELECT id, name, type, options, active, created_at, updated_at FROM workflow_tasks
        WHERE ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) ORDER BY lower(name), id`,
      [ids],
    );
    if (rows.length === 0) return [];
    const taskIds = rows.map((row) => row.id);
    const groups = await tx.query<Array<{ task_id: string; id: string; name: string }>>(
      `SELECT tg.task_id, g.id, g.name FROM workflow_task_groups tg JOIN groups g ON g.id = tg.group_id
        WHERE tg.task_id = ANY($1::uuid[]) ORDER BY g.name`,
      [taskIds],
    );
    const workflows = await tx.query<Array<{ task_id: string; id: string; name: string }>>(
      `SELECT s.task_id, w.id, w.name FROM workflow_steps s JOIN workflows w ON w.id = s.workflow_id
        WHERE s.task_id = ANY($1::uuid[]) ORDER BY w.name`,
      [taskIds],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      type: row.type,
      active: row.active,
      groups: groups
        .filter((group) => group.task_id === row.id)
        .map((group) => ({ id: group.id, name: group.name })),
      options: row.options,
      workflows: workflows
        .filter((workflow) => workflow.task_id === row.id)
        .map((workflow) => ({ id: workflow.id, name: workflow.name })),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }

  private record(
    tx: EntityManager,
    actor: AuditActor,
    action: string,
    objectType: string,
    objectId: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      { actorId: actor.actorId, ip: actor.ip, action, objectType, objectId, data },
      tx,
    );
  }
}
