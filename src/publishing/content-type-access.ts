/**
 * INTERIM: what publishing needs from content-types and search, behind one file, until
 * those modules land their services (then this file re-exports theirs).
 */
import type {
  ContentTypeDefinition,
  ContentValues,
} from '#src/content-types/content-type-definition.js';
import { typedLinks } from '#src/publishing/typed-links.js';
import type { ExtractedReference } from '#src/references/reference-index.service.js';

export { ContentValidationError } from '#src/content-types/content-validation.errors.js';
export { validateContent } from '#src/content-types/content-validation.js';

export interface FieldChange {
  path: string;
  [detail: string]: unknown;
}

export function extractReferences(
  definition: ContentTypeDefinition,
  content: ContentValues,
): ExtractedReference[] {
  return typedLinks(definition, content).map((link) => ({
    targetType: link.kind,
    targetId: link.id,
    fieldPath: link.path.replace(/^content\./, ''),
  }));
}

// Landed in content-types: the weighted text of a type's search fields.
export { searchableText } from '#src/content-types/content-search-text.js';

export function diffContent(
  definition: ContentTypeDefinition,
  before: ContentValues,
  after: ContentValues,
): FieldChange[] {
  return definition.fields
    .filter((field) => JSON.stringify(before[field.key]) !== JSON.stringify(after[field.key]))
    .map((field) => ({ path: field.key, before: before[field.key], after: after[field.key] }));
}
