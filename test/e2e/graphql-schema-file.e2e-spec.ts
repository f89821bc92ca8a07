import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { GraphqlSchemaService } from '#src/graphql/graphql-schema.service.js';
import { createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes, loadExampleSchema } from '#test/helpers/content.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

/**
 * The schema the example blog (examples/blog.schema.json) is served, kept in the repository
 * so that every change to it is deliberate and shows in review. After changing the schema
 * generation on purpose, write the file again with
 * `npm run build && UPDATE_GRAPHQL_SCHEMA=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/e2e/graphql-schema-file.e2e-spec.ts`.
 */
const SCHEMA_FILE = path.join(PROJECT_ROOT, 'docs', 'graphql', 'example-blog.graphql');

describe('the GraphQL schema of the example blog', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    const schemas = app.finch.app.get(GraphqlSchemaService);
    const before = schemas.generation;
    await applyContentTypes(app, accessToken, await loadExampleSchema());
    await waitFor('the schema with the example types', () => schemas.generation > before);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('matches docs/graphql/example-blog.graphql', async () => {
    const printed = `${printSchema(lexicographicSortSchema(app.finch.app.get(GraphqlSchemaService).current()))}\n`;
    if (process.env.UPDATE_GRAPHQL_SCHEMA === '1') {
      await writeFile(SCHEMA_FILE, printed);
      return;
    }
    const stored = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    if (stored !== printed) {
      throw new Error(
        `The served GraphQL schema differs from ${path.relative(PROJECT_ROOT, SCHEMA_FILE)}. If the change is deliberate, write the file again (docs/development.md, "Tests"): UPDATE_GRAPHQL_SCHEMA=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/e2e/graphql-schema-file.e2e-spec.ts`,
      );
    }
    expect(stored).toBe(printed);
  });
});
