import { randomUUID } from 'node:crypto';
import { isEmail } from 'class-validator';
import type {
  BlockDefinition,
  ContentTypeDefinition,
  ContentValues,
  FieldDefinition,
  ListBlock,
  StreamField,
  StructBlock,
} from '#src/content-types/content-type-definition.js';
import {
  describeKey,
  ErrorCollector,
  isPlainObject,
  isWebUrl,
  LONG_TEXT_DEFAULT_MAX_LENGTH,
  storableStringProblem,
  TEXT_DEFAULT_MAX_LENGTH,
  URL_MAX_LENGTH,
  UUID_PATTERN,
} from '#src/content-types/content-value-checks.js';
import { validateRichText } from '#src/content-types/rich-text.js';
import type { FieldError } from '#src/errors/domain-error.js';

/** `draft` saves may leave required fields empty; `publish` may not. */
export type ContentValidationMode = 'draft' | 'publish';

export interface ContentValidationResult {
  /** The content as it is stored: datetimes in UTC, stream block ids filled in. */
  content: ContentValues;
  errors: FieldError[];
}

/** Whole content documents larger than this are refused by the callers that store them. */
export const CONTENT_MAX_BYTES = 1_000_000;

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,253}[a-z0-9])?$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

interface Context {
  mode: ContentValidationMode;
  errors: ErrorCollector;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * Checks `content` (untrusted) against `definition` and returns it as it is stored.
 * Unknown keys are refused; `mode: 'draft'` lets required fields (and minimum counts) be
 * empty. Paths read `content.body[2].value.caption`.
 */
export function validateContent(
  definition: ContentTypeDefinition,
  content: unknown,
  options: { mode: ContentValidationMode },
): ContentValidationResult {
  const errors = new ErrorCollector();
  const value = validateFields(definition.fields, content ?? {}, 'content', {
    mode: options.mode,
    errors,
  });
  return { content: value ?? {}, errors: errors.errors };
}

/**
 * Checks one field's value (a `default`, a filter value) as `validateContent` would.
 * Returns the stored form; `undefined` when the value is empty or invalid.
 */
export function validateFieldValue(
  field: FieldDefinition | BlockDefinition,
  value: unknown,
  path: string,
  mode: ContentValidationMode,
): { value: unknown; errors: FieldError[] } {
  const errors = new ErrorCollector();
  const stored = validateValue(field, value, path, { mode, errors });
  return { value: stored, errors: errors.errors };
}

function validateFields(
  fields: readonly FieldDefinition[],
  input: unknown,
  path: string,
  context: Context,
): ContentValues | undefined {
  if (!isPlainObject(input)) {
    context.errors.add(path, 'must be an object of field values');
    return undefined;
  }
  const known = new Map(fields.map((field) => [field.key, field]));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) context.errors.add(`${path}.${describeKey(key)}`, 'is not a field here');
  }
  const output: ContentValues = {};
  for (const field of fields) {
    if (context.errors.full) break;
    const fieldPath = `${path}.${field.key}`;
    const value = input[field.key];
    if (isEmpty(value)) {
      if (field.required && context.mode === 'publish') {
        context.errors.add(fieldPath, 'is required to publish');
      }
      if (value !== undefined && value !== null) output[field.key] = value;
      continue;
    }
    const stored = validateValue(field, value, fieldPath, context);
    if (stored !== undefined) output[field.key] = stored;
  }
  return output;
}

