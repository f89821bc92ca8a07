import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { OneTimeToken, type OneTimeTokenPurpose } from '#src/auth/one-time-token.entity.js';
import { hashSecretToken, newSecretToken } from '#src/auth/secret-tokens.js';

/**
 * Single-use, expiring tokens sent by email (password resets, invitations). Only their
 * hash is stored; a new one supersedes the unused ones of the same purpose.
 */
@Injectable()
export class OneTimeTokensService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private tokens(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(OneTimeToken);
  }

  /** Makes a token for `userId`, valid for `ttlMs`, and returns it (the link carries it). */
  async issue(
    userId: string,
    purpose: OneTimeTokenPurpose,
    ttlMs: number,
    manager?: EntityManager,
  ): Promise<string> {
    await this.supersede(userId, purpose, manager);
    const token = newSecretToken();
    await this.tokens(manager).insert({
      userId,
      purpose,
      tokenHash: hashSecretToken(token),
      expiresAt: new Date(Date.now() + ttlMs),
    });
    return token;
  }

  /**
   * Uses `token` up: returns its user when it is a valid, unused, unexpired token of
   * `purpose`, and marks it used (in `manager`'s transaction, so a failure after this
   * leaves it usable). Otherwise undefined.
   */
  async consume(
    token: string,
    purpose: OneTimeTokenPurpose,
    manager: EntityManager,
  ): Promise<string | undefined> {
    const found = await this.tokens(manager).findOne({
      where: { tokenHash: hashSecretToken(token), purpose },
      lock: { mode: 'pessimistic_write' },
    });
    if (!found || found.usedAt || found.expiresAt.getTime() <= Date.now()) return undefined;
    await this.tokens(manager).update(found.id, { usedAt: () => 'now()' });
    await this.supersede(found.userId, purpose, manager);
    return found.userId;
  }

  /** Unused tokens of `purpose` for `userId` stop working (marked used). */
  async supersede(
    userId: string,
    purpose: OneTimeTokenPurpose,
    manager?: EntityManager,
  ): Promise<void> {
    await this.tokens(manager)
      .createQueryBuilder()
      .update(OneTimeToken)
      .set({ usedAt: () => 'now()' })
      .where('user_id = :userId AND purpose = :purpose AND used_at IS NULL', { userId, purpose })
      .execute();
  }

  /** Deletes tokens used or expired more than 7 days ago. */
  async pruneSpent(): Promise<number> {
    const result = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM one_time_tokens
        WHERE used_at < now() - interval '7 days' OR expires_at < now() - interval '7 days'`,
    );
    return result[1] ?? 0;
  }
}
