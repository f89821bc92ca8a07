import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, IsNull } from 'typeorm';
import { UsersService } from '#src/accounts/users.service.js';
import { ApiToken, type ApiTokenScope } from '#src/auth/api-token.entity.js';
import { ApiTokenNotFoundError } from '#src/auth/auth.errors.js';
import type { AuthPrincipal } from '#src/auth/auth-principal.js';
import { hashSecretToken, newSecretToken } from '#src/auth/secret-tokens.js';
import { RequestValidationError } from '#src/errors/domain-error.js';

/** Every API token starts with it, so it is recognisable in code, logs and secret scanners. */
export const API_TOKEN_PREFIX = 'finch_';
/** How much of a token is kept to tell tokens apart: the prefix and 6 random characters. */
const DISPLAY_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 6;
/** lastUsedAt is written at most this often per token, not on every request. */
const LAST_USED_PRECISION_SECONDS = 60;

export interface ApiTokenView {
  id: string;
  name: string;
  /** The first characters of the token, e.g. `finch_Ab3xYz`. */
  prefix: string;
  scopes: ApiTokenScope[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface CreatedApiToken extends ApiTokenView {
  /** The whole token. Shown this once; Finch keeps only its hash. */
  token: string;
}

export interface NewApiToken {
  name: string;
  scopes: ApiTokenScope[];
  expiresAt?: Date;
}

function viewOf(token: ApiToken): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
  };
}

/** Named, scoped, optionally expiring tokens with which machines act as their owner. */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {}

  private get tokens() {
    return this.dataSource.getRepository(ApiToken);
  }

  async create(userId: string, input: NewApiToken): Promise<CreatedApiToken> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new RequestValidationError([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    const token = `${API_TOKEN_PREFIX}${newSecretToken()}`;
    const inserted = await this.tokens.insert({
      userId,
      name: input.name.trim(),
      prefix: token.slice(0, DISPLAY_PREFIX_LENGTH),
      tokenHash: hashSecretToken(token),
      scopes: [...new Set(input.scopes)].sort(),
      expiresAt: input.expiresAt ?? null,
    });
    const id = (inserted.identifiers[0] as { id: string }).id;
    const saved = await this.tokens.findOneByOrFail({ id });
    return { ...viewOf(saved), token };
  }

  /** `userId`'s tokens that are not revoked (expired ones included, marked by expiresAt). */
  async list(userId: string): Promise<ApiTokenView[]> {
    const tokens = await this.tokens.find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
    return tokens.map(viewOf);
  }

  async revoke(userId: string, id: string): Promise<ApiTokenView> {
    const token = await this.tokens.findOneBy({ id, userId, revokedAt: IsNull() });
    if (!token) throw new ApiTokenNotFoundError(id);
    await this.tokens.update(id, { revokedAt: () => 'now()' });
    return viewOf(token);
  }

  /**
   * Who `token` lets in: its owner, if the token exists, is neither revoked nor expired,
   * and the owner is active. Records when it was last used.
   */
  async principalFor(token: string): Promise<AuthPrincipal | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined;
    const found = await this.tokens.findOneBy({ tokenHash: hashSecretToken(token) });
    if (!found || found.revokedAt) return undefined;
    if (found.expiresAt && found.expiresAt.getTime() <= Date.now()) return undefined;
    const user = await this.users.findById(found.userId);
    if (!user || !user.isActive) return undefined;
    await this.dataSource.query(
      `UPDATE api_tokens SET last_used_at = now()
        WHERE id = $1
          AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [found.id, LAST_USED_PRECISION_SECONDS],
    );
    return { user, method: 'api-token', scopes: found.scopes, apiTokenId: found.id };
  }
}
