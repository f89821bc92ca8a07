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

export class GroupNotFoundError extends DomainError {
  readonly slug = 'group-not-found';
  readonly status = 404;
  readonly title = 'No such group';

  constructor(id: string) {
    super(`There is no group with id ${id}.`);
  }
}

export class GroupNameTakenError extends DomainError {
  readonly slug = 'group-name-taken';
  readonly status = 409;
  readonly title = 'The group name is already in use';

  constructor(name: string) {
    super(`A group named "${name}" exists already. Choose another name.`, [
      { path: 'name', message: 'is already in use' },
    ]);
  }
}

/** The user may not do this (see PermissionsService.explain for why). */
export class PermissionDeniedError extends DomainError {
  readonly slug = 'permission-denied';
  readonly status = 403;
  readonly title = 'You may not do this';

  constructor(codename: string, label?: string) {
    super(
      `This needs the permission "${codename}"${label ? ` (${label})` : ''}. Ask an administrator to grant it to one of your groups.`,
    );
  }
}
