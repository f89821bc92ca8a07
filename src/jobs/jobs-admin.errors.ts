import { DomainError } from '#src/errors/domain-error.js';

export class UnknownQueueError extends DomainError {
  readonly slug = 'unknown-queue';
  readonly status = 404;
  readonly title = 'No such queue';

  constructor(name: string) {
    super(`There is no queue named "${name}". GET /api/admin/jobs/queues lists them.`);
  }
}

export class JobNotFoundError extends DomainError {
  readonly slug = 'job-not-found';
  readonly status = 404;
  readonly title = 'No such job';

  constructor(queue: string, id: string) {
    super(`Queue "${queue}" has no job ${id}; it may have been retried, discarded or pruned.`);
  }
}

export class JobNotFailedError extends DomainError {
  readonly slug = 'job-not-failed';
  readonly status = 409;
  readonly title = 'The job has not failed';

  constructor(id: string, state: string) {
    super(`Job ${id} is ${state}; only failed jobs can be retried or discarded.`);
  }
}
