import { DomainError, type FieldError } from '#src/errors/domain-error.js';
import type { PublishableType } from '#src/publishing/publishable-columns.js';

/** The page or snippet does not exist (or the id names another kind of object). */
export class PublishableNotFoundError extends DomainError {
  readonly slug: string;
  readonly status = 404;
  readonly title: string;

  constructor(type: PublishableType, id: string) {
    super(`There is no ${type} with id ${id}.`);
    this.slug = `${type}-not-found`;
    this.title = type === 'page' ? 'No such page' : 'No such snippet';
  }
}

export class RevisionNotFoundError extends DomainError {
  readonly slug = 'revision-not-found';
  readonly status = 404;
  readonly title = 'No such revision';

  constructor(type: PublishableType, id: string, revisionId: string) {
    super(`The ${type} ${id} has no revision ${revisionId}.`);
  }
}

/** Someone else holds the lock (Wagtail's locking): they, or someone allowed to unlock, must unlock it first. */
export class ObjectLockedError extends DomainError {
  readonly slug = 'locked';
  readonly status = 423;
  readonly title = 'Locked by another user';

  constructor(
    type: PublishableType,
    readonly lockedBy: string | null,
    lockedAt: Date | null,
  ) {
    super(
      `This ${type} was locked by user ${lockedBy ?? '(deleted)'}${lockedAt ? ` at ${lockedAt.toISOString()}` : ''}: only they can edit, publish or unlock it, or someone with the permission to unlock.`,
    );
  }
}

export class NotLiveError extends DomainError {
  readonly slug = 'not-live';
  readonly status = 409;
  readonly title = 'Not live';

  constructor(type: PublishableType) {
    super(`The ${type} is not live, so there is nothing to unpublish.`);
  }
}

export class NothingScheduledError extends DomainError {
  readonly slug = 'nothing-scheduled';
  readonly status = 409;
  readonly title = 'Nothing is scheduled';

  constructor(type: PublishableType) {
    super(`The ${type} has no scheduled publication or expiry to cancel.`);
  }
}

/** A publish with dates that cannot both hold (an expiry in the past, or before the go-live time). */
export class InvalidScheduleError extends DomainError {
  readonly slug = 'invalid-schedule';
  readonly status = 400;
  readonly title = 'The schedule is not valid';

  constructor(errors: FieldError[]) {
    super(errors.map((error) => `${error.path} ${error.message}`).join('; '), errors);
  }
}

/** Larger content is refused before anything else looks at it. */
export class ContentTooLargeError extends DomainError {
  readonly slug = 'content-too-large';
  readonly status = 400;
  readonly title = 'The content is too large';

  constructor(bytes: number, limit: number) {
    super(
      `The content is ${bytes} bytes of JSON; at most ${limit} are accepted. Split it, or link to media instead of embedding data.`,
      [{ path: 'content', message: `must be at most ${limit} bytes of JSON (it is ${bytes})` }],
    );
  }
}