function validateValue(
  field: FieldDefinition | BlockDefinition,
  value: unknown,
  path: string,
  context: Context,
): unknown {
  if (isEmpty(value)) {
    if (field.required && context.mode === 'publish') context.errors.add(path, 'is required');
    return value === null ? undefined : value;
  }
  const fail = (message: string): undefined => {
    context.errors.add(path, message);
    return undefined;
  };
  switch (field.type) {
    case 'text':
    case 'long_text': {
      if (typeof value !== 'string') return fail('must be a string');
      const problem = storableStringProblem(value);
      if (problem) return fail(problem);
      if (field.type === 'text' && /[\r\n]/.test(value)) {
        return fail('must be one line (use a long text field for several)');
      }
      const max =
        field.maxLength ??
        (field.type === 'text' ? TEXT_DEFAULT_MAX_LENGTH : LONG_TEXT_DEFAULT_MAX_LENGTH);
      if (value.length > max) return fail(`must be at most ${max} characters`);
      if (field.minLength !== undefined && value.length < field.minLength) {
        return fail(`must be at least ${field.minLength} characters`);
      }
      if (field.type === 'text' && field.pattern && !patternOf(field.pattern).test(value)) {
        return fail(`must match the pattern ${field.pattern}`);
      }
      return value;
    }
    case 'rich_text':
      return validateRichText(value, field, path, context.errors);
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('must be a number');
      if ((field.numberType ?? 'integer') === 'integer' && !Number.isSafeInteger(value)) {
        return fail('must be a whole number');
      }
      if (field.min !== undefined && value < field.min)
        return fail(`must be at least ${field.min}`);
      if (field.max !== undefined && value > field.max) return fail(`must be at most ${field.max}`);
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('must be true or false');
    case 'date':
      return typeof value === 'string' && isRealDate(value)
        ? value
        : fail('must be a date written YYYY-MM-DD');
    case 'datetime': {
      const normalized = typeof value === 'string' ? normalizeDateTime(value) : undefined;
      return (
        normalized ??
        fail('must be an ISO 8601 date and time with a time zone, e.g. 2026-05-01T09:30:00+02:00')
      );
    }
    case 'choice': {
      const allowed = new Set(field.choices.map((choice) => choice.value));
      const list = `one of ${[...allowed].slice(0, 20).join(', ')}`;
      if (!field.multiple) {
        return typeof value === 'string' && allowed.has(value) ? value : fail(`must be ${list}`);
      }
      if (!Array.isArray(value)) return fail('must be an array of choices');
      const seen = new Set<string>();
      value.forEach((item, index) => {
        if (typeof item !== 'string' || !allowed.has(item)) {
          context.errors.add(`${path}[${index}]`, `must be ${list}`);
        } else if (seen.has(item)) {
          context.errors.add(`${path}[${index}]`, `"${item}" is chosen twice`);
        } else {
          seen.add(item);
        }
      });
      return seen.size === value.length ? value : undefined;
    }
    case 'slug':
      return typeof value === 'string' && SLUG_PATTERN.test(value)
        ? value
        : fail(
            'must be a slug: lower case letters, digits, hyphens and underscores, at most 255 characters',
          );
    case 'url':
      return typeof value === 'string' && isWebUrl(value)
        ? value
        : fail(`must be an http or https URL of at most ${URL_MAX_LENGTH} characters`);
    case 'email':
      return typeof value === 'string' &&
        value.length <= 254 &&
        isEmail(value, { require_tld: true, allow_ip_domain: false })
        ? value
        : fail('must be an email address');
    case 'image':
    case 'document':
    case 'page_link':
      return validateReference(value, path, context);
    case 'snippet_link': {
      if (!field.multiple) return validateReference(value, path, context);
      if (!Array.isArray(value)) return fail('must be an array of { "id": "<uuid>" }');
      if (field.maxItems !== undefined && value.length > field.maxItems) {
        return fail(`must hold at most ${field.maxItems} items`);
      }
      const seen = new Set<string>();
      const items = value.map((item, index) => {
        const reference = validateReference(item, `${path}[${index}]`, context);
        if (reference && seen.has(reference.id)) {
          context.errors.add(`${path}[${index}]`, 'links the same snippet twice');
        }
        if (reference) seen.add(reference.id);
        return reference;
      });
      return seen.size === value.length ? items : undefined;
    }
    case 'stream':
      return validateStream(field, value, path, context);
    case 'struct':
      return validateStruct(field, value, path, context);
    case 'list':
      return validateList(field, value, path, context);
  }
}

function validateReference(
  value: unknown,
  path: string,
  context: Context,
): { id: string } | undefined {
  if (!isPlainObject(value)) {
    context.errors.add(path, 'must be { "id": "<uuid>" }');
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'id') context.errors.add(`${path}.${describeKey(key)}`, 'is not allowed here');
  }
  if (typeof value.id !== 'string' || !UUID_PATTERN.test(value.id)) {
    context.errors.add(`${path}.id`, 'must be a uuid');
    return undefined;
  }
  return Object.keys(value).length === 1 ? { id: value.id.toLowerCase() } : undefined;
}

