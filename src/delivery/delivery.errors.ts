import { DomainError } from '#src/errors/domain-error.js';

/** A query parameter of the delivery API is unknown or has a bad value; `errors` names it. */
export class DeliveryParameterError extends DomainError {
  readonly slug = 'invalid-parameter';
  readonly status = 400;
  readonly title = 'A query parameter is not valid';

  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`, [{ path: parameter, message }]);
  }
}

/** No published page or snippet answers this request. */
export class DeliveryNotFoundError extends DomainError {
  readonly slug = 'not-found';
  readonly status = 404;
  readonly title = 'Not found';
}

/** A preview token that is malformed, forged or expired. */
export class PreviewTokenInvalidError extends DomainError {
  readonly slug = 'preview-token-invalid';
  readonly status = 401;
  readonly title = 'The preview token is not valid';
}

/** `draft=true` without credentials that may read drafts. */
export class DraftAccessRequiredError extends DomainError {
  readonly slug = 'draft-access-required';
  readonly status = 401;
  readonly title = 'Reading drafts needs credentials';

  constructor() {
    super(
      'draft=true needs an API token with the read scope (Authorization: Bearer finch_…) or a signed-in editor; use a preview token (preview_token=) to share one draft.',
    );
  }
}

/** `draft=true` from someone who may not edit the content whose drafts they ask for. */
export class DraftAccessDeniedError extends DomainError {
  readonly slug = 'permission-denied';
  readonly status = 403;
  readonly title = 'Permission denied';
}
