import { DomainError } from '#src/errors/domain-error.js';

/** No feed answers this URL (or its page is not live). */
export class FeedNotFoundError extends DomainError {
  readonly slug = 'feed-not-found';
  readonly status = 404;
  readonly title = 'No such feed';
}

/** A hand-made feed the management API does not know. */
export class FeedDefinitionNotFoundError extends DomainError {
  readonly slug = 'feed-not-found';
  readonly status = 404;
  readonly title = 'No such feed';

  constructor(id: string) {
    super(`There is no feed with id ${id}. GET /api/admin/feeds lists the feeds.`);
  }
}

export class FeedSlugTakenError extends DomainError {
  readonly slug = 'feed-slug-taken';
  readonly status = 409;
  readonly title = 'Feed slug taken';

  constructor(slug: string) {
    super(`Another feed already has the slug "${slug}": choose another one.`, [
      { path: 'slug', message: `"${slug}" is taken` },
    ]);
  }
}
