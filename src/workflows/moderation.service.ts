import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import type { AuthPrincipal } from '#src/auth/auth-principal.js';
import { PageNotFoundError } from '#src/pages/pages.errors.js';
import type { PublishableType } from '#src/publishing/publishable-columns.js';
import { ObjectLockedError } from '#src/publishing/publishing.errors.js';
import {
  type GuardedAction,
  type PublishingGuard,
  PublishingService,
  type PublishTarget,
} from '#src/publishing/publishing.service.js';
import {
  type WorkflowNotificationEvent,
  WorkflowNotifications,
} from '#src/workflows/notifications/workflow-notifications.js';
import type { Reviewer, TaskRef } from '#src/workflows/task-types/workflow-task-type.js';
import { WorkflowTaskTypes } from '#src/workflows/task-types/workflow-task-types.js';
import { CommentsService } from '#src/workflows/comments.service.js';
import { auditPageEvent } from '#src/workflows/page-audit.js';
import type { TaskStatus } from '#src/workflows/workflow-task-state.entity.js';
import type { WorkflowStatus } from '#src/workflows/workflow-state.entity.js';
import {
  NoActiveWorkflowStateError,
  NotAReviewerError,
  NotSubmitterError,
  NoWorkflowError,
  PageInWorkflowError,
  TaskNotCurrentError,
  TaskStateNotFoundError,
  WorkflowHasNoTasksError,
  WorkflowInactiveError,
  WorkflowInProgressError,
  WorkflowNotResubmittableError,
  WorkflowRequiredError,
} from '#src/workflows/workflows.errors.js';
import { type TaskRow, WorkflowsService } from '#src/workflows/workflows.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UserRef {
  id: string;
  name: string;
  email: string;
}

export interface TaskStateView {
  id: string;
  task: { id: string; name: string; type: string };
  status: TaskStatus;
  /** The revision reviewed; null once revision retention pruned it. */
  revisionId: string | null;
  startedAt: string;
  finishedAt: string | null;
  finishedBy: UserRef | null;
  comment: string | null;
}

export interface StateView {
  id: string;
  page: { id: string; title: string };
  workflow: { id: string; name: string };
  status: WorkflowStatus;
  requestedBy: UserRef | null;
  /** In progress: the task awaiting review; needs changes: the task that sent it back. */
  currentTask: TaskStateView | null;
  /** Every task state, oldest first. */
  taskStates: TaskStateView[];
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface WorkflowActions {
  submit: boolean;
  resubmit: boolean;
  cancel: boolean;
  approve: boolean;
  requestChanges: boolean;
  publishDirectly: boolean;
}

export interface PageWorkflowView {
  /** The workflow that holds for the page now (nearest assignment, else the default). */
  workflow: { id: string; name: string; allowBypass: boolean } | null;
  /** The review in progress or sent back, else null. */
  state: StateView | null;
  /** What the caller may do now. */
  actions: WorkflowActions;
}

export interface ApproveOptions {
  comment?: string | null;
  /** At the last approval: schedule instead of publishing now when in the future. */
  goLiveAt?: Date | null;
}

/** Page permissions the controller established for the caller. */
export interface PagePermissionsHeld {
  change: boolean;
  publish: boolean;
}

interface PageRow {
  id: string;
  title: string;
  locked: boolean;
  locked_by: string | null;
  locked_at: Date | null;
  latest_revision_id: string | null;
}

interface StateRow {
  id: string;
  object_id: string;
  workflow_id: string;
  status: WorkflowStatus;
  requested_by: string | null;
  current_task_state_id: string | null;
  approved_task_ids: string[];
}

interface TaskStateRow {
  id: string;
  workflow_state_id: string;
  task_id: string;
  revision_id: string | null;
  status: TaskStatus;
}

interface StateListRow {
  id: string;
  object_id: string;
  workflow_id: string;
  workflow_name: string;
  page_title: string | null;
  status: WorkflowStatus;
  current_task_state_id: string | null;
  requested_by: string | null;
  requester_name: string | null;
  requester_email: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  total_count: string;
}

interface TaskStateListRow {
  id: string;
  workflow_state_id: string;
  task_id: string;
  task_name: string;
  task_type: string;
  status: TaskStatus;
  revision_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  finished_by: string | null;
  finisher_name: string | null;
  finisher_email: string | null;
  comment: string | null;
}

/** The caller of a moderation route, as task types see them. */
export function reviewerOf(principal: AuthPrincipal): Reviewer {
  return { id: principal.user.id, isSuperuser: principal.user.isSuperuser };
}

const ACTIVE_STATUSES: readonly WorkflowStatus[] = ['in_progress', 'needs_changes'];

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/**
 * Moderation (Wagtail's WorkflowState and TaskState): submit, approve, request changes,
 * resubmit and cancel, the lock on pages in review, and the lists the dashboard shows.
 * Every step is one transaction: the page row first, then the workflow state, both FOR
 * UPDATE, so two reviewers acting at once are serialised and the second finds the task no
 * longer current. Audit entries and notifications are written in that transaction.
 */
@Injectable()
export class ModerationService implements OnModuleInit, PublishingGuard {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly publishing: PublishingService,
    private readonly workflows: WorkflowsService,
    private readonly notifications: WorkflowNotifications,
    private readonly taskTypes: WorkflowTaskTypes,
    private readonly comments: CommentsService,
  ) {}

