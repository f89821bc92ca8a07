import type {
  ContentTypeDefinition,
  ContentValues,
} from '#src/content-types/content-type-definition.js';
import { validateFieldValue } from '#src/content-types/content-validation.js';

/**
 * The content of a new page or snippet: each field's `default`, in the form it is stored
 * (stream blocks get their ids). Definitions were checked to have valid defaults.
 */
export function initialContent(definition: ContentTypeDefinition): ContentValues {
  const content: ContentValues = {};
  for (const field of definition.fields) {
    if (field.default === undefined || field.default === null) continue;
    const { value } = validateFieldValue(field, structuredClone(field.default), field.key, 'draft');
    if (value !== undefined) content[field.key] = value;
  }
  return content;
}
