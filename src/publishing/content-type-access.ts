/**
 * INTERIM: what publishing needs from content-types and search, behind one file, until
 * those modules land their services (then this file re-exports theirs).
 */
import type { EntityManager } from 'typeorm';
import type {
  ContentTypeDefinition,
  ContentValues,
} from '#src/content-types/content-type-definition.js';
import type { FieldError } from '#src/errors/domain-error.js';
import type { ExtractedReference } from '#src/references/reference-index.service.js';

export { ContentValidationError } from '#src/content-types/content-validation.errors.js';

export interface ContentTypeInfo {
  key: string;
  kind: 'page' | 'snippet';
  version: number;
  definition: ContentTypeDefinition;
}

export interface FieldChange {
  path: string;
  [detail: string]: unknown;
}

export function validateContent(
  _definition: ContentTypeDefinition,
  content: unknown,
  _options: { mode: 'draft' | 'publish' },
): { content: ContentValues; errors: FieldError[] } {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    return { content: {}, errors: [{ path: 'content', message: 'must be an object' }] };
  }
  return { content: content as ContentValues, errors: [] };
}

export function extractReferences(
  _definition: ContentTypeDefinition,
  _content: ContentValues,
): ExtractedReference[] {
  return [];
}

export function searchableText(
  _definition: ContentTypeDefinition,
  _content: ContentValues,
): Array<{ text: string; weight: 'A' | 'B' | 'C' | 'D' }> {
  return [];
}

export function diffContent(
  definition: ContentTypeDefinition,
  before: ContentValues,
  after: ContentValues,
): FieldChange[] {
  return definition.fields
    .filter((field) => JSON.stringify(before[field.key]) !== JSON.stringify(after[field.key]))
    .map((field) => ({ path: field.key, before: before[field.key], after: after[field.key] }));
}

/** Reads a content type straight from its table. */
export async function loadContentType(
  manager: EntityManager,
  key: string,
): Promise<ContentTypeInfo | undefined> {
  const [row] = await manager.query<ContentTypeInfo[]>(
    'SELECT key, kind, version, definition FROM content_types WHERE key = $1',
    [key],
  );
  return row;
}
