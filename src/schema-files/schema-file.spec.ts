import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { validateSchemaFile } from '#src/content-types/content-type-validation.js';
import {
  formatSchemaFile,
  InvalidSchemaFileError,
  parseSchemaFile,
} from '#src/schema-files/schema-file.js';

const author: ContentTypeDefinition = {
  key: 'author',
  label: 'Author',
  kind: 'snippet',
  fields: [{ key: 'name', type: 'text' }],
};
const post: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  fields: [{ key: 'author', type: 'snippet_link', snippetType: 'author' }],
};

function problems(text: string): Array<{ path: string; message: string }> {
  try {
    parseSchemaFile(text, 'types.json', validateSchemaFile);
  } catch (error) {
    if (error instanceof InvalidSchemaFileError) return error.errors;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('parseSchemaFile', () => {
  it('returns the definitions of a valid file', () => {
    const file = parseSchemaFile(
      JSON.stringify({ $schema: 'x', contentTypes: [author, post] }),
      'types.json',
      validateSchemaFile,
    );
    expect(file.definitions.map((definition) => definition.key)).toEqual(['author', 'post']);
  });

  it('says where JSON that does not parse goes wrong', () => {
    const [problem] = problems('{\n  "contentTypes": [\n    {,\n  ]\n}');
    expect(problem.path).toBe('');
    expect(problem.message).toMatch(/^not JSON at line 3, column 6: /);
  });

  it('names the place in the file of each problem', () => {
    expect(problems('[]')).toEqual([expect.objectContaining({ path: 'contentTypes' })]);
    const paths = problems(
      JSON.stringify({
        contentTypes: [author, { ...post, fields: [{ key: 'body', type: 'colour' }] }],
      }),
    ).map((problem) => problem.path);
    expect(paths).toContain('contentTypes[1].fields[0].type');
  });

  it('refuses a link to a type the file does not define', () => {
    expect(problems(JSON.stringify({ contentTypes: [post] }))).toEqual([
      expect.objectContaining({ path: 'contentTypes[0].fields[0].snippetType' }),
    ]);
  });

  it('refuses a file over 10 MB before parsing it', () => {
    expect(problems(' '.repeat(10 * 1024 * 1024 + 1))).toEqual([
      { path: '', message: 'larger than 10 MB' },
    ]);
  });

  it('lists every problem in the error message, one per line', () => {
    expect(() => parseSchemaFile('{"contentTypes": 3}', 'types.json', validateSchemaFile)).toThrow(
      /^types\.json is not a valid schema file \(1 problem\):\n {2}contentTypes: /,
    );
  });
});

describe('formatSchemaFile', () => {
  it('writes types in key order with readable property order and no renamedFrom', () => {
    const stored = {
      fields: [{ type: 'text', renamedFrom: 'title', key: 'name', required: true }],
      kind: 'snippet',
      key: 'writer',
      label: 'Writer',
    } as unknown as ContentTypeDefinition;
    const text = formatSchemaFile([stored, author], 'https://cms.example.com/schema.json');
    expect(text.endsWith('}\n')).toBe(true);
    const file = JSON.parse(text) as { $schema: string; contentTypes: object[] };
    expect(Object.keys(file)).toEqual(['$schema', 'contentTypes']);
    expect(file.$schema).toBe('https://cms.example.com/schema.json');
    expect(file.contentTypes.map((type) => Object.keys(type))).toEqual([
      ['key', 'label', 'kind', 'fields'],
      ['key', 'label', 'kind', 'fields'],
    ]);
    expect(file.contentTypes[1]).toEqual({
      key: 'writer',
      label: 'Writer',
      kind: 'snippet',
      fields: [{ key: 'name', type: 'text', required: true }],
    });
    expect(Object.keys((file.contentTypes[1] as { fields: object[] }).fields[0])).toEqual([
      'key',
      'type',
      'required',
    ]);
  });
});