  /** Revision retention keeps what is under review, however long it waits. */
  readonly retainsRevisionSql = `EXISTS (SELECT 1 FROM workflow_task_states ts
    WHERE ts.revision_id = r.id AND ts.status = 'in_progress')`;

  onModuleInit(): void {
    this.publishing.registerGuard(this);
  }

  // ---------------------------------------------------------------- reading

  async pageWorkflow(
    pageId: string,
    user: Reviewer,
    held: PagePermissionsHeld,
  ): Promise<PageWorkflowView> {
    const tx = this.dataSource.manager;
    const page = await this.pageRow(tx, pageId, false);
    const workflow = await this.workflows.workflowFor(page.id, tx);
    const {
      items: [state],
    } = await this.loadStates(
      tx,
      `s.object_type = 'page' AND s.object_id = $1 AND s.status IN ('in_progress', 'needs_changes')`,
      [page.id],
    );
    const current = state?.currentTask ?? null;
    const mayReview =
      state?.status === 'in_progress' && current
        ? await this.canReview(tx, user, current.task.id)
        : false;
    const lockedByOther = page.locked && page.locked_by !== user.id;
    const inReview = state?.status === 'in_progress';
    const newerDraft =
      current !== null && current.revisionId !== String(page.latest_revision_id ?? '');
    return {
      workflow: workflow
        ? { id: workflow.id, name: workflow.name, allowBypass: workflow.allowBypass }
        : null,
      state: state ?? null,
      actions: {
        submit: held.change && !state && workflow !== null && !lockedByOther,
        resubmit:
          held.change &&
          !lockedByOther &&
          (state?.status === 'needs_changes' || (inReview && mayReview && newerDraft)),
        cancel: state !== undefined && (user.isSuperuser || state.requestedBy?.id === user.id),
        approve: inReview && mayReview,
        requestChanges: inReview && mayReview,
        publishDirectly:
          held.publish &&
          !lockedByOther &&
          (workflow === null || workflow.allowBypass) &&
          (!inReview || mayReview),
      },
    };
  }

  /** Every workflow the page went through, newest first, each with all its task states. */
  async history(pageId: string): Promise<StateView[]> {
    const page = await this.pageRow(this.dataSource.manager, pageId, false);
    const { items } = await this.loadStates(
      this.dataSource.manager,
      `s.object_type = 'page' AND s.object_id = $1`,
      [page.id],
    );
    return items;
  }

  /** Reviews waiting at a task the user may review, oldest first. */
  async awaitingReview(
    user: Reviewer,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; items: StateView[] }> {
    const tx = this.dataSource.manager;
    const tasks = await tx.query<TaskRow[]>(
      `SELECT DISTINCT t.id, t.name, t.type, t.options, t.active
         FROM workflow_states s
         JOIN workflow_task_states ts ON ts.id = s.current_task_state_id AND ts.status = 'in_progress'
         JOIN workflow_tasks t ON t.id = ts.task_id
        WHERE s.status = 'in_progress'`,
    );
    const reviewable = await this.reviewableTaskIds(tx, user, tasks);
    if (reviewable.size === 0) return { total: 0, items: [] };
    return this.statePage(
      tx,
      `s.status = 'in_progress' AND ts_current.task_id = ANY($1::uuid[])`,
      [[...reviewable]],
      page,
      's.updated_at ASC',
    );
  }

  /** What the user submitted, newest first; `status` narrows it. */
  async submissionsOf(
    userId: string,
    status: WorkflowStatus | undefined,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; items: StateView[] }> {
    return this.statePage(
      this.dataSource.manager,
      `s.requested_by = $1 AND ($2::text IS NULL OR s.status = $2)`,
      [userId, status ?? null],
      page,
      's.updated_at DESC',
    );
  }

  // ---------------------------------------------------------------- moderating

