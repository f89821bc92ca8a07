import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import type { User } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';
import { AuthSession } from '#src/auth/auth-session.entity.js';
import { hashSecretToken, newSecretToken } from '#src/auth/secret-tokens.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';

/** Where a request came from, kept with the session for its owner to recognise. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export interface IssuedRefreshToken {
  /** Goes into the cookie; only its hash is stored. */
  refreshToken: string;
  /** The session (the family of refresh tokens); access tokens carry it as `sid`. */
  sessionId: string;
  expiresAt: Date;
}

export type RotationResult =
  | ({ outcome: 'rotated'; user: User } & IssuedRefreshToken)
  /** `reused`: a rotated token came back, so it was copied; the whole session is revoked. */
  | {
      outcome: 'refused';
      reason: 'unknown' | 'ended' | 'reused' | 'user-changed';
      userId?: string;
    };

/** A signed-in session as its owner sees it in their list. */
export interface SessionView {
  id: string;
  userAgent: string;
  ip: string;
  signedInAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  /** The session making this request. */
  current: boolean;
}

/** Sessions that signed in from the same address this recently make it a known address. */
const KNOWN_ADDRESS_DAYS = 30;

/**
 * Signed-in sessions: each is a family of refresh tokens, one row per token. Refreshing
 * rotates: the presented row is marked rotated and a new row joins the family. A rotated
 * token presented again means someone copied it, and the family is revoked.
 */
