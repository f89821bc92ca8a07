import type { Reflector } from '@nestjs/core';
import { REQUIRED_PERMISSIONS, SUPERUSER_ONLY } from '#src/accounts/permission.decorators.js';
import {
  AUTHENTICATED_ROUTE,
  type AuthenticatedRule,
  PUBLIC_ROUTE,
} from '#src/auth/access.decorators.js';

/** Who may call a route, as its decorators declare it. */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'authenticated'; apiTokens: boolean }
  | { kind: 'permissions'; codenames: readonly string[] }
  | { kind: 'superuser' };

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

function ruleDeclaredOn(reflector: Reflector, target: Target): AccessRule | undefined {
  // The strictest declaration wins when one target carries several.
  if (reflector.get<boolean | undefined>(SUPERUSER_ONLY, target)) return { kind: 'superuser' };
  const codenames = reflector.get<readonly string[] | undefined>(REQUIRED_PERMISSIONS, target);
  if (codenames && codenames.length > 0) return { kind: 'permissions', codenames };
  const authenticated = reflector.get<AuthenticatedRule | boolean | undefined>(
    AUTHENTICATED_ROUTE,
    target,
  );
  if (authenticated) {
    return {
      kind: 'authenticated',
      apiTokens: typeof authenticated === 'object' ? authenticated.apiTokens : true,
    };
  }
  if (reflector.get<boolean | undefined>(PUBLIC_ROUTE, target)) return { kind: 'public' };
  return undefined;
}

/**
 * The rule of a route: what its handler declares, else what its controller declares,
 * else undefined (and the route is closed).
 */
export function accessRuleOf(
  reflector: Reflector,
  handler: Target,
  controller: Target,
): AccessRule | undefined {
  return ruleDeclaredOn(reflector, handler) ?? ruleDeclaredOn(reflector, controller);
}
