import type {
  BlockDefinition,
  ContentTypeDefinition,
  ContentValues,
  FieldDefinition,
  StreamField,
} from '#src/content-types/content-type-definition.js';
import { isPlainObject, sameJson } from '#src/content-types/content-value-checks.js';

export type ValueChangeKind = 'added' | 'removed' | 'changed';

/** How one field differs between two versions of content. */
export interface FieldChange {
  /** Where, e.g. `intro` or `body[2].value.caption` (positions are those of `after`). */
  path: string;
  key: string;
  label: string;
  /** The field type; `unknown` for values of fields the definition no longer has. */
  type: string;
  change: ValueChangeKind;
  before?: unknown;
  after?: unknown;
  /** Streams: what happened to each block, matched by block id. */
  blocks?: BlockChange[];
  /** Structs: the changes of their fields. */
  fields?: FieldChange[];
}

export type BlockChangeKind = 'added' | 'removed' | 'changed' | 'moved';

export interface BlockChange {
  id: string;
  /** The block type key. */
  type: string;
  change: BlockChangeKind;
  /** A changed block that also moved. */
  moved?: boolean;
  /** Positions in the before and after streams. */
  fromIndex?: number;
  toIndex?: number;
  before?: unknown;
  after?: unknown;
  /** Struct blocks: the changes of their fields. */
  fields?: FieldChange[];
}

interface Block {
  type: string;
  id: string;
  value: unknown;
}

/**
 * A structured, field-by-field diff of two versions of content (for "compare revisions"):
 * plain fields as before/after, structs field by field, streams block by block, matched by
 * block id, so a moved block is a move and not a removal plus an addition.
 */
export function diffContent(
  definition: ContentTypeDefinition,
  before: ContentValues,
  after: ContentValues,
): FieldChange[] {
  const changes = diffFields(definition.fields, before ?? {}, after ?? {}, '');
  const known = new Set(definition.fields.map((field) => field.key));
  const extraKeys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of extraKeys) {
    if (known.has(key)) continue;
    const change = plainChange(before?.[key], after?.[key]);
    if (change) {
      changes.push({
        path: key,
        key,
        label: key,
        type: 'unknown',
        change,
        ...values(before?.[key], after?.[key]),
      });
    }
  }
  return changes;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function plainChange(before: unknown, after: unknown): ValueChangeKind | undefined {
  if (!present(before) && !present(after)) return undefined;
  if (!present(before)) return 'added';
  if (!present(after)) return 'removed';
  return sameJson(before, after) ? undefined : 'changed';
}

function values(before: unknown, after: unknown): { before?: unknown; after?: unknown } {
  return {
    ...(present(before) ? { before } : {}),
    ...(present(after) ? { after } : {}),
  };
}

function diffFields(
  fields: readonly FieldDefinition[],
  before: unknown,
  after: unknown,
  path: string,
): FieldChange[] {
  const left = isPlainObject(before) ? before : {};
  const right = isPlainObject(after) ? after : {};
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const change = diffField(
      field,
      left[field.key],
      right[field.key],
      path ? `${path}.${field.key}` : field.key,
    );
    if (change) changes.push(change);
  }
  return changes;
}

function diffField(
  field: FieldDefinition | BlockDefinition,
  before: unknown,
  after: unknown,
  path: string,
): FieldChange | undefined {
  const kind = plainChange(before, after);
  if (!kind) return undefined;
  const change: FieldChange = {
    path,
    key: field.key,
    label: field.label ?? field.key,
    type: field.type,
    change: kind,
  };
  if (
    kind === 'changed' &&
    field.type === 'stream' &&
    Array.isArray(before) &&
    Array.isArray(after)
  ) {
    change.blocks = diffStream(field, before, after, path);
    return change;
  }
  if (kind === 'changed' && field.type === 'struct') {
    change.fields = diffFields(field.fields, before, after, path);
    return change;
  }
  return { ...change, ...values(before, after) };
}

function asBlocks(stream: unknown[]): Block[] {
  return stream.filter(
    (item): item is Block =>
      isPlainObject(item) && typeof item.id === 'string' && typeof item.type === 'string',
  );
}

function diffStream(
  field: StreamField,
  beforeStream: unknown[],
  afterStream: unknown[],
  path: string,
): BlockChange[] {
  const before = asBlocks(beforeStream);
  const after = asBlocks(afterStream);
  const beforeIndex = new Map(before.map((block, index) => [block.id, index]));
  const afterIndex = new Map(after.map((block, index) => [block.id, index]));
  const stayed = new Set(
    stableIds(
      before.map((block) => block.id).filter((id) => afterIndex.has(id)),
      after.map((block) => block.id).filter((id) => beforeIndex.has(id)),
    ),
  );
  const definitions = new Map(field.blocks.map((block) => [block.key, block]));
  const changes: BlockChange[] = [];
  before.forEach((block, index) => {
    if (!afterIndex.has(block.id)) {
      changes.push({
        id: block.id,
        type: block.type,
        change: 'removed',
        fromIndex: index,
        before: block.value,
      });
    }
  });
  after.forEach((block, index) => {
    const from = beforeIndex.get(block.id);
    if (from === undefined) {
      changes.push({
        id: block.id,
        type: block.type,
        change: 'added',
        toIndex: index,
        after: block.value,
      });
      return;
    }
    const old = before[from];
    const moved = !stayed.has(block.id);
    const changed = old.type !== block.type || !sameJson(old.value, block.value);
    if (!changed && !moved) return;
    const entry: BlockChange = {
      id: block.id,
      type: block.type,
      change: changed ? 'changed' : 'moved',
      fromIndex: from,
      toIndex: index,
    };
    if (changed) {
      if (moved) entry.moved = true;
      const definition = definitions.get(block.type);
      if (definition?.type === 'struct' && old.type === block.type) {
        entry.fields = diffFields(
          definition.fields,
          old.value,
          block.value,
          `${path}[${index}].value`,
        );
      } else {
        entry.before = old.value;
        entry.after = block.value;
      }
    }
    changes.push(entry);
  });
  return changes;
}

/**
 * The ids that kept their relative order (a longest common subsequence of the two orders):
 * the others moved. Inserting one block does not make every later block "moved".
 */
function stableIds(before: string[], after: string[]): string[] {
  if (before.length * after.length > 1_000_000) {
    return before.filter((id, index) => after[index] === id);
  }
  const lengths: number[][] = Array.from({ length: before.length + 1 }, () =>
    new Array<number>(after.length + 1).fill(0),
  );
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      lengths[i][j] =
        before[i] === after[j]
          ? lengths[i + 1][j + 1] + 1
          : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const common: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length && j < after.length) {
    if (before[i] === after[j]) {
      common.push(before[i]);
      i++;
      j++;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  return common;
}
