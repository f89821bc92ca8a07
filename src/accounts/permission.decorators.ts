import { SetMetadata } from '@nestjs/common';

/** Metadata keys read by the global AccessGuard (src/auth/). */
export const REQUIRED_PERMISSIONS = 'finch:required-permissions';
export const SUPERUSER_ONLY = 'finch:superuser-only';

/**
 * The signed-in user needs every one of `codenames` (superusers hold them all). Implies
 * `@Authenticated()`. Codenames must be registered: the server refuses to start when a
 * route requires one that no module registers.
 */
export const RequirePermissions = (...codenames: [string, ...string[]]) =>
  SetMetadata(REQUIRED_PERMISSIONS, codenames);

/** Only an active superuser may call this route; no group grant is enough. */
export const SuperuserOnly = () => SetMetadata(SUPERUSER_ONLY, true);
