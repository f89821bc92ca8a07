import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import passportJwt from 'passport-jwt';
import passportLocal from 'passport-local';
import type { User } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';
import {
  ACCESS_TOKEN_ALGORITHM,
  deriveAccessTokenKey,
  readAccessTokenClaims,
} from '#src/auth/access-tokens.js';
import { API_TOKEN_PREFIX, ApiTokensService } from '#src/auth/api-tokens.service.js';
import { ALL_SCOPES, type AuthPrincipal } from '#src/auth/auth-principal.js';
import { AuthSessionsService } from '#src/auth/auth-sessions.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';

type StrategyName = 'local' | 'jwt' | 'api-token';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`Passport failed: ${JSON.stringify(error)}`);
}

/** What a bearer token in a request turned out to be. */
export type BearerResult =
  { status: 'absent' } | { status: 'invalid' } | { status: 'valid'; principal: AuthPrincipal };

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** An API token (`finch_…`), looked up by its hash. */
class ApiTokenStrategy extends passport.Strategy {
  override name = 'api-token';

  constructor(private readonly apiTokens: ApiTokensService) {
    super();
  }

  /** Passport hands over the request it was given: a Fastify request here. */
  override authenticate(request: { headers: { authorization?: string } }): void {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      this.fail(401);
      return;
    }
    this.apiTokens.principalFor(token).then(
      (principal) => (principal ? this.success(principal) : this.fail(401)),
      (error: unknown) => this.error(error as Error),
    );
  }
}

/**
 * Finch's passport strategies — `local` (email and password), `jwt` (access tokens) and
 * `api-token` — in a passport instance of this application's own. Passport's default
 * instance is one per process: two Finch applications in one process (the tests run
 * several) would overwrite each other's strategies, keys included.
 */
@Injectable()
export class PassportStrategies {
  private readonly passport = new passport.Authenticator();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    users: UsersService,
    sessions: AuthSessionsService,
    apiTokens: ApiTokensService,
  ) {
    this.passport.use(
      'local',
      new passportLocal.Strategy(
        { usernameField: 'email', passwordField: 'password', session: false },
        (email, password, done) => {
          users.verifyCredentials(email, password).then(
            (user) => done(null, user ?? false),
            (error: unknown) => done(error),
          );
        },
      ),
    );
    this.passport.use(
      'jwt',
      new passportJwt.Strategy(
        {
          jwtFromRequest: passportJwt.ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKey: deriveAccessTokenKey(config.secretKey),
          // Pinned: `none`, HS384/HS512 and every asymmetric algorithm are refused.
          algorithms: [ACCESS_TOKEN_ALGORITHM],
          ignoreExpiration: false,
          jsonWebTokenOptions: { clockTolerance: 0 },
        },
        (payload: unknown, done: passportJwt.VerifiedCallback) => {
          const claims = readAccessTokenClaims(payload);
          if (!claims) {
            done(null, false);
            return;
          }
          void (async (): Promise<AuthPrincipal | false> => {
            const user = await users.findById(claims.sub);
            if (!user || !user.isActive || user.tokenVersion !== claims.ver) return false;
            if (!(await sessions.isLive(claims.sid, user))) return false;
            return { user, method: 'session', scopes: ALL_SCOPES, sessionId: claims.sid };
          })().then(
            (principal) => done(null, principal),
            (error: unknown) => done(error, false),
          );
        },
      ),
    );
    this.passport.use('api-token', new ApiTokenStrategy(apiTokens));
  }

  /** The active user whose email and password are in the request body, or undefined. */
  async userFromPassword(request: FastifyRequest): Promise<User | undefined> {
    return (await this.run<User>('local', request)) ?? undefined;
  }

  /** Reads `Authorization: Bearer …`: an access token (JWT) or an API token. */
  async fromBearer(request: FastifyRequest): Promise<BearerResult> {
    const header = request.headers.authorization;
    if (header === undefined || header === '') return { status: 'absent' };
    const token = BEARER.exec(header)?.[1];
    if (!token) return { status: 'invalid' };
    const principal = await this.run<AuthPrincipal>(
      token.startsWith(API_TOKEN_PREFIX) ? 'api-token' : 'jwt',
      request,
    );
    return principal ? { status: 'valid', principal } : { status: 'invalid' };
  }

  private run<T>(strategy: StrategyName, request: FastifyRequest): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const authenticate = this.passport.authenticate(
        strategy,
        { session: false },
        (error: unknown, user: T | false | undefined) => {
          if (error) reject(asError(error));
          else resolve(user || undefined);
        },
      ) as (request: unknown, response: unknown, next: (error?: unknown) => void) => void;
      authenticate(request, {}, (error?: unknown) => {
        if (error) reject(asError(error));
        else resolve(undefined);
      });
    });
  }
}
