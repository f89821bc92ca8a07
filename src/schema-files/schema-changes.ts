import { isDeepStrictEqual } from 'node:util';
import {
  type DefinitionChange,
  type DefinitionChangeKind,
  diffDefinitions,
  rewriteContentForRenames,
} from '#src/content-types/definition-diff.js';
import type {
  ContentTypeDefinition,
  ContentValues,
} from '#src/content-types/content-type-definition.js';
import {
  type ContentPath,
  type ContentPathStep,
  removeValuesAt,
} from '#src/schema-files/content-paths.js';

/**
 * One change to the fields (or blocks, at any depth) of a stored content type, from the
 * content-types feature's `diffDefinitions`, with what schema apply needs to know about
 * the content already stored: where the values are today, whether apply rewrites them
 * (renames) or would drop them (removals, lossy type changes).
 */
export interface FieldChange {
  kind: DefinitionChangeKind;
  /** `blog_post.body.quote.text`: the name `--allow-data-loss` takes (new keys; old for removals). */
  name: string;
  /** For people: `intro: field "intro" is renamed to "summary"; …`. */
  detail: string;
  /** Where the values are in stored content today (old keys of renamed parents): for counting. */
  stored: ContentPath;
  /** Where they are once the renames are done: for dropping. */
  location: ContentPath;
  /** Applying it removes the values stored there (only when `--allow-data-loss` names it). */
  dropsData: boolean;
  /**
   * Stored values may no longer be valid (a narrower option): kept as they are, editors fix
   * them on their next save; like a drop, it needs `--allow-data-loss` when values exist.
   */
  mayNotFit: boolean;
  /** Stored values move (renames). */
  rewrites: boolean;
  /** The change as diffDefinitions gave it. */
  source: DefinitionChange;
}

function sameLocation(a: readonly ContentPathStep[], b: readonly ContentPathStep[]): boolean {
  return (
    a.length === b.length &&
    a.every((step, index) => JSON.stringify(step) === JSON.stringify(b[index]))
  );
}

function withKey(step: ContentPathStep, key: string): ContentPathStep {
  if ('field' in step) return { field: key };
  if ('block' in step) return { block: key };
  return step;
}

/**
 * Options that only decide what a future save needs (`required`, `unique`) make no stored
 * value unreadable; the others (`maxLength` down, a choice gone, single ↔ multiple, …) may.
 * diffDefinitions names the lossy options in its detail; without that list, trust its flag.
 */
const FUTURE_ONLY_OPTIONS = new Set(['required', 'unique']);

function narrowsValues(change: DefinitionChange): boolean {
  const listed = /stored values may no longer fit: ([^)]*)\)/.exec(change.detail);
  if (!listed) return true;
  return listed[1].split(',').some((option) => !FUTURE_ONLY_OPTIONS.has(option.trim()));
}

/** Every change to the fields of a content type, parents before children. */
export function fieldChanges(
  before: ContentTypeDefinition,
  after: ContentTypeDefinition,
): FieldChange[] {
  const changes = diffDefinitions(before, after);
  const renames = changes.filter((change) => change.kind === 'renamed' && change.fromKey);
  return changes.map((change) => {
    const stored = change.location.map((step, index) => {
      const rename = renames.find((each) =>
        sameLocation(each.location, change.location.slice(0, index + 1)),
      );
      return rename ? withKey(step, rename.fromKey!) : step;
    });
    return {
      kind: change.kind,
      name: `${after.key}.${change.path}`,
      detail: `${change.from ?? change.path}: ${change.detail}`,
      stored,
      location: change.location,
      dropsData:
        change.kind === 'removed' || (change.kind === 'type_changed' && change.canLoseData),
      mayNotFit: change.kind === 'options_changed' && change.canLoseData && narrowsValues(change),
      rewrites: change.kind === 'renamed',
      source: change,
    };
  });
}

/** Settings of the type itself that differ (they change no stored content). */
export function changedTypeSettings(
  before: ContentTypeDefinition,
  after: ContentTypeDefinition,
): string[] {
  const previous = before as unknown as Record<string, unknown>;
  const next = after as unknown as Record<string, unknown>;
  return [...new Set([...Object.keys(previous), ...Object.keys(next)])]
    .filter((setting) => setting !== 'fields' && setting !== 'key')
    .filter((setting) => !isDeepStrictEqual(previous[setting], next[setting]))
    .sort();
}

/**
 * Stored content rewritten for `changes`: renames done (rewriteContentForRenames), then the
 * values of the changes in `dropping` removed. Returns `content` itself when nothing changed.
 */
export function rewriteContent(
  content: ContentValues,
  changes: readonly FieldChange[],
  dropping: ReadonlySet<FieldChange>,
): ContentValues {
  let result: unknown = rewriteContentForRenames(
    changes.map((change) => change.source),
    content,
  );
  for (const change of changes) {
    if (dropping.has(change)) result = removeValuesAt(result, change.location);
  }
  return JSON.stringify(result) === JSON.stringify(content) ? content : (result as ContentValues);
}
