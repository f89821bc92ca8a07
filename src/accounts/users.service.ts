import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import {
  EmailTakenError,
  UserNotFoundError,
  WeakPasswordError,
} from '#src/accounts/accounts.errors.js';
import { PERSON_NAME_PATTERN } from '#src/accounts/dto/person-name.js';
import { PasswordHasher } from '#src/accounts/password-hasher.js';
import { PasswordPolicy } from '#src/accounts/password-policy.js';
import { normalizeEmail, User } from '#src/accounts/user.entity.js';
import { AuditService } from '#src/audit/audit.service.js';
import { DomainError, RequestValidationError } from '#src/errors/domain-error.js';

export class FirstRunClosedError extends DomainError {
  readonly slug = 'first-run-closed';
  readonly status = 409;
  readonly title = 'Finch already has users';

  constructor() {
    super('The first superuser exists already. Sign in, or ask an administrator for an account.');
  }
}

export interface NewUser {
  email: string;
  name?: string;
  /** Omitted for invited users, who set it from their invitation. */
  password?: string;
  isSuperuser?: boolean;
  isActive?: boolean;
  preferredLocale?: string | null;
}

/** How the first superuser came to be, for the audit log. */
export interface FirstSuperuserOrigin {
  via: 'setup' | 'cli' | 'environment';
  ip?: string;
}

const UNIQUE_VIOLATION = '23505';

/** The one place users are created, found and have their passwords checked or changed. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
  ) {}

  private users(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOne({ where: { id } });
  }

  async getById(id: string, manager?: EntityManager): Promise<User> {
    const user = await this.findById(id, manager);
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  findByEmail(email: string, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOne({ where: { emailNormalized: normalizeEmail(email) } });
  }

  count(manager?: EntityManager): Promise<number> {
    return this.users(manager).count();
  }

  /** Throws WeakPasswordError when `password` breaks the password policy. */
  assertAcceptablePassword(password: string, email?: string, field = 'password'): void {
    const problems = this.policy.check(password, { email, field });
    if (problems.length > 0) throw new WeakPasswordError(problems);
  }

  async create(input: NewUser, manager?: EntityManager): Promise<User> {
    if (input.name !== undefined && !PERSON_NAME_PATTERN.test(input.name)) {
      throw new RequestValidationError([
        { path: 'name', message: 'must not contain line breaks or other control characters' },
      ]);
    }
    if (input.password !== undefined) this.assertAcceptablePassword(input.password, input.email);
    const passwordHash =
      input.password === undefined ? null : await this.hasher.hash(input.password);
    const repository = this.users(manager);
    const user = repository.create({
      email: input.email.trim(),
      emailNormalized: normalizeEmail(input.email),
      name: input.name?.trim() ?? '',
      isSuperuser: input.isSuperuser ?? false,
      isActive: input.isActive ?? true,
      preferredLocale: input.preferredLocale ?? null,
      passwordHash,
    });
    try {
      await repository.insert(user);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new EmailTakenError();
      }
      throw error;
    }
    return this.getById(user.id, manager);
  }

  /**
   * Creates the first superuser, only while there is no user at all. Two requests racing
   * cannot both succeed: the table is locked against inserts for the check.
   */
  createFirstSuperuser(
    input: Omit<NewUser, 'isSuperuser' | 'isActive'>,
    origin: FirstSuperuserOrigin = { via: 'setup' },
  ): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
      if ((await this.count(manager)) > 0) throw new FirstRunClosedError();
      const user = await this.create({ ...input, isSuperuser: true, isActive: true }, manager);
      await this.audit.record(
        {
          actorId: user.id,
          action: 'users.first_superuser_created',
          objectType: 'user',
          objectId: user.id,
          data: { email: user.email, via: origin.via },
          ip: origin.ip,
        },
        manager,
      );
      return user;
    });
  }

  /**
   * The active user with this email and password, or null. Unknown addresses cost the same
   * time as wrong passwords. A hash made with older parameters is upgraded on the way.
   */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const found = await this.users()
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.emailNormalized = :email', { email: normalizeEmail(email) })
      .getOne();
    const matches = await this.hasher.verify(found?.passwordHash, password);
    if (!found || !matches || !found.isActive) return null;
    if (found.passwordHash && this.hasher.needsRehash(found.passwordHash)) {
      await this.users().update(found.id, { passwordHash: await this.hasher.hash(password) });
    }
    // The hash never leaves this service.
    delete (found as Partial<User>).passwordHash;
    return found;
  }

  /**
   * Sets a new password and raises the token version, so every access token and session
   * issued before stops working at once.
   */
  async setPassword(userId: string, password: string, manager?: EntityManager): Promise<void> {
    const user = await this.getById(userId, manager);
    this.assertAcceptablePassword(password, user.email);
    await this.users(manager).update(userId, {
      passwordHash: await this.hasher.hash(password),
      tokenVersion: () => 'token_version + 1',
    });
  }

  /** Deactivating also ends every session and access token of the user. */
  async setActive(userId: string, active: boolean, manager?: EntityManager): Promise<void> {
    await this.getById(userId, manager);
    await this.users(manager).update(
      userId,
      active ? { isActive: true } : { isActive: false, tokenVersion: () => 'token_version + 1' },
    );
  }

  async recordLogin(userId: string): Promise<void> {
    await this.users().update(userId, { lastLoginAt: () => 'now()' });
  }
}
