import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import {
  patternProblem,
  validateDefinition,
  validateSchemaFile,
} from '#src/content-types/content-type-validation.js';

const base: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  fields: [{ key: 'intro', type: 'text' }],
};

const errorsOf = (definition: unknown, knownTypes?: Map<string, 'page' | 'snippet'>) =>
  validateDefinition(definition, { knownTypes }).errors;

describe('validateDefinition', () => {
  it('accepts a definition and returns it', () => {
    expect(validateDefinition(base)).toEqual({ definition: base, errors: [] });
  });

  it('names blocks by key in error paths and explains unknown types', () => {
    const errors = errorsOf({
      ...base,
      fields: [
        ...base.fields,
        {
          key: 'body',
          type: 'stream',
          blocks: [
            { key: 'heading', type: 'text', maxLength: 'long' },
            { key: 'quote', type: 'struct', fields: [{ key: 'text', type: 'colour' }] },
            { key: 'items', type: 'list', item: { key: 'item', type: 'widget' } },
          ],
        },
      ],
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'fields[1].blocks.heading.maxLength', message: 'must be integer' },
        {
          path: 'fields[1].blocks.quote.fields[0].type',
          message: expect.stringMatching(/^unknown field type "colour"; expected one of text,/),
        },
        {
          path: 'fields[1].blocks.items.item.type',
          message: expect.stringMatching(/^unknown block type "widget".*struct, list$/),
        },
      ]),
    );
  });

  it.each([
    [{ ...base, kind: 'snippet', parentTypes: [] }, 'parentTypes', /only page types/],
    [
      { ...base, titleField: 'intro', fields: [{ key: 'intro', type: 'number' }] },
      'titleField',
      /text field/,
    ],
    [{ ...base, searchFields: ['nope'] }, 'searchFields[0]', /not a field/],
    [{ ...base, searchFields: ['intro', { key: 'intro' }] }, 'searchFields[1].key', /twice/],
    [
      { ...base, fields: [{ key: 'n', type: 'number' }], searchFields: ['n'] },
      'searchFields[0]',
      /cannot be searched/,
    ],
    [{ ...base, feed: { imageField: 'intro' } }, 'feed.imageField', /that is image/],
    [{ ...base, feed: { authorField: 'nope' } }, 'feed.authorField', /snippet_link or text/],
    [{ ...base, feed: { enabled: true, itemTypes: ['nowhere'] } }, 'feed.itemTypes[0]', /nowhere/],
    [
      { ...base, feed: { enabled: true, source: 'siblings' } },
      'feed.source',
      /must be one of "children"/,
    ],
    [{ ...base, feed: { enabled: true, limit: 500 } }, 'feed.limit', /100/],
    [{ ...base, feed: { enabled: true, order: 'random' } }, 'feed.order', /-first_published_at/],
    [{ ...base, feed: { enabled: true, colour: 'red' } }, 'feed.colour', /not a known property/],
    [
      { ...base, fields: [{ key: 'n', type: 'number' }], feed: { descriptionField: 'n' } },
      'feed.descriptionField',
      /text or long text/,
    ],
    [{ ...base, kind: 'snippet', feed: { enabled: true } }, 'feed', /only page types/],
    [{ ...base, parentTypes: ['nowhere'] }, 'parentTypes[0]', /no content type "nowhere"/],
    [
      { ...base, fields: [{ key: 'a', type: 'text', minLength: 5, maxLength: 2 }] },
      'fields[0].minLength',
      /greater/,
    ],
    [
      { ...base, fields: [{ key: 'a', type: 'number', min: 0.5 }] },
      'fields[0].min',
      /whole number/,
    ],
    [{ ...base, fields: [{ key: 'a', type: 'text', default: 7 }] }, 'fields[0].default', /string/],
    [
      { ...base, fields: [{ key: 'a', type: 'rich_text', unique: true }] },
      'fields[0].unique',
      /not a known property/,
    ],
    [
      { ...base, fields: [{ key: 'a', type: 'rich_text', filterable: true }] },
      'fields[0].filterable',
      /cannot be filtered/,
    ],
    [
      {
        ...base,
        fields: [
          { key: 'a', type: 'choice', multiple: true, sortable: true, choices: [{ value: 'x' }] },
        ],
      },
      'fields[0].sortable',
      /multiple/,
    ],
    [
      { ...base, fields: [{ key: 'a', type: 'snippet_link', snippetType: 'post', maxItems: 2 }] },
      'fields[0].snippetType',
      /page type/,
    ],
    [
      { ...base, fields: [{ key: 'a', type: 'text', renamedFrom: 'a' }] },
      'fields[0].renamedFrom',
      /own key/,
    ],
    [
      {
        ...base,
        fields: [
          { key: 'a', type: 'text' },
          { key: 'b', type: 'text', renamedFrom: 'a' },
        ],
      },
      'fields[1].renamedFrom',
      /still the key/,
    ],
    [
      {
        ...base,
        fields: [
          {
            key: 's',
            type: 'stream',
            blocks: [
              { key: 'x', type: 'text' },
              { key: 'x', type: 'long_text' },
            ],
          },
        ],
      },
      'fields[0].blocks[1].key',
      /also the key/,
    ],
    [
      {
        ...base,
        fields: [{ key: 's', type: 'stream', blocks: [{ key: 'x', type: 'text', unique: true }] }],
      },
      'fields[0].blocks.x.unique',
      /top-level/,
    ],
    [{ ...base, preview: { url: 'javascript:alert(1)' } }, 'preview.url', /http/],
    [{ ...base, extra: true }, 'extra', /not a known property/],
    [{ ...base, fields: [{ type: 'text' }] }, 'fields[0].key', /required/],
    [[], '', /must be object/],
    [null, '', /must be object/],
  ])('refuses %j at %s', (definition, path, message) => {
    expect(errorsOf(definition)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('checks references against the known types and their kinds', () => {
    const known = new Map<string, 'page' | 'snippet'>([
      ['author', 'snippet'],
      ['home', 'page'],
    ]);
    const definition = {
      ...base,
      parentTypes: ['home'],
      childTypes: ['author'],
      fields: [{ key: 'by', type: 'snippet_link', snippetType: 'author' }],
    };
    expect(errorsOf(definition, known)).toEqual([
      { path: 'childTypes[0]', message: '"author" is a snippet type, not a page type' },
    ]);
  });

  it('refuses JSON nested absurdly deep before trying the schema', () => {
    let value: unknown = 'x';
    for (let level = 0; level < 200; level++) value = [value];
    expect(errorsOf({ ...base, description: value })[0].message).toMatch(/deeper than 64/);
  });
});

describe('patternProblem', () => {
  it.each([['^[a-z]+$'], ['[A-Z]{3}-\\d+'], ['(ab)+'], ['(a|b)?c'], ['[(a+)+]']])(
    'accepts %s',
    (pattern) => {
      expect(patternProblem(pattern)).toBeUndefined();
    },
  );

  it.each([
    ['(a+)+', /repeat/],
    ['(a*)*b', /repeat/],
    ['(\\w+\\s?)*$', /repeat/],
    ['((ab)*c)+', /repeat/],
    ['(a{2,})+', /repeat/],
    ['(a)\\1', /backreferences/],
    ['([a-z', /not a valid regular expression/],
    ['a'.repeat(501), /500/],
  ])('refuses %s', (pattern, message) => {
    expect(patternProblem(pattern)).toMatch(message);
  });
});

describe('validateSchemaFile', () => {
  it('resolves references between the types of the file and refuses duplicate keys', () => {
    const page = { ...base, key: 'home', childTypes: ['post'] };
    const post = { ...base, parentTypes: ['home'] };
    expect(validateSchemaFile({ contentTypes: [page, post] }).errors).toEqual([]);
    expect(validateSchemaFile({ contentTypes: [page, post, post] }).errors).toContainEqual({
      path: 'contentTypes[2].key',
      message: '"post" is also the key of contentTypes[1]',
    });
    expect(validateSchemaFile({ contentTypes: [post] }).errors).toEqual([
      { path: 'contentTypes[0].parentTypes[0]', message: 'there is no content type "home"' },
    ]);
  });
});
