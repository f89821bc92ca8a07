/** Words that, anywhere in a property name, mark its value as a secret. */
const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'token',
  'tokens',
  'hash',
  'cookie',
  'cookies',
  'authorization',
  'credential',
  'credentials',
  'otp',
  'totp',
]);
/** Secrets named by two words run together, e.g. `apiKey`, `private_key`. */
const SECRET_COMPOUNDS = /apikey|privatekey|accesskey|signingkey/;

export const REDACTED = '[redacted]';

/** `newPassword` → ['new', 'password']; `refresh_token` → ['refresh', 'token']. */
function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretKey(key: string): boolean {
  const words = wordsOf(key);
  return words.some((word) => SECRET_WORDS.has(word)) || SECRET_COMPOUNDS.test(words.join(''));
}

/**
 * A copy of `value` in which every property named like a secret (`password`,
 * `newPassword`, `refresh_token`, `tokenHash`, `apiKey`, …) is replaced by "[redacted]",
 * at any depth. The audit log keeps who did what, never the secrets they used.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        isSecretKey(key) ? REDACTED : redactSecrets(item, depth + 1),
      ]),
    );
  }
  return value;
}
