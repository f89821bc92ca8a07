import { DomainError } from '#src/errors/domain-error.js';

export class WorkflowNotFoundError extends DomainError {
  readonly slug = 'workflow-not-found';
  readonly status = 404;
  readonly title = 'No such workflow';

  constructor(id: string) {
    super(`There is no workflow with id ${id}.`);
  }
}

export class WorkflowTaskNotFoundError extends DomainError {
  readonly slug = 'workflow-task-not-found';
  readonly status = 404;
  readonly title = 'No such workflow task';

  constructor(id: string) {
    super(`There is no workflow task with id ${id}.`);
  }
}

export class TaskStateNotFoundError extends DomainError {
  readonly slug = 'task-state-not-found';
  readonly status = 404;
  readonly title = 'No such task state';

  constructor(pageId: string, id: string) {
    super(
      `The page ${pageId} has no workflow task state ${id}. GET /api/admin/pages/${pageId}/workflow lists the current one.`,
    );
  }
}

export class WorkflowNameTakenError extends DomainError {
  readonly slug = 'workflow-name-taken';
  readonly status = 409;
  readonly title = 'Workflow name taken';

  constructor(name: string) {
    super(
      `A workflow named "${name}" already exists (names are compared without case). Choose another name.`,
      [{ path: 'name', message: 'is taken by another workflow' }],
    );
  }
}

export class WorkflowInUseError extends DomainError {
  readonly slug = 'workflow-in-use';
  readonly status = 409;
  readonly title = 'Workflow has been used';

  constructor(name: string) {
    super(
      `The workflow "${name}" has moderated pages, and deleting it would erase their history. Deactivate it instead (PATCH with "active": false).`,
    );
  }
}

export class NoWorkflowError extends DomainError {
  readonly slug = 'no-workflow';
  readonly status = 409;
  readonly title = 'No workflow for this page';

  constructor(pageId: string) {
    super(
      `No active workflow holds for page ${pageId}: assign one to it or an ancestor, or make one the default, or publish it directly.`,
    );
  }
}

export class WorkflowHasNoTasksError extends DomainError {
  readonly slug = 'workflow-has-no-tasks';
  readonly status = 409;
  readonly title = 'The workflow has no active tasks';

  constructor(name: string) {
    super(`The workflow "${name}" has no active task to submit to. Add a task to it first.`);
  }
}

export class WorkflowInProgressError extends DomainError {
  readonly slug = 'workflow-in-progress';
  readonly status = 409;
  readonly title = 'Already in a workflow';

  constructor(status: string) {
    super(
      status === 'needs_changes'
        ? 'The page was sent back for changes: resubmit it (POST …/workflow/resubmit) or cancel the workflow first.'
        : 'The page is already in review. Wait for its reviewers, or cancel the workflow (the submitter can) first.',
    );
  }
}

export class NoActiveWorkflowStateError extends DomainError {
  readonly slug = 'no-workflow-in-progress';
  readonly status = 409;
  readonly title = 'The page is not in a workflow';

  constructor() {
    super('The page is not in review: there is nothing to cancel. Submit it first.');
  }
}

export class TaskNotCurrentError extends DomainError {
  readonly slug = 'task-not-current';
  readonly status = 409;
  readonly title = 'The task is not awaiting review';

  constructor(status: string) {
    super(
      `This task state is ${status.replace('_', ' ')}, not awaiting review: someone may have acted on it first. Reload the page's workflow and act on its current task.`,
    );
  }
}

export class WorkflowNotResubmittableError extends DomainError {
  readonly slug = 'workflow-not-resubmittable';
  readonly status = 409;
  readonly title = 'Nothing to resubmit';

  constructor(reason: string) {
    super(reason);
  }
}

export class NotSubmitterError extends DomainError {
  readonly slug = 'not-submitter';
  readonly status = 403;
  readonly title = 'Only the submitter can do this';

  constructor() {
    super('Only the person who submitted the page (or a superuser) can cancel its workflow.');
  }
}

export class NotAReviewerError extends DomainError {
  readonly slug = 'not-a-reviewer';
  readonly status = 403;
  readonly title = 'Not a reviewer of this task';

  constructor(taskName: string) {
    super(
      `You may not review the task "${taskName}": only members of its groups (and superusers) can. Ask an administrator (manage_users) to add you to one of them.`,
    );
  }
}

/** A page in review is locked to everyone who cannot review its current task. */
export class PageInWorkflowError extends DomainError {
  readonly slug = 'in-workflow';
  readonly status = 423;
  readonly title = 'In review';

  constructor(taskName: string) {
    super(
      `The page is in review at the task "${taskName}" and locked to all but its reviewers. Wait for them, or ask the submitter to cancel the workflow.`,
    );
  }
}

export class WorkflowRequiredError extends DomainError {
  readonly slug = 'workflow-required';
  readonly status = 409;
  readonly title = 'Publishing needs the workflow';

  constructor(name: string) {
    super(
      `The workflow "${name}" holds for this page and does not allow publishing directly: submit it for review (POST /api/admin/pages/<id>/workflow/submit).`,
    );
  }
}

export class CommentNotFoundError extends DomainError {
  readonly slug = 'comment-not-found';
  readonly status = 404;
  readonly title = 'No such comment';

  constructor(id: string) {
    super(`The page has no comment ${id}.`);
  }
}

export class NotCommentAuthorError extends DomainError {
  readonly slug = 'not-comment-author';
  readonly status = 403;
  readonly title = 'Not your comment';

  constructor(verb: string) {
    super(
      `Only the comment's author can ${verb} it${verb === 'delete' ? ' (or a superuser)' : ''}.`,
    );
  }
}

/** Two changes to workflows crossed (both made themselves the default): try again. */
export class WorkflowConflictError extends DomainError {
  readonly slug = 'conflict';
  readonly status = 409;
  readonly title = 'Conflicting change';

  constructor() {
    super('Another change to the workflows was made at the same time. Reload and try again.');
  }
}

/** Comments are for the page's editors and its current reviewers. */
export class NotAPageCollaboratorError extends DomainError {
  readonly slug = 'permission-denied';
  readonly status = 403;
  readonly title = 'You may not do this';

  constructor() {
    super(
      "A page's comments and review history are open to those who may change or publish it and to the reviewers of its current task (or of the task that sent it back). Ask an administrator for change_page on it.",
    );
  }
}

export class WorkflowInactiveError extends DomainError {
  readonly slug = 'workflow-inactive';
  readonly status = 409;
  readonly title = 'The workflow is inactive';

  constructor(name: string) {
    super(
      `The workflow "${name}" assigned to this part of the site is inactive, and no other workflow holds here. Activate it, assign another, or publish directly.`,
    );
  }
}

export class WorkflowAssignmentNotFoundError extends DomainError {
  readonly slug = 'workflow-assignment-not-found';
  readonly status = 404;
  readonly title = 'The workflow is not assigned there';

  constructor(name: string, pageId: string) {
    super(
      `The workflow "${name}" is not assigned to page ${pageId} (it may hold there through an ancestor: GET /api/admin/workflows/<id> lists its pages).`,
    );
  }
}
