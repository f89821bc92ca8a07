import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  ContentTypeDefinition,
  SchemaFile,
} from '#src/content-types/content-type-definition.js';
import type { ContentTypeRecord } from '#src/content-types/content-types.service.js';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import type { TestApp } from '#test/helpers/test-app.js';

export const EXAMPLE_SCHEMA_FILE = path.join(PROJECT_ROOT, 'examples', 'blog.schema.json');

/** The example site's content types (home, blog_index, blog_post, author, category). */
export async function loadExampleSchema(): Promise<ContentTypeDefinition[]> {
  const file = JSON.parse(await readFile(EXAMPLE_SCHEMA_FILE, 'utf8')) as SchemaFile;
  return file.contentTypes;
}

/**
 * Creates (or updates) `definitions` over the management API in one request, as an
 * editor would; types that name each other may come in any order. Throws with the
 * problem when the server refuses them. `accessToken` needs `manage_content_types`.
 */
export async function applyContentTypes(
  app: TestApp,
  accessToken: string,
  definitions: readonly ContentTypeDefinition[],
): Promise<ContentTypeRecord[]> {
  const response = await fetch(`${app.baseUrl}/api/admin/content-types/apply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ contentTypes: definitions }),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`Applying content types failed: ${response.status} ${text}`);
  }
  const result = JSON.parse(text) as Record<
    'created' | 'updated' | 'unchanged',
    ContentTypeRecord[]
  >;
  return [...result.created, ...result.updated, ...result.unchanged];
}
