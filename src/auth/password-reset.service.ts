import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { normalizeEmail } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';
import { InvalidLinkTokenError, TooManyAttemptsError } from '#src/auth/auth.errors.js';
import { AuthSessionsService, type ClientInfo } from '#src/auth/auth-sessions.service.js';
import {
  AuthThrottle,
  RESET_REQUESTS_PER_ACCOUNT,
  RESET_REQUESTS_PER_ADDRESS,
  type ThrottleSubject,
} from '#src/auth/auth-throttle.service.js';
import { throttleSubjectForAddress } from '#src/auth/client-address.js';
import { OneTimeTokensService } from '#src/auth/one-time-tokens.service.js';
import { accountSubject } from '#src/auth/sign-in.service.js';
import { AuditService } from '#src/audit/audit.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { MailService } from '#src/mail/mail.service.js';

export const PASSWORD_RESET_TTL_MINUTES = 60;

/** The admin UI page that completes a reset; the token rides in the fragment, never sent to a server. */
export function passwordResetUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/admin/reset-password#token=${token}`;
}

/**
 * "Forgot your password": a single-use link by email, valid for an hour. Asking gives the
 * same answer whether or not the address has an account.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensService,
    private readonly sessions: AuthSessionsService,
    private readonly throttle: AuthThrottle,
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Sends a reset link when `email` belongs to an active account; does nothing visible
   * otherwise. Requests are limited per address and per email, whether or not it exists.
   */
  async request(email: string, client: ClientInfo): Promise<void> {
    const subjects: ThrottleSubject[] = [
      { policy: RESET_REQUESTS_PER_ACCOUNT, subject: normalizeEmail(email) },
      { policy: RESET_REQUESTS_PER_ADDRESS, subject: throttleSubjectForAddress(client.ip) },
    ];
    const wait = await this.throttle.retryAfterSeconds(subjects);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    await this.throttle.record(subjects);

    await this.dataSource.transaction(async (manager) => {
      const user = await this.users.findByEmail(email, manager);
      if (!user || !user.isActive) return;
      const token = await this.tokens.issue(
        user.id,
        'password_reset',
        PASSWORD_RESET_TTL_MINUTES * 60_000,
        manager,
      );
      await this.mail.send(
        {
          to: { name: user.name, address: user.email },
          template: 'password-reset',
          context: {
            name: user.name || user.email,
            resetUrl: passwordResetUrl(this.config.publicUrl, token),
            expiresInMinutes: PASSWORD_RESET_TTL_MINUTES,
          },
        },
        { manager },
      );
      await this.audit.record(
        {
          actorId: null,
          action: 'auth.password_reset_requested',
          objectType: 'user',
          objectId: user.id,
          ip: client.ip,
        },
        manager,
      );
    });
  }

  /**
   * Sets the password from a reset link: the link is used up, and every session of the
   * user ends (whoever else was signed in is signed out).
   */
  async confirm(token: string, password: string, client: ClientInfo): Promise<void> {
    const email = await this.dataSource.transaction(async (manager) => {
      const userId = await this.tokens.consume(token, 'password_reset', manager);
      const user = userId ? await this.users.findById(userId, manager) : null;
      if (!user || !user.isActive) throw new InvalidLinkTokenError('password reset');
      await this.users.setPassword(user.id, password, manager);
      await this.sessions.endAllOf(user.id, manager);
      await this.audit.record(
        {
          actorId: user.id,
          action: 'auth.password_changed',
          objectType: 'user',
          objectId: user.id,
          data: { via: 'password-reset', otherSessionsEnded: true },
          ip: client.ip,
        },
        manager,
      );
      return user.email;
    });
    // Whoever can read the account's email may sign in at once, even if others hammered it.
    await this.throttle.clear([accountSubject(email)]);
  }
}