  /** Starts the workflow that holds for the page at its first task, with the latest draft. */
  async submit(
    pageId: string,
    user: Reviewer,
    actor: AuditActor,
    comment: string | null,
  ): Promise<StateView> {
    return this.inTransaction(async (tx) => {
      const page = await this.pageRow(tx, pageId, true);
      const active = await this.activeState(tx, page.id);
      if (active) throw new WorkflowInProgressError(active.status);
      this.assertNotLockedByOther(page, user.id);
      const workflow = await this.workflows.workflowFor(page.id, tx);
      if (!workflow) {
        const inactive = await this.workflows.nearestAssignedName(page.id, tx);
        throw inactive ? new WorkflowInactiveError(inactive) : new NoWorkflowError(page.id);
      }
      const [first] = await this.workflows.activeTasksOf(workflow.id, tx);
      if (!first) throw new WorkflowHasNoTasksError(workflow.name);
      const target = { type: 'page' as const, id: page.id };
      await this.publishing.assertPublishable(target, null, tx);
      const [{ id: stateId }] = await tx.query<Array<{ id: string }>>(
        `INSERT INTO workflow_states (object_type, object_id, workflow_id, status, requested_by)
         VALUES ('page', $1, $2, 'in_progress', $3) RETURNING id`,
        [page.id, workflow.id, user.id],
      );
      const taskStateId = await this.startTask(tx, stateId, first.id, page.latest_revision_id);
      await tx.query('UPDATE workflow_states SET current_task_state_id = $2 WHERE id = $1', [
        stateId,
        taskStateId,
      ]);
      await this.record(tx, actor, 'workflow.submitted', page.id, {
        title: page.title,
        workflow: workflow.name,
        workflowId: workflow.id,
        task: first.name,
        revisionId: page.latest_revision_id,
        ...(comment ? { comment } : {}),
      });
      await this.keepNote(tx, page, comment, actor);
      await this.notifyReviewers(tx, first, {
        actorId: user.id,
        page,
        workflowName: workflow.name,
        comment,
      });
      return this.stateView(tx, stateId);
    });
  }

  /**
   * Approves the current task: the workflow moves to its next active task, or, at the last,
   * the reviewed revision is published (scheduled with a future `goLiveAt`).
   */
  async approve(
    pageId: string,
    taskStateId: string,
    user: Reviewer,
    actor: AuditActor,
    options: ApproveOptions,
  ): Promise<StateView> {
    return this.inTransaction(async (tx) => {
      const page = await this.pageRow(tx, pageId, true);
      const { state, taskState, task } = await this.currentTaskState(tx, page, taskStateId, user);
      const comment = options.comment ?? null;
      // Reviewers may edit while it is theirs: what they approve is the draft they see.
      if (page.latest_revision_id && page.latest_revision_id !== taskState.revision_id) {
        await this.publishing.assertPublishable(
          { type: 'page', id: page.id },
          page.latest_revision_id,
          tx,
        );
        await tx.query('UPDATE workflow_task_states SET revision_id = $2 WHERE id = $1', [
          taskState.id,
          page.latest_revision_id,
        ]);
        taskState.revision_id = page.latest_revision_id;
      }
      await this.finishTask(tx, taskState.id, 'approved', user.id, comment);
      const approved = [...new Set([...state.approved_task_ids, task.id])];
      const workflowName = await this.workflows.workflowName(state.workflow_id, tx);
      const next = (await this.workflows.activeTasksOf(state.workflow_id, tx)).find(
        (candidate) => !approved.includes(candidate.id),
      );
      await this.record(tx, actor, 'workflow.task_approved', page.id, {
        title: page.title,
        workflow: workflowName,
        task: task.name,
        taskStateId: taskState.id,
        revisionId: taskState.revision_id,
        ...(comment ? { comment } : {}),
      });
      if (next) {
        const nextStateId = await this.startTask(tx, state.id, next.id, page.latest_revision_id);
        await tx.query(
          `UPDATE workflow_states SET approved_task_ids = $2, current_task_state_id = $3,
                  updated_at = clock_timestamp() WHERE id = $1`,
          [state.id, approved, nextStateId],
        );
        await this.notify(tx, {
          kind: 'submission_approved',
          recipientIds: state.requested_by ? [state.requested_by] : [],
          actorId: user.id,
          page: { id: page.id, title: page.title },
          workflowName,
          taskName: task.name,
          comment,
          goLiveAt: null,
        });
        await this.notifyReviewers(tx, next, {
          actorId: user.id,
          page,
          workflowName,
          comment: null,
        });
        return this.stateView(tx, state.id);
      }
      await tx.query(
        `UPDATE workflow_states SET status = 'approved', approved_task_ids = $2,
                finished_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1`,
        [state.id, approved],
      );
      await this.record(tx, actor, 'workflow.approved', page.id, {
        title: page.title,
        workflow: workflowName,
        revisionId: taskState.revision_id,
      });
      const outcome = await this.publishing.publish(
        { type: 'page', id: page.id },
        {
          revisionId: taskState.revision_id ?? undefined,
          goLiveAt: options.goLiveAt ?? null,
          approvedByWorkflow: true,
        },
        actor,
        tx,
      );
      await this.notify(tx, {
        kind: 'published',
        recipientIds: state.requested_by ? [state.requested_by] : [],
        actorId: user.id,
        page: { id: page.id, title: outcome.revision.title },
        workflowName,
        taskName: task.name,
        comment,
        goLiveAt: outcome.scheduled ? (outcome.revision.approvedGoLiveAt ?? null) : null,
      });
      return this.stateView(tx, state.id);
    });
  }

