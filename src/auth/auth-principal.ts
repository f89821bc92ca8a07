import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { User } from '#src/accounts/user.entity.js';
import type { ApiTokenScope } from '#src/auth/api-token.entity.js';
import type { AuditActor } from '#src/audit/audit.service.js';

/** How the request proved who it is. */
export type AuthMethod = 'session' | 'api-token';

/** Who is calling, as the AccessGuard established it. */
export interface AuthPrincipal {
  /** Active, loaded for this request (never with its password hash). */
  user: User;
  method: AuthMethod;
  /**
   * What the credentials may be used for: a person's session holds every scope; an API
   * token holds the ones it was made with (`read`: drafts and previews; `write`: the
   * management API).
   */
  scopes: readonly ApiTokenScope[];
  /** For `session`: the signed-in session (the refresh token family). */
  sessionId?: string;
  /** For `api-token`: the token's id. */
  apiTokenId?: string;
}

export const ALL_SCOPES: readonly ApiTokenScope[] = ['read', 'write'];

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the AccessGuard when the request carries valid credentials. */
    principal?: AuthPrincipal;
  }
}

/**
 * The request behind an execution context: HTTP, or the `req`/`reply.request` that
 * GraphQL (Mercurius) puts in its context. Undefined when there is none.
 */
export function requestOf(context: ExecutionContext): FastifyRequest | undefined {
  if (context.getType() === 'http') return context.switchToHttp().getRequest<FastifyRequest>();
  const graphqlContext = context.getArgByIndex<
    { req?: FastifyRequest; reply?: { request?: FastifyRequest } } | undefined
  >(2);
  return graphqlContext?.req ?? graphqlContext?.reply?.request;
}

/**
 * The caller of an `@Authenticated()` (or permission-checked) route. On a `@Public()`
 * route use `@OptionalPrincipal()` instead.
 */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthPrincipal => {
    const principal = requestOf(context)?.principal;
    if (!principal) {
      throw new Error(
        '@CurrentPrincipal() on a route that does not require authentication: use @OptionalPrincipal().',
      );
    }
    return principal;
  },
);

/** The caller when the request carries valid credentials, else undefined. */
export const OptionalPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthPrincipal | undefined =>
    requestOf(context)?.principal,
);

/** Who the audit log records for a change the principal makes through `request`. */
export function actorOf(principal: AuthPrincipal, request: FastifyRequest): AuditActor {
  return { actorId: principal.user.id, ip: request.ip };
}
