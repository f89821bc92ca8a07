import { DomainError, type FieldError } from '#src/errors/domain-error.js';

export class WeakPasswordError extends DomainError {
  readonly slug = 'weak-password';
  readonly status = 400;
  readonly title = 'The password is not acceptable';

  constructor(errors: FieldError[]) {
    super(`The password ${errors[0]?.message ?? 'is not acceptable'}.`, errors);
  }
}

export class EmailTakenError extends DomainError {
  readonly slug = 'email-taken';
  readonly status = 409;
  readonly title = 'The email address is already in use';

  constructor() {
    super('Another account uses this email address.', [
      { path: 'email', message: 'is already in use' },
    ]);
  }
}

export class UserNotFoundError extends DomainError {
  readonly slug = 'user-not-found';
  readonly status = 404;
  readonly title = 'No such user';

  constructor(id: string) {
    super(`There is no user with id ${id}.`);
  }
}
