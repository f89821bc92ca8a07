import type { FieldError } from '#src/errors/domain-error.js';

/** Small checks shared by content validation and rich text. */

/** Default `maxLength` of text fields; long text and rich text default to LONG_TEXT. */
export const TEXT_DEFAULT_MAX_LENGTH = 10_000;
export const LONG_TEXT_DEFAULT_MAX_LENGTH = 100_000;
/** A caller sees at most this many errors: enough to fix, not enough to flood. */
export const MAX_REPORTED_ERRORS = 100;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const URL_MAX_LENGTH = 2_000;

/** Collects errors up to MAX_REPORTED_ERRORS; validators keep going to find the rest. */
export class ErrorCollector {
  readonly errors: FieldError[] = [];

  add(path: string, message: string): void {
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push({ path, message });
  }

  get full(): boolean {
    return this.errors.length >= MAX_REPORTED_ERRORS;
  }
}

/** A key from the request, safe to put in an error path. */
export function describeKey(key: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(key) ? key : JSON.stringify(key.slice(0, 64));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Any realm's Object.prototype (structuredClone in a VM context makes such objects).
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** An absolute http(s) URL without spaces or control characters. */
export function isWebUrl(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters and spaces make a URL ambiguous
  if (value.length > URL_MAX_LENGTH || /[\s\u0000-\u001f\u007f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- finding NUL is the point: jsonb cannot store it
const NUL = /\u0000/;

/** PostgreSQL's jsonb refuses NUL and lone surrogates: such strings would fail as a 500. */
export function storableStringProblem(value: string): string | undefined {
  if (NUL.test(value)) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it holds a lone surrogate)';
  return undefined;
}

/** Whether two JSON values are equal, whatever their key order (jsonb reorders keys). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => sameJson(item, other[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  if (keys.length !== Object.keys(right).filter((key) => right[key] !== undefined).length) {
    return false;
  }
  return keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]));
}
