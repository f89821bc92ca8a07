import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { CsrfHeaderMissingError } from '#src/auth/auth.errors.js';
import { requestOf } from '#src/auth/auth-principal.js';

/** The header Finch's own pages send with cookie-authenticated requests. */
export const CSRF_HEADER = 'X-Finch-CSRF';

/**
 * Guards the routes that act on the refresh cookie (refresh, logout). A browser sends
 * cookies with a forged cross-site form post, but no page of another origin can add a
 * custom header without a CORS preflight, which Finch does not grant for this header.
 * SameSite=Strict on the cookie is the second line.
 */
@Injectable()
export class CsrfHeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const value = requestOf(context)?.headers[CSRF_HEADER.toLowerCase()];
    if (value !== '1') throw new CsrfHeaderMissingError(CSRF_HEADER);
    return true;
  }
}
