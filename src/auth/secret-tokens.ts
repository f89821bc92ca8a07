import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: refresh tokens, API tokens, reset and invitation links. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored instead of a token. A plain SHA-256 is enough here (unlike passwords):
 * the tokens are 256 random bits, so there is nothing to guess from the hash.
 */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
