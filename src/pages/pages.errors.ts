import { DomainError, type FieldError } from '#src/errors/domain-error.js';
import type { TargetedReferenceUsage } from '#src/references/reference-index.service.js';

export class PageNotFoundError extends DomainError {
  readonly slug = 'page-not-found';
  readonly status = 404;
  readonly title = 'No such page';

  constructor(id: string) {
    super(`There is no page with id ${id}.`);
  }
}

/** A page named in the request body (a parent, a destination) does not exist: a 400 naming it. */
export class ReferencedPageMissingError extends DomainError {
  readonly slug = 'page-not-found';
  readonly status = 400;
  readonly title = 'No such page';

  constructor(field: string, id: string) {
    super(`There is no page with id ${id} (${field}).`, [{ path: field, message: 'no such page' }]);
  }
}

export class SlugTakenError extends DomainError {
  readonly slug = 'slug-taken';
  readonly status = 409;
  readonly title = 'The slug is already in use here';

  constructor(slug: string) {
    super(
      `Another page at this level already has the slug "${slug}": slugs are unique among siblings. Choose another slug.`,
      [{ path: 'slug', message: 'is already used by a sibling page' }],
    );
  }
}

/** The content type rules (`parentTypes`/`childTypes`) forbid the page at this place. */
export class PageTypeNotAllowedError extends DomainError {
  readonly slug = 'page-type-not-allowed';
  readonly status = 400;
  readonly title = 'This type of page is not allowed here';

  constructor(detail: string, field: string) {
    super(detail, [{ path: field, message: detail }]);
  }
}

export class PageMoveCycleError extends DomainError {
  readonly slug = 'page-move-cycle';
  readonly status = 400;
  readonly title = 'A page cannot be moved into itself';

  constructor() {
    super(
      'A page cannot be moved (or copied with its subtree) into itself or one of its descendants.',
      [{ path: 'parentId', message: 'is the page itself or one of its descendants' }],
    );
  }
}

export class PageTreeLimitError extends DomainError {
  readonly slug = 'page-tree-limit';
  readonly status = 400;
  readonly title = 'The page tree cannot grow this way';

  constructor(detail: string, errors: FieldError[]) {
    super(detail, errors);
  }
}

export class DeleteConfirmationError extends DomainError {
  readonly slug = 'delete-confirmation-required';
  readonly status = 409;
  readonly title = 'Confirm how many pages will be deleted';

  constructor(readonly count: number) {
    super(
      `Deleting this page deletes ${count} page${count === 1 ? '' : 's'} (it and its descendants). Repeat the request with ?confirm=${count}.`,
      [{ path: 'confirm', message: `must be ${count}` }],
    );
  }
}

/** Deleting pages that live content elsewhere still links to needs `?force=true`. */
export class PageInUseError extends DomainError {
  readonly slug = 'page-in-use';
  readonly status = 409;
  readonly title = 'The pages are still used by live content';

  constructor(usages: readonly TargetedReferenceUsage[]) {
    super(
      `Live content links to the pages that would be deleted in ${usages.length} place${usages.length === 1 ? '' : 's'} (see errors). Change that content first, or delete anyway with force=true.`,
      usages.slice(0, 100).map((usage, index) => ({
        path: `usages[${index}]`,
        message: `${usage.source.type} ${usage.source.id} "${usage.source.title}" (${usage.source.contentType}) links to page ${usage.target.id} at ${usage.fieldPath}`,
      })),
    );
  }
}

export class SiteRootInSubtreeError extends DomainError {
  readonly slug = 'page-is-site-root';
  readonly status = 409;
  readonly title = 'A site is served from this subtree';

  constructor(hostnames: string[]) {
    super(
      `The site${hostnames.length === 1 ? '' : 's'} ${hostnames.join(', ')} ${hostnames.length === 1 ? 'is' : 'are'} served from a page that would be deleted. Delete the site or point it at another root first.`,
    );
  }
}

export class SiteRootMoveError extends DomainError {
  readonly slug = 'page-is-site-root';
  readonly status = 409;
  readonly title = 'A site is served from this page';

  constructor() {
    super(
      'A site is served from this page, and a site is served from a root page: point the site at another root page before moving this one under a parent.',
      [{ path: 'parentId', message: 'the page is the root of a site' }],
    );
  }
}

export class SiteNotFoundError extends DomainError {
  readonly slug = 'site-not-found';
  readonly status = 404;
  readonly title = 'No such site';

  constructor(id: string) {
    super(`There is no site with id ${id}.`);
  }
}

export class SiteConflictError extends DomainError {
  readonly slug = 'site-conflict';
  readonly status = 409;
  readonly title = 'The site clashes with another';

  constructor(detail: string, field: string) {
    super(detail, [{ path: field, message: detail }]);
  }
}

export class SiteRootInvalidError extends DomainError {
  readonly slug = 'site-root-invalid';
  readonly status = 400;
  readonly title = 'A site is served from a root page';

  constructor(detail: string) {
    super(detail, [{ path: 'rootPageId', message: detail }]);
  }
}

export class DefaultSiteRequiredError extends DomainError {
  readonly slug = 'default-site-required';
  readonly status = 409;
  readonly title = 'Exactly one site is the default';

  constructor(detail: string) {
    super(detail, [{ path: 'isDefault', message: detail }]);
  }
}