  /** Sends the page back to its submitter with a comment; editors may change it again. */
  async requestChanges(
    pageId: string,
    taskStateId: string,
    user: Reviewer,
    actor: AuditActor,
    comment: string,
  ): Promise<StateView> {
    return this.inTransaction(async (tx) => {
      const page = await this.pageRow(tx, pageId, true);
      const { state, taskState, task } = await this.currentTaskState(tx, page, taskStateId, user);
      await this.finishTask(tx, taskState.id, 'rejected', user.id, comment);
      await tx.query(
        `UPDATE workflow_states SET status = 'needs_changes', updated_at = clock_timestamp()
          WHERE id = $1`,
        [state.id],
      );
      const workflowName = await this.workflows.workflowName(state.workflow_id, tx);
      await this.record(tx, actor, 'workflow.changes_requested', page.id, {
        title: page.title,
        workflow: workflowName,
        task: task.name,
        taskStateId: taskState.id,
        comment,
      });
      await this.notify(tx, {
        kind: 'changes_requested',
        recipientIds: state.requested_by ? [state.requested_by] : [],
        actorId: user.id,
        page: { id: page.id, title: page.title },
        workflowName,
        taskName: task.name,
        comment,
        goLiveAt: null,
      });
      return this.stateView(tx, state.id);
    });
  }

