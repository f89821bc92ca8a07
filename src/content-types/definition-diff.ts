import type {
  BlockDefinition,
  ContentTypeDefinition,
  ContentValues,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';
import { isPlainObject, sameJson } from '#src/content-types/content-value-checks.js';

/** One step from a container to a value: a field of an object, a block type of a stream, list items. */
export type LocationStep = { field: string } | { block: string } | { item: true };

export type DefinitionChangeKind =
  'added' | 'removed' | 'renamed' | 'type_changed' | 'options_changed';

export interface DefinitionChange {
  kind: DefinitionChangeKind;
  /** Dotted keys as in the new definition (the old one for removals): `body.quote.text`. */
  path: string;
  /** Renames: the old path. */
  from?: string;
  /** How to reach the values, with the new keys of renamed parents (see rewriteContentForRenames). */
  location: LocationStep[];
  /** Renames: the old key of the last step. */
  fromKey?: string;
  /** Whether applying it can make stored values invalid or drop them. */
  canLoseData: boolean;
  /** What changed, for people. */
  detail: string;
}

type AnyField = FieldDefinition | BlockDefinition;

/** Text-like types whose values move across unchanged. */
const LOSSLESS_TYPE_CHANGES = new Set([
  'text>long_text',
  'slug>text',
  'slug>long_text',
  'email>text',
  'url>text',
  'email>long_text',
  'url>long_text',
]);

/** Properties that say nothing about stored values. */
const PRESENTATION = new Set([
  'label',
  'helpText',
  'filterable',
  'sortable',
  'renamedFrom',
  'default',
  'localized',
]);
/** Properties of containers compared by recursion instead. */
const NESTED = new Set(['blocks', 'fields', 'item']);

/**
 * What changes between two definitions of a type, field by field and recursively inside
 * blocks: added, removed, renamed (declared with `renamedFrom`), type changes and option
 * changes, each saying whether it can lose data. Changes come parents first, so renames can
 * be applied in order.
 */
export function diffDefinitions(
  before: ContentTypeDefinition,
  after: ContentTypeDefinition,
): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  diffFieldLists(before.fields, after.fields, [], [], 'field', changes);
  return changes;
}

function pathOf(keys: string[]): string {
  return keys.join('.');
}

function stepOf(kind: 'field' | 'block', key: string): LocationStep {
  return kind === 'field' ? { field: key } : { block: key };
}

function diffFieldLists(
  before: readonly AnyField[],
  after: readonly AnyField[],
  keys: string[],
  location: LocationStep[],
  kind: 'field' | 'block',
  changes: DefinitionChange[],
): void {
  const old = new Map(before.map((field) => [field.key, field]));
  const matched = new Set<string>();
  for (const field of after) {
    const newKeys = [...keys, field.key];
    const newLocation = [...location, stepOf(kind, field.key)];
    let previous = old.get(field.key);
    if (previous) {
      matched.add(field.key);
    } else if (
      field.renamedFrom !== undefined &&
      old.has(field.renamedFrom) &&
      !after.some((other) => other.key === field.renamedFrom)
    ) {
      previous = old.get(field.renamedFrom)!;
      matched.add(field.renamedFrom);
      changes.push({
        kind: 'renamed',
        path: pathOf(newKeys),
        from: pathOf([...keys, field.renamedFrom]),
        location: newLocation,
        fromKey: field.renamedFrom,
        canLoseData: false,
        detail: `${kind} "${field.renamedFrom}" is renamed to "${field.key}"; stored values move with it`,
      });
    } else {
      changes.push({
        kind: 'added',
        path: pathOf(newKeys),
        location: newLocation,
        canLoseData: false,
        detail: `new ${field.type} ${kind}${field.required ? ' (required: existing content needs a value before it is published again)' : ''}`,
      });
      continue;
    }
    diffField(previous, field, newKeys, newLocation, kind, changes);
  }
  for (const field of before) {
    if (matched.has(field.key)) continue;
    changes.push({
      kind: 'removed',
      path: pathOf([...keys, field.key]),
      location: [...location, stepOf(kind, field.key)],
      canLoseData: true,
      detail: `${field.type} ${kind} removed: its stored values would be dropped`,
    });
  }
}

