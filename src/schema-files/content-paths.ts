import { KEY_PATTERN } from '#src/content-types/content-type-definition.js';

/**
 * Where values of one field or block sit in stored content, from the top:
 * - `{ field }`: a property of the content object, or of a struct's value;
 * - `{ block }`: every block of that type in a stream (its `value`);
 * - `{ item: true }`: every item of a list.
 * `[{ field: 'body' }, { block: 'quote' }, { field: 'attribution' }]` is the attribution
 * of every quote block of the `body` stream.
 */
export type ContentPathStep = { field: string } | { block: string } | { item: true };
export type ContentPath = readonly ContentPathStep[];

/** `body.quote.attribution` — how people name the place (and `--allow-data-loss` takes it). */
export function describeContentPath(path: ContentPath): string {
  return path
    .map((step) => ('field' in step ? step.field : 'block' in step ? step.block : '[]'))
    .join('.')
    .replace(/\.\[\]/g, '[]');
}

function keyOf(key: string): string {
  // Keys come from validated definitions; checked again because they end up in a jsonpath.
  if (!KEY_PATTERN.test(key)) throw new Error(`"${key}" is not a field or block key`);
  return key;
}

/**
 * A SQL/JSON path that finds every non-null value at `path`, for
 * `jsonb_path_exists(content, $1::jsonpath)` (passed as a parameter, never pasted in).
 */
export function jsonPathOf(path: ContentPath): string {
  let expression = '$';
  for (const step of path) {
    if ('field' in step) expression += `."${keyOf(step.field)}"`;
    else if ('block' in step) expression += `[*] ? (@."type" == "${keyOf(step.block)}")."value"`;
    else expression += '[*]';
  }
  return `${expression} ? (@ != null)`;
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `content` with `change` applied to the containers of the values at `path`:
 * `change(container, key)` edits the object that holds the last field (or, for a block
 * step last, the stream array holding the blocks). Returns `content` itself when nothing
 * was there, so callers can tell untouched rows by identity.
 */
function editAt(
  content: Json,
  path: ContentPath,
  change: (holder: Record<string, Json> | Json[], last: ContentPathStep) => Json,
): Json {
  if (path.length === 0) return content;
  const [step, ...rest] = path;
  if (rest.length === 0) {
    if ('field' in step && isObject(content) && step.field in content) return change(content, step);
    if ('block' in step && Array.isArray(content)) return change(content, step);
    return content;
  }
  if ('field' in step) {
    if (!isObject(content) || !(step.field in content)) return content;
    const inner = editAt(content[step.field], rest, change);
    return inner === content[step.field] ? content : { ...content, [step.field]: inner };
  }
  if (!Array.isArray(content)) return content;
  let changed = false;
  const items = content.map((item: Json) => {
    if ('block' in step) {
      if (!isObject(item) || item.type !== step.block || !('value' in item)) return item;
      const value = editAt(item.value, rest, change);
      if (value === item.value) return item;
      changed = true;
      return { ...item, value };
    }
    const value = editAt(item, rest, change);
    if (value !== item) changed = true;
    return value;
  });
  return changed ? items : content;
}

/** `content` without the values at `path` (blocks of a removed block type go entirely). */
export function removeValuesAt(content: Json, path: ContentPath): Json {
  return editAt(content, path, (holder, last) => {
    if (Array.isArray(holder)) {
      const block = (last as { block: string }).block;
      const kept = holder.filter((item) => !(isObject(item) && item.type === block));
      return kept.length === holder.length ? holder : kept;
    }
    const key = (last as { field: string }).field;
    const rest = { ...holder };
    delete rest[key];
    return rest;
  });
}
