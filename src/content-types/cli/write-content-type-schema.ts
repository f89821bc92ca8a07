import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format } from 'prettier';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { CONTENT_TYPE_JSON_SCHEMA } from '#src/content-types/content-type-json-schema.js';

const COMMITTED_CONTENT_TYPE_SCHEMA_FILE = path.join(
  PROJECT_ROOT,
  'docs',
  'content-type.schema.json',
);

/**
 * `npm run content-type-schema`: writes the JSON Schema of content type definitions to
 * docs/content-type.schema.json (formatted as prettier would, so `npm run check` agrees).
 * A unit test fails when the committed file and the code differ.
 */
async function main(): Promise<void> {
  const text = await format(JSON.stringify(CONTENT_TYPE_JSON_SCHEMA), { parser: 'json' });
  await writeFile(COMMITTED_CONTENT_TYPE_SCHEMA_FILE, text);
  console.log(`Wrote ${path.relative(process.cwd(), COMMITTED_CONTENT_TYPE_SCHEMA_FILE)}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
