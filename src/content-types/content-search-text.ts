import type {
  BlockDefinition,
  ContentTypeDefinition,
  ContentValues,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';
import { isPlainObject } from '#src/content-types/content-value-checks.js';
import { richTextToPlainText } from '#src/content-types/rich-text.js';

export type SearchWeight = 'A' | 'B' | 'C' | 'D';

export interface SearchTextPart {
  text: string;
  weight: SearchWeight;
}

/** A search field without a weight counts as C (the title is always A, added by callers). */
export const DEFAULT_SEARCH_WEIGHT: SearchWeight = 'C';

/**
 * The text of the type's `searchFields` in `content`, with their weights, for the full-text
 * index: rich text flattened to its text, streams to the text of their blocks (however
 * deep), choices to their labels and values. The title is not included: callers add it.
 */
export function searchableText(
  definition: ContentTypeDefinition,
  content: ContentValues,
): SearchTextPart[] {
  const parts: SearchTextPart[] = [];
  for (const setting of definition.searchFields ?? []) {
    const key = typeof setting === 'string' ? setting : setting.key;
    const weight =
      (typeof setting === 'string' ? undefined : setting.weight) ?? DEFAULT_SEARCH_WEIGHT;
    const field = definition.fields.find((candidate) => candidate.key === key);
    if (!field) continue;
    const texts: string[] = [];
    collectText(field, content[key], texts);
    const text = texts.filter((part) => part.trim() !== '').join('\n');
    if (text.trim() !== '') parts.push({ text, weight });
  }
  return parts;
}

/** The plain text of one value of `field` (every text it holds, in order). */
export function plainTextOf(field: FieldDefinition | BlockDefinition, value: unknown): string {
  const texts: string[] = [];
  collectText(field, value, texts);
  return texts.join('\n');
}

function collectText(
  field: FieldDefinition | BlockDefinition,
  value: unknown,
  texts: string[],
): void {
  if (value === undefined || value === null) return;
  switch (field.type) {
    case 'text':
    case 'long_text':
    case 'slug':
      if (typeof value === 'string') texts.push(value);
      return;
    case 'rich_text':
      texts.push(richTextToPlainText(value));
      return;
    case 'choice': {
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        const choice = field.choices.find((candidate) => candidate.value === item);
        if (choice) texts.push(choice.label ? `${choice.label} ${choice.value}` : choice.value);
      }
      return;
    }
    case 'stream': {
      if (!Array.isArray(value)) return;
      const blocks = new Map(field.blocks.map((block) => [block.key, block]));
      for (const item of value) {
        if (!isPlainObject(item) || typeof item.type !== 'string') continue;
        const block = blocks.get(item.type);
        if (block) collectText(block, item.value, texts);
      }
      return;
    }
    case 'struct':
      if (!isPlainObject(value)) return;
      for (const child of field.fields) collectText(child, value[child.key], texts);
      return;
    case 'list':
      if (Array.isArray(value)) for (const item of value) collectText(field.item, item, texts);
      return;
    default:
      return;
  }
}