function diffField(
  before: AnyField,
  after: AnyField,
  keys: string[],
  location: LocationStep[],
  kind: 'field' | 'block',
  changes: DefinitionChange[],
): void {
  const path = pathOf(keys);
  if (before.type !== after.type) {
    changes.push({
      kind: 'type_changed',
      path,
      location,
      canLoseData: !LOSSLESS_TYPE_CHANGES.has(`${before.type}>${after.type}`),
      detail: `${kind} type changes from ${before.type} to ${after.type}`,
    });
    return;
  }
  const options = changedOptions(before, after);
  if (options.length > 0) {
    const lossy = options.filter((option) => optionCanLoseData(option, before, after));
    changes.push({
      kind: 'options_changed',
      path,
      location,
      canLoseData: lossy.length > 0,
      detail: `changed ${options.join(', ')}${lossy.length > 0 ? ` (stored values may no longer fit: ${lossy.join(', ')})` : ''}`,
    });
  }
  if (before.type === 'stream' && after.type === 'stream') {
    diffFieldLists(before.blocks, after.blocks, keys, location, 'block', changes);
  } else if (before.type === 'struct' && after.type === 'struct') {
    diffFieldLists(before.fields, after.fields, keys, location, 'field', changes);
  } else if (before.type === 'list' && after.type === 'list') {
    diffField(
      before.item,
      after.item,
      [...keys, 'item'],
      [...location, { item: true }],
      'block',
      changes,
    );
  }
}

function changedOptions(before: AnyField, after: AnyField): string[] {
  const left = before as unknown as Record<string, unknown>;
  const right = after as unknown as Record<string, unknown>;
  const names = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...names]
    .filter(
      (name) => name !== 'key' && name !== 'type' && !PRESENTATION.has(name) && !NESTED.has(name),
    )
    .filter((name) => !sameJson(left[name], right[name]))
    .sort();
}

function optionCanLoseData(option: string, before: AnyField, after: AnyField): boolean {
  const left = (before as unknown as Record<string, unknown>)[option];
  const right = (after as unknown as Record<string, unknown>)[option];
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  switch (option) {
    case 'required':
    case 'unique':
      return right === true;
    case 'maxLength':
    case 'max':
    case 'maxItems':
      return (
        number(right) !== undefined &&
        (number(left) === undefined || number(right)! < number(left)!)
      );
    case 'minLength':
    case 'min':
    case 'minItems':
      return (
        number(right) !== undefined &&
        (number(left) === undefined || number(right)! > number(left)!)
      );
    case 'choices': {
      const kept = new Set(
        ((right as Array<{ value: string }> | undefined) ?? []).map((choice) => choice.value),
      );
      return ((left as Array<{ value: string }> | undefined) ?? []).some(
        (choice) => !kept.has(choice.value),
      );
    }
    case 'features':
    case 'headingLevels':
    case 'pageTypes': {
      if (right === undefined) return false;
      const kept = new Set(right as unknown[]);
      return left === undefined || (left as unknown[]).some((value) => !kept.has(value));
    }
    case 'multiple':
      // Single ↔ multiple changes the stored shape (a value vs an array).
      return true;
    default:
      // pattern, numberType, snippetType: stored values may not fit.
      return true;
  }
}

/**
 * Moves stored values for the renames among `changes` (from diffDefinitions of the same
 * two definitions): renamed fields take their old key's value, renamed blocks take their
 * old type, however deep. Pure: returns new content, `content` is not modified. Other
 * changes are left to the caller (the schema apply step decides about data loss).
 */
export function rewriteContentForRenames(
  changes: readonly DefinitionChange[],
  content: ContentValues,
): ContentValues {
  const result = structuredClone(content);
  for (const change of changes) {
    if (change.kind !== 'renamed' || change.fromKey === undefined) continue;
    const last = change.location[change.location.length - 1];
    forEachContainer(result, change.location.slice(0, -1), (container) => {
      if ('field' in last) {
        if (isPlainObject(container) && Object.hasOwn(container, change.fromKey!)) {
          if (!Object.hasOwn(container, last.field))
            container[last.field] = container[change.fromKey!];
          delete container[change.fromKey!];
        }
      } else if ('block' in last && Array.isArray(container)) {
        for (const block of container) {
          if (isPlainObject(block) && block.type === change.fromKey) block.type = last.block;
        }
      }
    });
  }
  return result;
}

/** Calls `visit` with every value `steps` lead to from `value`. */
function forEachContainer(
  value: unknown,
  steps: LocationStep[],
  visit: (container: unknown) => void,
): void {
  if (steps.length === 0) {
    visit(value);
    return;
  }
  const [step, ...rest] = steps;
  if ('field' in step) {
    if (isPlainObject(value) && value[step.field] !== undefined)
      forEachContainer(value[step.field], rest, visit);
  } else if ('block' in step) {
    if (!Array.isArray(value)) return;
    for (const block of value) {
      if (isPlainObject(block) && block.type === step.block)
        forEachContainer(block.value, rest, visit);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) forEachContainer(item, rest, visit);
  }
}
