import { DomainError, type FieldError } from '#src/errors/domain-error.js';

/** Content (field values of a page or snippet) does not fit its content type. */
export class ContentValidationError extends DomainError {
  readonly slug = 'content-invalid';
  readonly status = 400;
  readonly title = 'The content does not fit its content type';

  constructor(errors: FieldError[], detail?: string) {
    super(
      detail ??
        `${errors.length} value${errors.length === 1 ? ' is' : 's are'} not valid: see errors for the path of each.`,
      errors,
    );
  }
}