  /**
   * Puts the latest draft back in review: after changes were requested, or while in review
   * when a reviewer saved a newer draft. It restarts at the task that sent it back (or the
   * first task, as the workflow says), in the workflow it was first submitted to.
   */
  async resubmit(
    pageId: string,
    user: Reviewer,
    actor: AuditActor,
    comment: string | null,
  ): Promise<StateView> {
    return this.inTransaction(async (tx) => {
      const page = await this.pageRow(tx, pageId, true);
      const [state] = await tx.query<StateRow[]>(
        `SELECT id, object_id, workflow_id, status, requested_by, current_task_state_id,
                approved_task_ids
           FROM workflow_states WHERE object_type = 'page' AND object_id = $1
          ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
        [page.id],
      );
      if (!state) {
        throw new WorkflowNotResubmittableError(
          'The page was never submitted for review: submit it (POST …/workflow/submit).',
        );
      }
      if (!ACTIVE_STATUSES.includes(state.status)) {
        throw new WorkflowNotResubmittableError(
          `The page's last workflow was ${state.status}: there is nothing to resubmit. Submit it again (POST …/workflow/submit).`,
        );
      }
      const current = state.current_task_state_id
        ? await this.taskStateRow(tx, state.current_task_state_id)
        : undefined;
      if (
        state.status === 'in_progress' &&
        current?.revision_id === String(page.latest_revision_id)
      ) {
        throw new WorkflowNotResubmittableError(
          'The page is in review and nothing was saved since: there is no newer draft to resubmit.',
        );
      }
      if (state.status === 'in_progress' && current) {
        const task = (await this.workflows.tasksByIds([current.task_id], tx)).get(current.task_id);
        if (!task || !(await this.canReview(tx, user, task.id))) {
          throw new PageInWorkflowError(task?.name ?? 'unknown');
        }
      }
      this.assertNotLockedByOther(page, user.id);
      const target = { type: 'page' as const, id: page.id };
      await this.publishing.assertPublishable(target, null, tx);
      const [workflow] = await tx.query<Array<{ name: string; resubmit_from: string }>>(
        'SELECT name, resubmit_from FROM workflows WHERE id = $1',
        [state.workflow_id],
      );
      const tasks = await this.workflows.activeTasksOf(state.workflow_id, tx);
      let approved = state.approved_task_ids;
      let next: TaskRow | undefined;
      if (workflow?.resubmit_from === 'first_task') {
        approved = [];
        next = tasks[0];
      } else {
        next =
          tasks.find((task) => task.id === current?.task_id) ??
          tasks.find((task) => !approved.includes(task.id));
      }
      if (!next) throw new WorkflowHasNoTasksError(workflow?.name ?? state.workflow_id);
      const restartAt = next;
      approved = approved.filter((id) => id !== restartAt.id);
      if (current?.status === 'in_progress') {
        await this.finishTask(tx, current.id, 'cancelled', user.id, null);
      }
      const taskStateId = await this.startTask(tx, state.id, next.id, page.latest_revision_id);
      await tx.query(
        `UPDATE workflow_states SET status = 'in_progress', approved_task_ids = $2,
                current_task_state_id = $3, updated_at = clock_timestamp() WHERE id = $1`,
        [state.id, approved, taskStateId],
      );
      await this.record(tx, actor, 'workflow.resubmitted', page.id, {
        title: page.title,
        workflow: workflow?.name,
        task: next.name,
        revisionId: page.latest_revision_id,
        ...(comment ? { comment } : {}),
      });
      await this.keepNote(tx, page, comment, actor);
      await this.notifyReviewers(tx, next, {
        actorId: user.id,
        page,
        workflowName: workflow?.name ?? '(deleted workflow)',
        comment,
      });
      return this.stateView(tx, state.id);
    });
  }

  /** The submitter (or a superuser) withdraws the page from review. */
  async cancel(pageId: string, user: Reviewer, actor: AuditActor): Promise<StateView> {
    return this.inTransaction(async (tx) => {
      const page = await this.pageRow(tx, pageId, true);
      const state = await this.activeState(tx, page.id);
      if (!state) throw new NoActiveWorkflowStateError();
      if (!user.isSuperuser && state.requested_by !== user.id) throw new NotSubmitterError();
      const reason =
        state.requested_by === user.id ? 'cancelled by the submitter' : 'cancelled by a superuser';
      await this.cancelState(tx, state, actor, page, reason);
      return this.stateView(tx, state.id);
    });
  }

  // ---------------------------------------------------------------- reacting to changes

  /** A workflow was deactivated: the reviews in it end, cancelled. */
  async cancelStatesOfWorkflow(
    tx: EntityManager,
    workflowId: string,
    actor: AuditActor,
  ): Promise<void> {
    const states = await tx.query<StateRow[]>(
      `SELECT id, object_id, workflow_id, status, requested_by, current_task_state_id,
              approved_task_ids
         FROM workflow_states WHERE workflow_id = $1 AND status IN ('in_progress', 'needs_changes')
        ORDER BY id FOR UPDATE`,
      [workflowId],
    );
    for (const state of states) {
      const page = await this.pageRow(tx, state.object_id, false).catch(() => undefined);
      await this.cancelState(tx, state, actor, page, 'the workflow was deactivated');
    }
  }

  /**
   * A task was deactivated: reviews waiting on it move on to their workflow's next active
   * task; one with none left is cancelled (nothing is published without a reviewer).
   */
  async moveOnFromTask(tx: EntityManager, taskId: string, actor: AuditActor): Promise<void> {
    const states = await tx.query<Array<StateRow & { task_state_id: string }>>(
      `SELECT s.id, s.object_id, s.workflow_id, s.status, s.requested_by, s.current_task_state_id,
              s.approved_task_ids, ts.id AS task_state_id
         FROM workflow_states s
         JOIN workflow_task_states ts ON ts.id = s.current_task_state_id
        WHERE s.status = 'in_progress' AND ts.status = 'in_progress' AND ts.task_id = $1
        ORDER BY s.id FOR UPDATE OF s`,
      [taskId],
    );
    for (const state of states) {
      const page = await this.pageRow(tx, state.object_id, false).catch(() => undefined);
      const next = (await this.workflows.activeTasksOf(state.workflow_id, tx)).find(
        (task) => !state.approved_task_ids.includes(task.id),
      );
      if (!next || !page) {
        await this.cancelState(tx, state, actor, page, 'its remaining task was deactivated');
        continue;
      }
      await this.finishTask(tx, state.task_state_id, 'cancelled', actor.actorId, null);
      const taskStateId = await this.startTask(tx, state.id, next.id, page.latest_revision_id);
      await tx.query(
        `UPDATE workflow_states SET current_task_state_id = $2, updated_at = clock_timestamp()
          WHERE id = $1`,
        [state.id, taskStateId],
      );
      const workflowName = await this.workflows.workflowName(state.workflow_id, tx);
      await this.record(tx, actor, 'workflow.task_skipped', page.id, {
        title: page.title,
        workflow: workflowName,
        task: next.name,
        reason: 'the task it waited on was deactivated',
      });
      await this.notifyReviewers(tx, next, {
        actorId: actor.actorId,
        page,
        workflowName,
        comment: null,
      });
    }
  }

  // ---------------------------------------------------------------- the guard

  /**
   * Pages in review are locked to all but the current task's reviewers; publishing outside
   * the workflow needs the workflow to allow it, and ends the review it bypasses.
   */
  async beforeChange(
    tx: EntityManager,
    target: PublishTarget,
    action: GuardedAction,
    actorId: string,
  ): Promise<void> {
    if (target.type !== 'page' || !UUID.test(target.id)) return;
    const state = await this.activeState(tx, target.id);
    if (state?.status === 'in_progress' && state.current_task_state_id) {
      const current = await this.taskStateRow(tx, state.current_task_state_id);
      const user = await this.reviewerOf(tx, actorId);
      if (!current || !user || !(await this.canReview(tx, user, current.task_id))) {
        const task = current
          ? (await this.workflows.tasksByIds([current.task_id], tx)).get(current.task_id)
          : undefined;
        throw new PageInWorkflowError(task?.name ?? 'unknown');
      }
    }
    if (action !== 'publish') return;
    const workflow = await this.workflows.workflowFor(target.id, tx);
    if (workflow && !workflow.allowBypass) throw new WorkflowRequiredError(workflow.name);
    if (state) {
      const page = await this.pageRow(tx, target.id, false);
      await this.cancelState(tx, state, { actorId }, page, 'published directly');
    }
  }

  async beforeChangeMany(
    tx: EntityManager,
    kind: PublishableType,
    ids: readonly string[],
    _action: GuardedAction,
    actorId: string,
  ): Promise<void> {
    if (kind !== 'page') return;
    const inReview = await tx.query<Array<{ task_id: string; task_name: string }>>(
      `SELECT DISTINCT ts.task_id, t.name AS task_name
         FROM workflow_states s
         JOIN workflow_task_states ts ON ts.id = s.current_task_state_id
         JOIN workflow_tasks t ON t.id = ts.task_id
        WHERE s.object_type = 'page' AND s.object_id = ANY($1::uuid[]) AND s.status = 'in_progress'`,
      [ids],
    );
    if (inReview.length === 0) return;
    const user = await this.reviewerOf(tx, actorId);
    for (const task of inReview) {
      if (!user || !(await this.canReview(tx, user, task.task_id))) {
        throw new PageInWorkflowError(task.task_name);
      }
    }
  }

  async objectsDeleted(
    tx: EntityManager,
    kind: PublishableType,
    ids: readonly string[],
  ): Promise<void> {
    await tx.query(
      'DELETE FROM workflow_states WHERE object_type = $1 AND object_id = ANY($2::uuid[])',
      [kind, ids],
    );
    await tx.query(
      'DELETE FROM page_comments WHERE object_type = $1 AND object_id = ANY($2::uuid[])',
      [kind, ids],
    );
  }

  // ---------------------------------------------------------------- reviewers

  /** Whether the user may review the task (its type decides; superusers always may). */
  async canReview(tx: EntityManager, user: Reviewer, taskId: string): Promise<boolean> {
    if (user.isSuperuser) return true;
    const task = (await this.workflows.tasksByIds([taskId], tx)).get(taskId);
    if (!task?.taskType) return false;
    return (await task.taskType.reviewableBy(tx, user, [task])).has(task.id);
  }

  /** Whether the user reviews the page's current task, or sent it back (for comments). */
  async reviewsPage(pageId: string, user: Reviewer): Promise<boolean> {
    const tx = this.dataSource.manager;
    const state = await this.activeState(tx, pageId);
    // In review: its current task's reviewers; sent back: those of the task that asked.
    if (!state?.current_task_state_id) return false;
    const current = await this.taskStateRow(tx, state.current_task_state_id);
    return current ? this.canReview(tx, user, current.task_id) : false;
  }

  // ---------------------------------------------------------------- internals

  private async inTransaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'UQ_workflow_states_active') {
        throw new WorkflowInProgressError('in_progress');
      }
      throw error;
    }
  }

  private async reviewableTaskIds(
    tx: EntityManager,
    user: Reviewer,
    tasks: readonly TaskRow[],
  ): Promise<Set<string>> {
    if (user.isSuperuser) return new Set(tasks.map((task) => task.id));
    const reviewable = new Set<string>();
    const byType = new Map<string, TaskRef[]>();
    for (const task of tasks) byType.set(task.type, [...(byType.get(task.type) ?? []), task]);
    for (const [typeKey, ofType] of byType) {
      const type = this.taskTypes.find(typeKey);
      if (!type) continue;
      for (const id of await type.reviewableBy(tx, user, ofType)) reviewable.add(id);
    }
    return reviewable;
  }

  private async reviewerOf(tx: EntityManager, userId: string): Promise<Reviewer | undefined> {
    const [row] = await tx.query<Array<{ id: string; is_superuser: boolean }>>(
      'SELECT id, is_superuser FROM users WHERE id = $1 AND is_active',
      [userId],
    );
    return row ? { id: row.id, isSuperuser: row.is_superuser } : undefined;
  }

  /** The page (404 when missing), FOR UPDATE when `lock`: every moderation step starts here. */
  private async pageRow(tx: EntityManager, pageId: string, lock: boolean): Promise<PageRow> {
    const [row] = UUID.test(pageId)
      ? await tx.query<PageRow[]>(
          `SELECT id, COALESCE((SELECT r.title FROM revisions r WHERE r.id = pages.latest_revision_id), title) AS title,
                  locked, locked_by_id AS locked_by, locked_at, latest_revision_id::text AS latest_revision_id
             FROM pages WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
          [pageId],
        )
      : [];
    if (!row) throw new PageNotFoundError(pageId);
    return row;
  }

  private assertNotLockedByOther(page: PageRow, userId: string): void {
    if (page.locked && page.locked_by !== userId) {
      throw new ObjectLockedError('page', page.locked_by, page.locked_at);
    }
  }

  private async activeState(tx: EntityManager, pageId: string): Promise<StateRow | undefined> {
    const [state] = await tx.query<StateRow[]>(
      `SELECT id, object_id, workflow_id, status, requested_by, current_task_state_id,
              approved_task_ids
         FROM workflow_states
        WHERE object_type = 'page' AND object_id = $1 AND status IN ('in_progress', 'needs_changes')`,
      [pageId],
    );
    return state;
  }

  private async taskStateRow(tx: EntityManager, id: string): Promise<TaskStateRow | undefined> {
    const [row] = await tx.query<TaskStateRow[]>(
      `SELECT id, workflow_state_id, task_id, revision_id::text AS revision_id, status
         FROM workflow_task_states WHERE id = $1`,
      [id],
    );
    return row;
  }

  /**
   * The task state the reviewer acts on, checked: it belongs to the page (404), the user
   * may review its task (403), and it is the current task of a review in progress (409).
   * The workflow state is locked FOR UPDATE, after the page row.
   */
  private async currentTaskState(
    tx: EntityManager,
    page: PageRow,
    taskStateId: string,
    user: Reviewer,
  ): Promise<{ state: StateRow; taskState: TaskStateRow; task: TaskRow }> {
    const found = UUID.test(taskStateId) ? await this.taskStateRow(tx, taskStateId) : undefined;
    const [state] = found
      ? await tx.query<StateRow[]>(
          `SELECT id, object_id, workflow_id, status, requested_by, current_task_state_id,
                  approved_task_ids
             FROM workflow_states WHERE id = $1 AND object_type = 'page' AND object_id = $2
             FOR UPDATE`,
          [found.workflow_state_id, page.id],
        )
      : [];
    if (!found || !state) throw new TaskStateNotFoundError(page.id, taskStateId);
    const task = (await this.workflows.tasksByIds([found.task_id], tx)).get(found.task_id);
    if (!task) throw new TaskStateNotFoundError(page.id, taskStateId);
    if (!(await this.canReview(tx, user, task.id))) throw new NotAReviewerError(task.name);
    // Re-read under the lock: a concurrent approval may have finished it meanwhile.
    const taskState = (await this.taskStateRow(tx, found.id)) ?? found;
    if (
      taskState.status !== 'in_progress' ||
      state.status !== 'in_progress' ||
      state.current_task_state_id !== taskState.id
    ) {
      throw new TaskNotCurrentError(
        taskState.status === 'in_progress' ? state.status : taskState.status,
      );
    }
    return { state, taskState, task };
  }

  private async startTask(
    tx: EntityManager,
    stateId: string,
    taskId: string,
    revisionId: string | null,
  ): Promise<string> {
    const [{ id }] = await tx.query<Array<{ id: string }>>(
      `INSERT INTO workflow_task_states (workflow_state_id, task_id, revision_id, status, started_at)
       VALUES ($1, $2, $3, 'in_progress', clock_timestamp()) RETURNING id`,
      [stateId, taskId, revisionId],
    );
    return id;
  }

  private async finishTask(
    tx: EntityManager,
    taskStateId: string,
    status: TaskStatus,
    userId: string | null,
    comment: string | null,
  ): Promise<void> {
    await tx.query(
      `UPDATE workflow_task_states SET status = $2, finished_at = clock_timestamp(),
              finished_by = $3, comment = $4 WHERE id = $1`,
      [taskStateId, status, userId, comment],
    );
  }

  private async cancelState(
    tx: EntityManager,
    state: StateRow,
    actor: AuditActor,
    page: PageRow | undefined,
    reason: string,
  ): Promise<void> {
    if (state.current_task_state_id) {
      await tx.query(
        `UPDATE workflow_task_states SET status = 'cancelled', finished_at = clock_timestamp(),
                finished_by = $2 WHERE id = $1 AND status = 'in_progress'`,
        [state.current_task_state_id, actor.actorId],
      );
    }
    await tx.query(
      `UPDATE workflow_states SET status = 'cancelled', finished_at = clock_timestamp(),
              updated_at = clock_timestamp() WHERE id = $1`,
      [state.id],
    );
    await this.record(tx, actor, 'workflow.cancelled', state.object_id, {
      title: page?.title ?? null,
      workflow: await this.workflows.workflowName(state.workflow_id, tx),
      reason,
    });
  }

  /** A submitter's note to the reviewers stays readable as a comment on the draft submitted. */
  private async keepNote(
    tx: EntityManager,
    page: PageRow,
    note: string | null,
    actor: AuditActor,
  ): Promise<void> {
    if (!note?.trim()) return;
    await this.comments.add(page.id, { text: note }, page.latest_revision_id, actor, tx);
  }

  private async notifyReviewers(
    tx: EntityManager,
    task: TaskRow,
    about: { actorId: string | null; page: PageRow; workflowName: string; comment: string | null },
  ): Promise<void> {
    const type = (await this.workflows.tasksByIds([task.id], tx)).get(task.id)?.taskType;
    const recipientIds = type ? await type.reviewerIds(tx, task) : [];
    await this.notify(tx, {
      kind: 'task_awaiting_review',
      recipientIds,
      actorId: about.actorId,
      page: { id: about.page.id, title: about.page.title },
      workflowName: about.workflowName,
      taskName: task.name,
      comment: about.comment,
      goLiveAt: null,
    });
  }

  private async notify(tx: EntityManager, event: WorkflowNotificationEvent): Promise<void> {
    await this.notifications.notify(event, tx);
  }

  private record(
    tx: EntityManager,
    actor: AuditActor,
    action: string,
    pageId: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    return auditPageEvent(this.audit, tx, actor, action, pageId, data);
  }

  private async stateView(tx: EntityManager, stateId: string): Promise<StateView> {
    const { items } = await this.loadStates(tx, 's.id = $1', [stateId]);
    return items[0];
  }

  private async statePage(
    tx: EntityManager,
    where: string,
    params: unknown[],
    page: { limit: number; offset: number },
    order: string,
  ): Promise<{ total: number; items: StateView[] }> {
    const result = await this.loadStates(tx, where, params, { ...page, order });
    if (result.items.length > 0 || page.offset === 0) return result;
    // Past the end: the window count came back with no rows, so count apart.
    const [{ count }] = await tx.query<Array<{ count: string }>>(
      `SELECT count(*) FROM workflow_states s
         JOIN pages p ON s.object_type = 'page' AND p.id = s.object_id
         LEFT JOIN workflow_task_states ts_current ON ts_current.id = s.current_task_state_id
        WHERE ${where}`,
      params,
    );
    return { total: Number(count), items: [] };
  }

  /**
   * States matching `where` (a fixed SQL condition over `s` and `ts_current`, values in
   * `params`) with their page, workflow, requester and every task state: two queries.
   */
  private async loadStates(
    tx: EntityManager,
    where: string,
    params: unknown[],
    page?: { limit: number; offset: number; order: string },
  ): Promise<{ total: number; items: StateView[] }> {
    const n = params.length;
    const rows = await tx.query<StateListRow[]>(
      `SELECT s.id, s.object_id, s.workflow_id, w.name AS workflow_name,
              COALESCE(latest.title, p.title) AS page_title,
              s.status, s.current_task_state_id, s.requested_by, u.name AS requester_name,
              u.email AS requester_email, s.created_at, s.updated_at, s.finished_at,
              count(*) OVER () AS total_count
         FROM workflow_states s
         JOIN workflows w ON w.id = s.workflow_id
         JOIN pages p ON s.object_type = 'page' AND p.id = s.object_id
         LEFT JOIN revisions latest ON latest.id = p.latest_revision_id
         LEFT JOIN users u ON u.id = s.requested_by
         LEFT JOIN workflow_task_states ts_current ON ts_current.id = s.current_task_state_id
        WHERE ${where}
        ORDER BY ${page?.order ?? 's.created_at DESC'}, s.id
        ${page ? `LIMIT $${n + 1} OFFSET $${n + 2}` : ''}`,
      page ? [...params, page.limit, page.offset] : params,
    );
    if (rows.length === 0) return { total: 0, items: [] };
    const taskStates = await tx.query<TaskStateListRow[]>(
      `SELECT ts.id, ts.workflow_state_id, ts.task_id, t.name AS task_name, t.type AS task_type,
              ts.status, ts.revision_id::text AS revision_id, ts.started_at, ts.finished_at,
              ts.finished_by, fu.name AS finisher_name, fu.email AS finisher_email, ts.comment
         FROM workflow_task_states ts
         JOIN workflow_tasks t ON t.id = ts.task_id
         LEFT JOIN users fu ON fu.id = ts.finished_by
        WHERE ts.workflow_state_id = ANY($1::uuid[])
        ORDER BY ts.started_at, ts.id`,
      [rows.map((row) => row.id)],
    );
    const items = rows.map((row): StateView => {
      const own = taskStates
        .filter((taskState) => taskState.workflow_state_id === row.id)
        .map((taskState) => this.taskStateView(taskState));
      return {
        id: row.id,
        page: { id: row.object_id, title: row.page_title ?? '' },
        workflow: { id: row.workflow_id, name: row.workflow_name },
        status: row.status,
        requestedBy: row.requested_by
          ? {
              id: row.requested_by,
              name: row.requester_name ?? '',
              email: row.requester_email ?? '',
            }
          : null,
        currentTask:
          ACTIVE_STATUSES.includes(row.status) && row.current_task_state_id
            ? (own.find((taskState) => taskState.id === row.current_task_state_id) ?? null)
            : null,
        taskStates: own,
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
        finishedAt: iso(row.finished_at),
      };
    });
    return { total: Number(rows[0].total_count), items };
  }

  private taskStateView(row: TaskStateListRow): TaskStateView {
    return {
      id: row.id,
      task: { id: row.task_id, name: row.task_name, type: row.task_type },
      status: row.status,
      revisionId: row.revision_id,
      startedAt: new Date(row.started_at).toISOString(),
      finishedAt: iso(row.finished_at),
      finishedBy: row.finished_by
        ? { id: row.finished_by, name: row.finisher_name ?? '', email: row.finisher_email ?? '' }
        : null,
      comment: row.comment,
    };
  }
}
