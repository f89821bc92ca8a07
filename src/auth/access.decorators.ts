import { SetMetadata } from '@nestjs/common';

/**
 * Every route states who may call it (STYLE.md). These two say "anyone" and "anyone
 * signed in"; `@RequirePermissions()` and `@SuperuserOnly()` (src/accounts/
 * permission.decorators.ts) say more. The global AccessGuard (access.guard.ts) reads them
 * and refuses every route that states nothing.
 */
export const PUBLIC_ROUTE = 'finch:public-route';
export const AUTHENTICATED_ROUTE = 'finch:authenticated-route';

export interface AuthenticatedOptions {
  /**
   * Whether an API token (with the `write` scope) will do, or only a person's signed-in
   * session. False for what must stay in a person's hands, such as making more API tokens.
   * Default true.
   */
  apiTokens?: boolean;
}

/** What `@Authenticated()` stores. */
export interface AuthenticatedRule {
  apiTokens: boolean;
}

/**
 * Anyone may call this route, signed in or not. Credentials that come with the request
 * are read when valid (`request.principal`) and ignored when not.
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Any signed-in, active user may call this route; no particular permission is needed. */
export const Authenticated = (options: AuthenticatedOptions = {}) =>
  SetMetadata<string, AuthenticatedRule>(AUTHENTICATED_ROUTE, {
    apiTokens: options.apiTokens ?? true,
  });
