/** One problem with one input field, e.g. `{ path: 'fields[3].type', message: 'unknown field type "colour"' }`. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The base of every error Finch's features throw on purpose. Each subclass says which
 * HTTP status and problem type it becomes; the mapping to RFC 9457 happens in one place
 * (ProblemDetailsFilter), so features never build responses for their errors.
 */
export abstract class DomainError extends Error {
  /** A short, stable slug: becomes the problem type `urn:finch:problem:<slug>`. */
  abstract readonly slug: string;
  abstract readonly status: number;
  /** A human summary that does not change from occurrence to occurrence. */
  abstract readonly title: string;

  constructor(
    /** What happened this time and what to do about it. */
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/** The request's content failed validation; `errors` names each field. */
export class RequestValidationError extends DomainError {
  readonly slug = 'validation';
  readonly status = 400;
  readonly title = 'The request is not valid';

  constructor(errors: FieldError[], detail?: string) {
    super(
      detail ??
        `${errors.length} field${errors.length === 1 ? ' is' : 's are'} not valid: see errors for each one.`,
      errors,
    );
  }
}
