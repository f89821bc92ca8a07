import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { accessRuleOf } from '#src/auth/access-rules.js';
import {
  ApiTokenNotAcceptedError,
  AuthenticationRequiredError,
  InvalidBearerTokenError,
  MissingTokenScopeError,
  SuperuserRequiredError,
  UndeclaredRouteAccessError,
} from '#src/auth/auth.errors.js';
import { requestOf } from '#src/auth/auth-principal.js';
import { type BearerResult, PassportStrategies } from '#src/auth/passport-strategies.js';

/**
 * The one global guard. It authenticates the request (a bearer access token or API
 * token) and enforces what the route declares: `@Public()`, `@Authenticated()`,
 * `@RequirePermissions(...)` or `@SuperuserOnly()`. A route that declares nothing is
 * refused to everyone.
 *
 * API tokens act for their owner, and on every route that is not public they need the
 * `write` scope (the `read` scope is for drafts and previews on public delivery routes).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly reflector: Reflector,
    private readonly strategies: PassportStrategies,
    private readonly permissions: PermissionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = accessRuleOf(this.reflector, context.getHandler(), context.getClass());
    if (!rule) {
      this.logger.error(
        `${context.getClass().name}.${context.getHandler().name} declares no access rule (@Public, @Authenticated, @RequirePermissions or @SuperuserOnly), so it is refused to everyone.`,
      );
      throw new UndeclaredRouteAccessError();
    }
    const request = requestOf(context);
    if (!request) {
      if (rule.kind === 'public') return true;
      throw new AuthenticationRequiredError();
    }

    // GraphQL's context has read the credentials already (src/graphql/graphql.module.ts).
    const bearer: BearerResult = request.principal
      ? { status: 'valid', principal: request.principal }
      : await this.strategies.fromBearer(request);
    if (rule.kind === 'public') {
      // Invalid credentials on a public route are ignored: the caller is anonymous.
      if (bearer.status === 'valid') request.principal = bearer.principal;
      return true;
    }
    if (bearer.status !== 'valid') {
      this.challenge(context, bearer.status === 'invalid');
      throw bearer.status === 'invalid'
        ? new InvalidBearerTokenError()
        : new AuthenticationRequiredError();
    }
    const principal = bearer.principal;
    request.principal = principal;

    if (principal.method === 'api-token') {
      if (rule.kind === 'authenticated' && !rule.apiTokens) throw new ApiTokenNotAcceptedError();
      if (!principal.scopes.includes('write')) throw new MissingTokenScopeError('write');
    }
    switch (rule.kind) {
      case 'authenticated':
        return true;
      case 'superuser':
        if (!principal.user.isSuperuser) throw new SuperuserRequiredError();
        return true;
      case 'permissions':
        for (const codename of rule.codenames) {
          await this.permissions.assertCan(principal.user, codename);
        }
        return true;
    }
  }

  /** RFC 6750: a 401 says how to authenticate, and whether the token was the problem. */
  private challenge(context: ExecutionContext, invalidToken: boolean): void {
    if (context.getType() !== 'http') return;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header(
      'WWW-Authenticate',
      invalidToken ? 'Bearer realm="finch", error="invalid_token"' : 'Bearer realm="finch"',
    );
  }
}
