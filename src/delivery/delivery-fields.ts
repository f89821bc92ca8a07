import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';

/**
 * The `fields` parameter, as Wagtail's API v2 reads it: a comma list of field names added to
 * the defaults, `*` for every field, `_` to drop the defaults, `-name` to drop one, and
 * `name(…)` to choose the fields of a linked object (`author(name,bio)`, `parent(title)`).
 */
export interface FieldsSelection {
  /** `*`: every field of the type. */
  all: boolean;
  /** `_`: start from nothing instead of the defaults. */
  clearDefaults: boolean;
  /** Named fields, each with its nested selection when one was given. */
  include: Map<string, FieldsSelection | undefined>;
  exclude: Set<string>;
}

export const MAX_FIELDS_LENGTH = 2000;
export const MAX_FIELDS_DEPTH = 3;
const NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function emptySelection(): FieldsSelection {
  return { all: false, clearDefaults: false, include: new Map(), exclude: new Set() };
}

/** Parses `fields`; throws a 400 naming `parameter` when it is malformed. */
export function parseFields(text: string, parameter = 'fields'): FieldsSelection {
  if (text.length > MAX_FIELDS_LENGTH) {
    throw new DeliveryParameterError(parameter, `at most ${MAX_FIELDS_LENGTH} characters`);
  }
  let position = 0;
  const fail = (message: string): never => {
    throw new DeliveryParameterError(parameter, `${message} (at character ${position + 1})`);
  };

  const parseList = (depth: number): FieldsSelection => {
    if (depth > MAX_FIELDS_DEPTH) fail(`nested deeper than ${MAX_FIELDS_DEPTH} levels`);
    const selection = emptySelection();
    for (;;) {
      const start = position;
      while (position < text.length && !',()'.includes(text[position])) position += 1;
      const item = text.slice(start, position).trim();
      if (item === '') fail('expected a field name');
      if (item === '*') selection.all = true;
      else if (item === '_') selection.clearDefaults = true;
      else if (item.startsWith('-')) {
        const name = item.slice(1);
        if (!NAME.test(name)) fail(`"${item}" is not a field name`);
        selection.exclude.add(name);
      } else {
        if (!NAME.test(item)) fail(`"${item}" is not a field name`);
        let nested: FieldsSelection | undefined;
        if (text[position] === '(') {
          position += 1;
          nested = parseList(depth + 1);
          if (text[position] !== ')') fail('expected ")"');
          position += 1;
        }
        selection.include.set(item, nested);
      }
      if (position >= text.length || text[position] === ')') return selection;
      if (text[position] !== ',') fail(`unexpected "${text[position]}"`);
      position += 1;
    }
  };

  const selection = parseList(1);
  if (position < text.length) fail(`unexpected "${text[position]}"`);
  return selection;
}

/**
 * Which names a selection keeps, from `defaults` (unless `_`), `every` (with `*`), the
 * names it adds and minus the ones it drops.
 */
export function selectedNames(
  selection: FieldsSelection,
  defaults: readonly string[],
  every: readonly string[],
): string[] {
  const names = new Set<string>(selection.clearDefaults ? [] : defaults);
  if (selection.all) for (const name of every) names.add(name);
  for (const name of selection.include.keys()) names.add(name);
  for (const name of selection.exclude) names.delete(name);
  return [...names];
}
