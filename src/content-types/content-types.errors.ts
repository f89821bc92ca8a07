import { DomainError, type FieldError } from '#src/errors/domain-error.js';

export class ContentTypeNotFoundError extends DomainError {
  readonly slug = 'content-type-not-found';
  readonly status = 404;
  readonly title = 'No such content type';

  constructor(readonly key: string) {
    super(`There is no content type "${key.slice(0, 100)}".`);
  }
}

/** A definition that breaks the JSON Schema or a rule of its own; `errors` name the paths. */
export class ContentTypeDefinitionError extends DomainError {
  readonly slug = 'content-type-invalid';
  readonly status = 400;
  readonly title = 'The content type definition is not valid';

  constructor(errors: FieldError[], detail?: string) {
    super(
      detail ??
        `${errors.length} problem${errors.length === 1 ? '' : 's'} in the definition: see errors for the path of each.`,
      errors,
    );
  }
}

export class ContentTypeKeyTakenError extends DomainError {
  readonly slug = 'content-type-exists';
  readonly status = 409;
  readonly title = 'A content type with this key exists';

  constructor(key: string) {
    super(`A content type "${key}" exists already: change it with PUT instead.`, [
      { path: 'key', message: `"${key}" is taken` },
    ]);
  }
}

/** Someone else changed the type since the caller read it. */
export class ContentTypeVersionConflictError extends DomainError {
  readonly slug = 'content-type-version-conflict';
  readonly status = 409;
  readonly title = 'The content type changed meanwhile';

  constructor(key: string, expected: number, actual: number) {
    super(
      `Content type "${key}" is at version ${actual}, not ${expected}: read it again and reapply your change.`,
    );
  }
}

export class ContentTypeInUseError extends DomainError {
  readonly slug = 'content-type-in-use';
  readonly status = 409;
  readonly title = 'The content type is in use';

  constructor(detail: string) {
    super(detail);
  }
}
