import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { User } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';
import { InvalidLinkTokenError } from '#src/auth/auth.errors.js';
import type { ClientInfo } from '#src/auth/auth-sessions.service.js';
import { OneTimeTokensService } from '#src/auth/one-time-tokens.service.js';
import { AuditService } from '#src/audit/audit.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { MailService } from '#src/mail/mail.service.js';

export const INVITATION_TTL_DAYS = 7;

/** The admin UI page that accepts an invitation; the token rides in the fragment. */
export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/admin/accept-invitation#token=${token}`;
}

/** Who sends an invitation. */
export interface Inviter {
  id: string;
  name: string;
  email: string;
}

export interface InviteOptions {
  /** The caller's transaction, e.g. one that also puts the new user in groups. */
  manager?: EntityManager;
  /** The inviter's address, for the audit log. */
  ip?: string;
}

/**
 * Invitations: an account without a password and a single-use link, valid for 7 days,
 * with which its owner chooses one. The management API (users) calls `invite`.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Creates the account (active, no password: nobody can sign in to it yet) and emails the
   * link, all in one transaction. Throws EmailTakenError when the address has an account.
   */
  invite(
    email: string,
    name: string,
    invitedBy: Inviter,
    options: InviteOptions = {},
  ): Promise<User> {
    const work = async (manager: EntityManager): Promise<User> => {
      const user = await this.users.create({ email, name }, manager);
      await this.sendInvitation(user, invitedBy, manager, options.ip);
      return user;
    };
    return options.manager ? work(options.manager) : this.dataSource.transaction(work);
  }

  private async sendInvitation(
    user: User,
    invitedBy: Inviter,
    manager: EntityManager,
    ip?: string,
  ): Promise<void> {
    const token = await this.tokens.issue(
      user.id,
      'invitation',
      INVITATION_TTL_DAYS * 86_400_000,
      manager,
    );
    await this.mail.send(
      {
        to: { name: user.name, address: user.email },
        template: 'invitation',
        context: {
          name: user.name || user.email,
          invitedBy: invitedBy.name || invitedBy.email,
          acceptUrl: invitationUrl(this.config.publicUrl, token),
          expiresInDays: INVITATION_TTL_DAYS,
        },
      },
      { manager },
    );
    await this.audit.record(
      {
        actorId: invitedBy.id,
        action: 'auth.invitation_sent',
        objectType: 'user',
        objectId: user.id,
        data: { email: user.email },
        ip: ip ?? null,
      },
      manager,
    );
  }

  /** Sets the invited user's password from their link, which is used up. */
  async accept(token: string, password: string, client: ClientInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.tokens.consume(token, 'invitation', manager);
      const user = userId ? await this.users.findById(userId, manager) : null;
      if (!user || !user.isActive) throw new InvalidLinkTokenError('invitation');
      await this.users.setPassword(user.id, password, manager);
      await this.audit.record(
        {
          actorId: user.id,
          action: 'auth.invitation_accepted',
          objectType: 'user',
          objectId: user.id,
          ip: client.ip,
        },
        manager,
      );
    });
  }
}
