import { DomainError } from '#src/errors/domain-error.js';
import type { TargetedReferenceUsage } from '#src/references/reference-index.service.js';

/** The type is unknown, or is a page type. */
export class SnippetTypeNotFoundError extends DomainError {
  readonly slug = 'snippet-type-not-found';
  readonly status = 404;
  readonly title = 'No such snippet type';

  constructor(key: string) {
    super(`There is no snippet type "${key.slice(0, 100)}".`);
  }
}

/** Deleting a snippet that live content still uses needs `?force=true`. */
export class SnippetInUseError extends DomainError {
  readonly slug = 'snippet-in-use';
  readonly status = 409;
  readonly title = 'The snippet is used by live content';

  constructor(usages: readonly TargetedReferenceUsage[]) {
    super(
      `Live content uses this snippet in ${usages.length} place${usages.length === 1 ? '' : 's'} (see errors). Change that content first, or delete anyway with ?force=true.`,
      usages.slice(0, 100).map((usage, index) => ({
        path: `usages[${index}]`,
        message: `${usage.source.type} ${usage.source.id} "${usage.source.title}" (${usage.source.contentType}) at ${usage.fieldPath}`,
      })),
    );
  }
}