function validateStream(
  field: StreamField,
  value: unknown,
  path: string,
  context: Context,
): unknown[] | undefined {
  if (!Array.isArray(value)) {
    context.errors.add(path, 'must be an array of blocks [{ "type", "id", "value" }]');
    return undefined;
  }
  if (field.maxItems !== undefined && value.length > field.maxItems) {
    context.errors.add(path, `must hold at most ${field.maxItems} blocks`);
    return undefined;
  }
  if (context.mode === 'publish' && field.minItems !== undefined && value.length < field.minItems) {
    context.errors.add(path, `must hold at least ${field.minItems} blocks to publish`);
  }
  const blocks = new Map(field.blocks.map((block) => [block.key, block]));
  const ids = new Set<string>();
  let valid = true;
  const output = value.map((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (context.errors.full) return undefined;
    if (!isPlainObject(item)) {
      context.errors.add(itemPath, 'must be a block { "type", "id", "value" }');
      valid = false;
      return undefined;
    }
    for (const key of Object.keys(item)) {
      if (key !== 'type' && key !== 'id' && key !== 'value') {
        context.errors.add(`${itemPath}.${describeKey(key)}`, 'is not allowed in a block');
        valid = false;
      }
    }
    const block = typeof item.type === 'string' ? blocks.get(item.type) : undefined;
    if (!block) {
      context.errors.add(
        `${itemPath}.type`,
        `must be one of the stream's blocks: ${[...blocks.keys()].join(', ')}`,
      );
      valid = false;
      return undefined;
    }
    let id: string;
    if (item.id === undefined || item.id === null) {
      id = randomUUID();
    } else if (typeof item.id === 'string' && UUID_PATTERN.test(item.id)) {
      id = item.id;
    } else {
      context.errors.add(`${itemPath}.id`, 'must be a uuid (or left out to get one)');
      valid = false;
      return undefined;
    }
    const blockId = id.toLowerCase();
    if (ids.has(blockId)) {
      context.errors.add(`${itemPath}.id`, 'is the id of an earlier block in this stream');
      valid = false;
    }
    ids.add(blockId);
    const valuePath = `${itemPath}.value`;
    let stored: unknown;
    if (isEmpty(item.value)) {
      if (block.required && context.mode === 'publish') {
        context.errors.add(valuePath, 'is required to publish');
      }
      stored = item.value ?? null;
    } else {
      stored = validateValue(block, item.value, valuePath, context);
      if (stored === undefined) valid = false;
    }
    return { type: block.key, id: blockId, value: stored };
  });
  return valid ? output : undefined;
}

function validateStruct(
  block: StructBlock,
  value: unknown,
  path: string,
  context: Context,
): ContentValues | undefined {
  const before = context.errors.errors.length;
  const output = validateFields(block.fields, value, path, context);
  return context.errors.errors.length === before ? output : undefined;
}

function validateList(
  block: ListBlock,
  value: unknown,
  path: string,
  context: Context,
): unknown[] | undefined {
  if (!Array.isArray(value)) {
    context.errors.add(path, 'must be an array');
    return undefined;
  }
  if (block.maxItems !== undefined && value.length > block.maxItems) {
    context.errors.add(path, `must hold at most ${block.maxItems} items`);
    return undefined;
  }
  if (context.mode === 'publish' && block.minItems !== undefined && value.length < block.minItems) {
    context.errors.add(path, `must hold at least ${block.minItems} items to publish`);
  }
  const before = context.errors.errors.length;
  const output = value.map((item, index) =>
    context.errors.full ? undefined : validateValue(block.item, item, `${path}[${index}]`, context),
  );
  return context.errors.errors.length === before ? output : undefined;
}

const compiledPatterns = new Map<string, RegExp>();

/** The field's `pattern`, anchored to the whole value (definitions were checked to compile). */
export function patternOf(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${pattern})$`);
    if (compiledPatterns.size > 1_000) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

export function isRealDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `2026-05-01T09:30:00+02:00` → `2026-05-01T07:30:00.000Z`; undefined when not such an instant. */
export function normalizeDateTime(value: string): string | undefined {
  const match = DATETIME_PATTERN.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = match;
  if (!isRealDate(`${year}-${month}-${day}`)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return undefined;
  if (offsetHours !== undefined && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59)) {
    return undefined;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined;
}
