import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { CONTENT_TYPE_JSON_SCHEMA } from '#src/content-types/content-type-json-schema.js';
import { validateSchemaFile } from '#src/content-types/content-type-validation.js';

const readJson = async (...parts: string[]) =>
  JSON.parse(await readFile(path.join(PROJECT_ROOT, ...parts), 'utf8')) as unknown;

describe('the published content type JSON Schema', () => {
  it('is committed as docs/content-type.schema.json exactly as the code builds it (npm run content-type-schema)', async () => {
    expect(await readJson('docs', 'content-type.schema.json')).toEqual(CONTENT_TYPE_JSON_SCHEMA);
  });

  it('accepts the example site, both through the schema and through every rule', async () => {
    const example = await readJson('examples', 'blog.schema.json');
    const validate = new Ajv({ allErrors: true, discriminator: true, strict: false }).compile(
      CONTENT_TYPE_JSON_SCHEMA,
    );
    expect(validate.errors ?? validate(example)).toBe(true);
    expect(validateSchemaFile(example).errors).toEqual([]);
  });

  it('refuses a schema file with an unknown field type, as an editor would see it', () => {
    const validate = new Ajv({ allErrors: true, discriminator: true, strict: false }).compile(
      CONTENT_TYPE_JSON_SCHEMA,
    );
    const file = {
      contentTypes: [
        { key: 'x', label: 'X', kind: 'page', fields: [{ key: 'a', type: 'colour' }] },
      ],
    };
    expect(validate(file)).toBe(false);
  });
});
