import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '#src/config/app-config.js';

/** Where refresh-cookie requests go when the cookie's Path can be narrowed to them. */
const AUTH_PATH = '/api/auth';

export interface RefreshCookieSettings {
  name: string;
  options: CookieSerializeOptions;
}

/**
 * The refresh token cookie: HttpOnly (no script reads it), SameSite=Strict (no other site
 * makes the browser send it). Over https it is Secure and named with the `__Host-` prefix,
 * which browsers honour only for a Secure cookie with Path=/ and no Domain, so no
 * subdomain can set or shadow it. Over plain http (development) it is a plain cookie
 * limited to /api/auth.
 */
export function refreshCookieSettings(config: AppConfig): RefreshCookieSettings {
  const secure = config.publicUrl.startsWith('https:');
  return secure
    ? {
        name: '__Host-finch_refresh',
        options: { httpOnly: true, secure: true, sameSite: 'strict', path: '/' },
      }
    : {
        name: 'finch_refresh',
        options: { httpOnly: true, secure: false, sameSite: 'strict', path: AUTH_PATH },
      };
}

export function setRefreshCookie(
  reply: FastifyReply,
  config: AppConfig,
  token: string,
  expiresAt: Date,
): void {
  const { name, options } = refreshCookieSettings(config);
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  void reply.setCookie(name, token, { ...options, maxAge, expires: expiresAt });
}

export function clearRefreshCookie(reply: FastifyReply, config: AppConfig): void {
  const { name, options } = refreshCookieSettings(config);
  void reply.clearCookie(name, options);
}

export function readRefreshCookie(request: FastifyRequest, config: AppConfig): string | undefined {
  const value = request.cookies?.[refreshCookieSettings(config).name];
  // Refresh tokens are 43 base64url characters; anything else is not one of ours.
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}
