import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { normalizeEmail, type User } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';
import { AccessTokenIssuer, type IssuedAccessToken } from '#src/auth/access-tokens.js';
import {
  InvalidCredentialsError,
  SessionEndedError,
  TooManyAttemptsError,
  WrongCurrentPasswordError,
} from '#src/auth/auth.errors.js';
import type { AuthPrincipal } from '#src/auth/auth-principal.js';
import {
  AuthSessionsService,
  type ClientInfo,
  type IssuedRefreshToken,
} from '#src/auth/auth-sessions.service.js';
import {
  AuthThrottle,
  LOGIN_FAILURES_PER_ACCOUNT,
  LOGIN_FAILURES_PER_ADDRESS,
  type ThrottleSubject,
} from '#src/auth/auth-throttle.service.js';
import { throttleSubjectForAddress } from '#src/auth/client-address.js';
import { PassportStrategies } from '#src/auth/passport-strategies.js';
import { AuditService } from '#src/audit/audit.service.js';

export interface SignedIn extends IssuedAccessToken {
  user: User;
  refresh: IssuedRefreshToken;
}

/** The client behind a request: its address (TRUST_PROXY decides whom to believe) and agent. */
export function clientOf(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : '' };
}

export function accountSubject(email: string): ThrottleSubject {
  return { policy: LOGIN_FAILURES_PER_ACCOUNT, subject: normalizeEmail(email) };
}

/**
 * Signing in and out, refreshing, and changing one's own password: the throttle, the
 * session records, the access tokens and the audit log, in one place.
 */
@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly strategies: PassportStrategies,
    private readonly sessions: AuthSessionsService,
    private readonly throttle: AuthThrottle,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks the email and password in the request body (passport-local). Failures count
   * against the account and the client address; while either is blocked, nothing is
   * checked and TooManyAttemptsError says how long to wait. The account's block does not
   * apply to an address the account signed in from in the last 30 days, so whoever
   * hammers an account from elsewhere cannot lock its owner out.
   */
  async withPassword(request: FastifyRequest, email: string): Promise<SignedIn> {
    const client = clientOf(request);
    const account = accountSubject(email);
    const address: ThrottleSubject = {
      policy: LOGIN_FAILURES_PER_ADDRESS,
      subject: throttleSubjectForAddress(client.ip),
    };
    const known = await this.isKnownAddress(email, client.ip);
    const wait = await this.throttle.retryAfterSeconds(known ? [address] : [account, address]);
    if (wait > 0) throw new TooManyAttemptsError(wait);

    const user = await this.strategies.userFromPassword(request);
    if (!user) {
      await this.throttle.record([account, address]);
      await this.audit.record({
        actorId: null,
        action: 'auth.login_failed',
        data: { email: account.subject },
        ip: client.ip,
      });
      throw new InvalidCredentialsError();
    }
    await this.throttle.clear([account]);
    await this.users.recordLogin(user.id);
    const refresh = await this.sessions.start(user, client);
    await this.audit.record({
      actorId: user.id,
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
      data: { sessionId: refresh.sessionId, userAgent: client.userAgent.slice(0, 200) },
      ip: client.ip,
    });
    return { user, refresh, ...this.accessTokens.issue(user, refresh.sessionId) };
  }

  private async isKnownAddress(email: string, ip: string): Promise<boolean> {
    const user = await this.users.findByEmail(email);
    return user ? this.sessions.signedInLatelyFrom(user.id, ip) : false;
  }

  /** Rotates the refresh token; a reused one ends its whole session. */
  async refresh(refreshToken: string | undefined, request: FastifyRequest): Promise<SignedIn> {
    if (!refreshToken) throw new SessionEndedError();
    const client = clientOf(request);
    const result = await this.sessions.rotate(refreshToken, client);
    if (result.outcome === 'refused') {
      if (result.reason === 'reused') {
        await this.audit.record({
          actorId: null,
          action: 'auth.refresh_token_reused',
          objectType: 'user',
          objectId: result.userId ?? null,
          data: { detail: 'A rotated refresh token was presented again; the session was ended.' },
          ip: client.ip,
        });
      }
      throw new SessionEndedError();
    }
    const { user, ...refresh } = result;
    return { user, refresh, ...this.accessTokens.issue(user, refresh.sessionId) };
  }

  /** Ends the session of the refresh cookie, if there is one. */
  async signOut(refreshToken: string | undefined, request: FastifyRequest): Promise<void> {
    if (!refreshToken) return;
    const ended = await this.sessions.endByRefreshToken(refreshToken);
    if (!ended) return;
    await this.audit.record({
      actorId: ended.userId,
      action: 'auth.logout',
      objectType: 'user',
      objectId: ended.userId,
      data: { sessionId: ended.sessionId },
      ip: request.ip,
    });
  }

  /**
   * Changes the signed-in user's own password. Their other sessions end; this one goes on
   * with the new access token returned.
   */
  async changePassword(
    principal: AuthPrincipal,
    currentPassword: string,
    newPassword: string,
    request: FastifyRequest,
  ): Promise<IssuedAccessToken> {
    const account = accountSubject(principal.user.email);
    const wait = await this.throttle.retryAfterSeconds([account]);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const verified = await this.users.verifyCredentials(principal.user.email, currentPassword);
    if (!verified || verified.id !== principal.user.id) {
      await this.throttle.record([account]);
      throw new WrongCurrentPasswordError();
    }
    const sessionId = principal.sessionId!;
    const user = await this.dataSource.transaction(async (manager) => {
      await this.users.setPassword(principal.user.id, newPassword, manager);
      const changed = await this.users.getById(principal.user.id, manager);
      await this.sessions.endAllOf(changed.id, manager, sessionId);
      await this.sessions.adoptTokenVersion(sessionId, changed.tokenVersion, manager);
      await this.audit.record(
        {
          actorId: changed.id,
          action: 'auth.password_changed',
          objectType: 'user',
          objectId: changed.id,
          data: { via: 'self-service', otherSessionsEnded: true },
          ip: request.ip,
        },
        manager,
      );
      return changed;
    });
    return this.accessTokens.issue(user, sessionId);
  }
}
