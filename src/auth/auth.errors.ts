import { DomainError } from '#src/errors/domain-error.js';

/** Wrong email or password: one message for both, so it does not tell who has an account. */
export class InvalidCredentialsError extends DomainError {
  readonly slug = 'invalid-credentials';
  readonly status = 401;
  readonly title = 'Wrong email address or password';

  constructor() {
    super('The email address or the password is not right. Check both and try again.');
  }
}

/** Too many failed attempts lately; the controller sends `Retry-After` with it. */
export class TooManyAttemptsError extends DomainError {
  readonly slug = 'too-many-attempts';
  readonly status = 429;
  readonly title = 'Too many attempts';

  constructor(readonly retryAfterSeconds: number) {
    super(
      `There were too many attempts from here or for this account. Wait ${describeSeconds(retryAfterSeconds)} before trying again.`,
    );
  }
}

function describeSeconds(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** The route needs credentials and the request brought none. */
export class AuthenticationRequiredError extends DomainError {
  readonly slug = 'authentication-required';
  readonly status = 401;
  readonly title = 'Sign in first';

  constructor() {
    super('This needs you to be signed in: send "Authorization: Bearer <access or API token>".');
  }
}

/** The bearer token is malformed, badly signed, expired, revoked, or its user changed. */
export class InvalidBearerTokenError extends DomainError {
  readonly slug = 'invalid-token';
  readonly status = 401;
  readonly title = 'The token is not valid';

  constructor() {
    super(
      'The access token or API token is invalid, expired or revoked. Refresh the session (POST /api/auth/refresh) or sign in again.',
    );
  }
}

/** The refresh cookie is missing, unknown, expired, revoked or was used already. */
export class SessionEndedError extends DomainError {
  readonly slug = 'session-ended';
  readonly status = 401;
  readonly title = 'The session has ended';

  constructor() {
    super('This session has ended or was never valid. Sign in again.');
  }
}

/** A cookie-authenticated change came without the header only Finch's own pages send. */
export class CsrfHeaderMissingError extends DomainError {
  readonly slug = 'csrf-header-missing';
  readonly status = 403;
  readonly title = 'The request lacks its CSRF header';

  constructor(header: string) {
    super(
      `Send the header "${header}: 1" with this request. Browsers do not let other sites send it, which is how Finch tells your own pages from forged requests.`,
    );
  }
}

export class SuperuserRequiredError extends DomainError {
  readonly slug = 'superuser-required';
  readonly status = 403;
  readonly title = 'Only superusers may do this';

  constructor() {
    super('Only a superuser may do this; no group permission is enough.');
  }
}

/** An API token was used where only a person's session will do. */
export class ApiTokenNotAcceptedError extends DomainError {
  readonly slug = 'api-token-not-accepted';
  readonly status = 403;
  readonly title = 'API tokens cannot do this';

  constructor() {
    super('This cannot be done with an API token. Sign in as the person and use the session.');
  }
}

/** An API token without the scope the route needs. */
export class MissingTokenScopeError extends DomainError {
  readonly slug = 'missing-token-scope';
  readonly status = 403;
  readonly title = 'The API token lacks a scope';

  constructor(scope: string) {
    super(`This API token does not have the "${scope}" scope. Make a token that has it.`);
  }
}

/**
 * A route that declares no access rule is closed to everyone (fail closed): a bug, which
 * the route-declaration test catches before it ships.
 */
export class UndeclaredRouteAccessError extends DomainError {
  readonly slug = 'route-access-undeclared';
  readonly status = 403;
  readonly title = 'This endpoint is closed';

  constructor() {
    super(
      'This endpoint does not declare who may call it, so nobody may. This is a bug in Finch or a plugin: please report it.',
    );
  }
}

/** A reset or invitation link that is unknown, used, expired, or whose user is disabled. */
export class InvalidLinkTokenError extends DomainError {
  readonly slug = 'invalid-link';
  readonly status = 400;
  readonly title = 'The link is not valid';

  constructor(what: 'password reset' | 'invitation') {
    super(
      what === 'password reset'
        ? 'This password reset link is invalid, was used already or has expired. Ask for a new one.'
        : 'This invitation link is invalid, was used already or has expired. Ask whoever invited you to send a new one.',
      [{ path: 'token', message: 'is invalid, used or expired' }],
    );
  }
}

export class WrongCurrentPasswordError extends DomainError {
  readonly slug = 'wrong-current-password';
  readonly status = 400;
  readonly title = 'The current password is not right';

  constructor() {
    super('The current password is not right, so the password was not changed.', [
      { path: 'currentPassword', message: 'is not right' },
    ]);
  }
}

export class SessionNotFoundError extends DomainError {
  readonly slug = 'session-not-found';
  readonly status = 404;
  readonly title = 'No such session';

  constructor(id: string) {
    super(`You have no active session with id ${id}.`);
  }
}

export class ApiTokenNotFoundError extends DomainError {
  readonly slug = 'api-token-not-found';
  readonly status = 404;
  readonly title = 'No such API token';

  constructor(id: string) {
    super(`You have no API token with id ${id}.`);
  }
}
