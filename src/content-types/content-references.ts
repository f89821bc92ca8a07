import type {
  BlockDefinition,
  ContentTypeDefinition,
  ContentValues,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';
import { isPlainObject, UUID_PATTERN } from '#src/content-types/content-value-checks.js';
import { richTextReferences } from '#src/content-types/rich-text.js';

export type ContentReferenceTarget = 'page' | 'snippet' | 'image' | 'document';

export interface ContentReference {
  targetType: ContentReferenceTarget;
  targetId: string;
  /** Where in the content, e.g. `body[2].value.image` or `body[0].value.content[1]`. */
  fieldPath: string;
}

const TARGET_OF_FIELD: Partial<Record<string, ContentReferenceTarget>> = {
  image: 'image',
  document: 'document',
  page_link: 'page',
  snippet_link: 'snippet',
};

/**
 * Every link from `content` to another object: link fields, images and documents, and the
 * internal links and images of rich text, however deep in streams. Stored content may
 * predate today's definition: values of the wrong shape are skipped, never an error.
 */
export function extractReferences(
  definition: ContentTypeDefinition,
  content: ContentValues,
): ContentReference[] {
  const found: ContentReference[] = [];
  walkFields(definition.fields, content, '', found);
  return found;
}

function walkFields(
  fields: readonly FieldDefinition[],
  values: unknown,
  path: string,
  found: ContentReference[],
): void {
  if (!isPlainObject(values)) return;
  for (const field of fields) {
    const value = values[field.key];
    if (value !== undefined && value !== null) {
      walkValue(field, value, path ? `${path}.${field.key}` : field.key, found);
    }
  }
}

function walkValue(
  field: FieldDefinition | BlockDefinition,
  value: unknown,
  path: string,
  found: ContentReference[],
): void {
  const target = TARGET_OF_FIELD[field.type];
  if (target) {
    const add = (item: unknown, at: string) => {
      if (isPlainObject(item) && typeof item.id === 'string' && UUID_PATTERN.test(item.id)) {
        found.push({ targetType: target, targetId: item.id.toLowerCase(), fieldPath: at });
      }
    };
    if (Array.isArray(value)) value.forEach((item, index) => add(item, `${path}[${index}]`));
    else add(value, path);
    return;
  }
  switch (field.type) {
    case 'rich_text':
      for (const reference of richTextReferences(value, path)) {
        found.push({
          targetType: reference.kind,
          targetId: reference.id,
          fieldPath: reference.path,
        });
      }
      return;
    case 'stream': {
      if (!Array.isArray(value)) return;
      const blocks = new Map(field.blocks.map((block) => [block.key, block]));
      value.forEach((item: unknown, index) => {
        if (!isPlainObject(item) || typeof item.type !== 'string') return;
        const block = blocks.get(item.type);
        if (block && item.value !== undefined && item.value !== null) {
          walkValue(block, item.value, `${path}[${index}].value`, found);
        }
      });
      return;
    }
    case 'struct':
      walkFields(field.fields, value, path, found);
      return;
    case 'list':
      if (Array.isArray(value)) {
        value.forEach((item: unknown, index) => {
          if (item !== undefined && item !== null) {
            walkValue(field.item, item, `${path}[${index}]`, found);
          }
        });
      }
      return;
    default:
      return;
  }
}