@Injectable()
export class AuthSessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  private sessions(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(AuthSession);
  }

  private newExpiry(): Date {
    return new Date(Date.now() + this.config.auth.refreshTokenTtlDays * 86_400_000);
  }

  /** Starts a session for `user` (who has just proved who they are). */
  async start(
    user: User,
    client: ClientInfo,
    manager?: EntityManager,
  ): Promise<IssuedRefreshToken> {
    const refreshToken = newSecretToken();
    const sessionId = randomUUID();
    const expiresAt = this.newExpiry();
    await this.sessions(manager).insert({
      userId: user.id,
      familyId: sessionId,
      tokenHash: hashSecretToken(refreshToken),
      tokenVersion: user.tokenVersion,
      userAgent: client.userAgent.slice(0, 512),
      ip: client.ip.slice(0, 64),
      lastUsedAt: new Date(),
      expiresAt,
    });
    return { refreshToken, sessionId, expiresAt };
  }

  /** Trades a refresh token for a new one in the same session, or says why not. */
  rotate(refreshToken: string, client: ClientInfo): Promise<RotationResult> {
    return this.dataSource.transaction(async (manager) => {
      const presented = await this.sessions(manager).findOne({
        where: { tokenHash: hashSecretToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!presented) return { outcome: 'refused', reason: 'unknown' };
      const userId = presented.userId;
      if (presented.revokedAt) return { outcome: 'refused', reason: 'ended', userId };
      if (presented.rotatedAt) {
        await this.revokeFamily(presented.familyId, manager);
        return { outcome: 'refused', reason: 'reused', userId };
      }
      if (presented.expiresAt.getTime() <= Date.now()) {
        return { outcome: 'refused', reason: 'ended', userId };
      }
      const user = await this.users.findById(userId, manager);
      if (!user || !user.isActive || user.tokenVersion !== presented.tokenVersion) {
        await this.revokeFamily(presented.familyId, manager);
        return { outcome: 'refused', reason: 'user-changed', userId };
      }
      const now = new Date();
      await this.sessions(manager).update(presented.id, { rotatedAt: now });
      const next = newSecretToken();
      const expiresAt = this.newExpiry();
      await this.sessions(manager).insert({
        userId,
        familyId: presented.familyId,
        tokenHash: hashSecretToken(next),
        tokenVersion: presented.tokenVersion,
        userAgent: client.userAgent.slice(0, 512),
        ip: client.ip.slice(0, 64),
        lastUsedAt: now,
        expiresAt,
      });
      return {
        outcome: 'rotated',
        user,
        refreshToken: next,
        sessionId: presented.familyId,
        expiresAt,
      };
    });
  }

  /** Revokes the session `refreshToken` belongs to (whatever its state); returns its user. */
  async endByRefreshToken(
    refreshToken: string,
  ): Promise<{ userId: string; sessionId: string } | undefined> {
    const row = await this.sessions().findOne({
      where: { tokenHash: hashSecretToken(refreshToken) },
    });
    if (!row) return undefined;
    await this.revokeFamily(row.familyId);
    return { userId: row.userId, sessionId: row.familyId };
  }

  /** Revokes one of `userId`'s sessions; false when they have no such live session. */
  async end(userId: string, sessionId: string): Promise<boolean> {
    const result = await this.sessions()
      .createQueryBuilder()
      .update(AuthSession)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :sessionId AND user_id = :userId AND revoked_at IS NULL', {
        sessionId,
        userId,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every session of `userId`, but `exceptSessionId` when given. */
  async endAllOf(userId: string, manager?: EntityManager, exceptSessionId?: string): Promise<void> {
    const query = this.sessions(manager)
      .createQueryBuilder()
      .update(AuthSession)
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (exceptSessionId) query.andWhere('family_id <> :exceptSessionId', { exceptSessionId });
    await query.execute();
  }

  /**
   * Moves a session onto the user's new token version, so it survives the password change
   * its own user just made (their other sessions are ended).
   */
  async adoptTokenVersion(
    sessionId: string,
    tokenVersion: number,
    manager?: EntityManager,
  ): Promise<void> {
    await this.sessions(manager).update(
      { familyId: sessionId, revokedAt: IsNull() },
      { tokenVersion },
    );
  }

  private async revokeFamily(familyId: string, manager?: EntityManager): Promise<void> {
    await this.sessions(manager)
      .createQueryBuilder()
      .update(AuthSession)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
  }

  /**
   * Whether access tokens of this session still count: it is neither revoked nor expired,
   * and it began under the user's current token version. Checked on every request, so
   * signing out or revoking a session ends its access tokens at once, not when they expire.
   */
  async isLive(sessionId: string, user: { id: string; tokenVersion: number }): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM auth_sessions
        WHERE family_id = $1 AND user_id = $2 AND token_version = $3
          AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > now()
        LIMIT 1`,
      [sessionId, user.id, user.tokenVersion],
    );
    return rows.length > 0;
  }

  /** Whether `userId` signed in from `ip` lately (see the sign-in throttle). */
  async signedInLatelyFrom(userId: string, ip: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM auth_sessions
        WHERE user_id = $1 AND ip = $2 AND created_at > now() - make_interval(days => $3)
        LIMIT 1`,
      [userId, ip.slice(0, 64), KNOWN_ADDRESS_DAYS],
    );
    return rows.length > 0;
  }

  /** `userId`'s live sessions, most recently used first. */
  async listLive(userId: string, currentSessionId?: string): Promise<SessionView[]> {
    const rows = await this.dataSource.query<
      Array<{
        family_id: string;
        user_agent: string;
        ip: string;
        signed_in_at: Date;
        last_used_at: Date | null;
        expires_at: Date;
      }>
    >(
      `SELECT head.family_id, head.user_agent, head.ip, head.last_used_at, head.expires_at,
              (SELECT min(created_at) FROM auth_sessions family
                WHERE family.family_id = head.family_id) AS signed_in_at
         FROM auth_sessions head
        WHERE head.user_id = $1 AND head.revoked_at IS NULL AND head.rotated_at IS NULL
          AND head.expires_at > now()
        ORDER BY head.last_used_at DESC NULLS LAST, head.created_at DESC`,
      [userId],
    );
    return rows.map((row) => ({
      id: row.family_id,
      userAgent: row.user_agent,
      ip: row.ip,
      signedInAt: new Date(row.signed_in_at).toISOString(),
      lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
      expiresAt: new Date(row.expires_at).toISOString(),
      current: row.family_id === currentSessionId,
    }));
  }

  /** Deletes rows that ended (expired, revoked or rotated) more than 30 days ago. */
  async pruneEnded(): Promise<number> {
    const result = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM auth_sessions
        WHERE expires_at < now() - interval '30 days'
           OR revoked_at < now() - interval '30 days'
           OR rotated_at < now() - interval '30 days'`,
    );
    return result[1] ?? 0;
  }
}
