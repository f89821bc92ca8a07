import { hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';

/** The only algorithm access tokens are made or accepted with. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';

/** What an access token says. */
export interface AccessTokenClaims {
  /** The user's id. */
  sub: string;
  /** The user's token version when it was issued: a password change or deactivation raises it. */
  ver: number;
  /** The session (refresh token family) it belongs to. */
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}

/**
 * The key access tokens are signed with, derived from SECRET_KEY with HKDF and a label
 * of its own: the secret itself never signs anything, and other uses of it (preview
 * tokens, …) derive other keys, so one kind of token can never pass for another.
 */
export function deriveAccessTokenKey(secretKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'finch', 'finch/access-token/v1', 32));
}

/** Parses the claims of a token whose signature has been checked; undefined when malformed. */
export function readAccessTokenClaims(payload: unknown): AccessTokenClaims | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const claims = payload as Record<string, unknown>;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  if (
    claims.typ !== 'access' ||
    typeof claims.sub !== 'string' ||
    !uuid.test(claims.sub) ||
    typeof claims.sid !== 'string' ||
    !uuid.test(claims.sid) ||
    !Number.isSafeInteger(claims.ver) ||
    !Number.isSafeInteger(claims.iat) ||
    !Number.isSafeInteger(claims.exp)
  ) {
    return undefined;
  }
  return claims as unknown as AccessTokenClaims;
}

export interface IssuedAccessToken {
  accessToken: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/** Makes access tokens: short-lived JWTs, HS256 with the derived key. */
@Injectable()
export class AccessTokenIssuer {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.jwt = new JwtService({
      secret: deriveAccessTokenKey(config.secretKey),
      signOptions: { algorithm: ACCESS_TOKEN_ALGORITHM },
    });
  }

  issue(user: { id: string; tokenVersion: number }, sessionId: string): IssuedAccessToken {
    const expiresIn = this.config.auth.accessTokenTtlSeconds;
    const accessToken = this.jwt.sign(
      { ver: user.tokenVersion, sid: sessionId, typ: 'access' },
      { subject: user.id, expiresIn },
    );
    return { accessToken, expiresIn };
  }
}
