import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { validateContent } from '#src/content-types/content-validation.js';
import { initialContent } from '#src/content-types/initial-content.js';

const IMAGE = '6f1c1e0a-8f2e-4a57-9a53-4b1b8f6f0a01';
const AUTHOR = '0b8f3c3e-1d2a-4c5b-8e7f-9a0b1c2d3e4f';
const BLOCK = 'a3f1c2d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d';

const post: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  fields: [
    { key: 'intro', type: 'text', required: true, minLength: 3, maxLength: 20 },
    { key: 'code', type: 'text', pattern: '[A-Z]{3}-\\d+' },
    { key: 'notes', type: 'long_text' },
    { key: 'count', type: 'number', min: 0, max: 10 },
    { key: 'price', type: 'number', numberType: 'decimal' },
    { key: 'draft', type: 'boolean' },
    { key: 'date', type: 'date', required: true },
    { key: 'at', type: 'datetime' },
    { key: 'colour', type: 'choice', choices: [{ value: 'red' }, { value: 'blue' }] },
    { key: 'tags', type: 'choice', multiple: true, choices: [{ value: 'a' }, { value: 'b' }] },
    { key: 'slug', type: 'slug' },
    { key: 'site', type: 'url' },
    { key: 'mail', type: 'email' },
    { key: 'hero', type: 'image' },
    { key: 'file', type: 'document' },
    { key: 'related', type: 'page_link' },
    { key: 'author', type: 'snippet_link', snippetType: 'author' },
    { key: 'cats', type: 'snippet_link', snippetType: 'cat', multiple: true, maxItems: 2 },
    {
      key: 'body',
      type: 'stream',
      maxItems: 5,
      blocks: [
        { key: 'heading', type: 'text', required: true },
        { key: 'paragraph', type: 'rich_text' },
        {
          key: 'figure',
          type: 'struct',
          fields: [
            { key: 'image', type: 'image', required: true },
            { key: 'caption', type: 'text', maxLength: 10 },
          ],
        },
        {
          key: 'gallery',
          type: 'list',
          maxItems: 2,
          item: { key: 'item', type: 'image' },
        },
        {
          key: 'columns',
          type: 'stream',
          blocks: [{ key: 'cell', type: 'struct', fields: [{ key: 'text', type: 'text' }] }],
        },
      ],
    },
  ],
};

const valid = {
  intro: 'Hello',
  code: 'ABC-12',
  count: 3,
  price: 9.5,
  draft: false,
  date: '2024-02-29',
  at: '2026-05-01T09:30:00+02:00',
  colour: 'red',
  tags: ['a', 'b'],
  slug: 'hello-world',
  site: 'https://example.com/a?b=c',
  mail: 'ada@example.com',
  hero: { id: IMAGE },
  author: { id: AUTHOR.toUpperCase() },
  cats: [{ id: AUTHOR }],
  body: [
    { type: 'heading', id: BLOCK, value: 'Title' },
    { type: 'figure', value: { image: { id: IMAGE }, caption: 'Nice' } },
    { type: 'gallery', value: [{ id: IMAGE }] },
    { type: 'columns', value: [{ type: 'cell', value: { text: 'deep' } }] },
  ],
};

describe('validateContent', () => {
  it('accepts content of every field type and returns it as stored', () => {
    const { content, errors } = validateContent(post, valid, { mode: 'publish' });
    expect(errors).toEqual([]);
    expect(content.at).toBe('2026-05-01T07:30:00.000Z');
    expect(content.author).toEqual({ id: AUTHOR });
    const body = content.body as Array<{ id: string; value: unknown }>;
    expect(body[0].id).toBe(BLOCK);
    expect(body[1].id).toMatch(/^[0-9a-f-]{36}$/);
    expect((body[3].value as Array<{ id: string }>)[0].id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets drafts leave required fields empty but not publishing', () => {
    expect(validateContent(post, {}, { mode: 'draft' }).errors).toEqual([]);
    expect(validateContent(post, {}, { mode: 'publish' }).errors).toEqual([
      { path: 'content.intro', message: 'is required to publish' },
      { path: 'content.date', message: 'is required to publish' },
    ]);
    const emptyBlock = { ...valid, body: [{ type: 'heading', value: '' }] };
    expect(validateContent(post, emptyBlock, { mode: 'draft' }).errors).toEqual([]);
    expect(validateContent(post, emptyBlock, { mode: 'publish' }).errors).toEqual([
      { path: 'content.body[0].value', message: 'is required to publish' },
    ]);
  });

  it.each([
    ['intro', 42, 'content.intro', /string/],
    ['intro', 'x'.repeat(21), 'content.intro', /at most 20/],
    ['intro', 'ab', 'content.intro', /at least 3/],
    ['intro', 'two\nlines', 'content.intro', /one line/],
    ['intro', 'nul\u0000', 'content.intro', /NUL/],
    ['intro', 'lone \ud800', 'content.intro', /Unicode/],
    ['code', 'abc-12', 'content.code', /pattern/],
    ['notes', 'x'.repeat(100_001), 'content.notes', /at most 100000/],
    ['count', 1.5, 'content.count', /whole/],
    ['count', 11, 'content.count', /at most 10/],
    ['count', '3', 'content.count', /number/],
    ['price', Number.NaN, 'content.price', /number/],
    ['draft', 'yes', 'content.draft', /true or false/],
    ['date', '2023-02-29', 'content.date', /YYYY-MM-DD/],
    ['date', '2024-13-01', 'content.date', /YYYY-MM-DD/],
    ['at', '2026-05-01T09:30:00', 'content.at', /time zone/],
    ['at', '2026-05-01T25:30:00Z', 'content.at', /time zone/],
    ['colour', 'green', 'content.colour', /one of red, blue/],
    ['tags', ['a', 'a'], 'content.tags[1]', /twice/],
    ['tags', 'a', 'content.tags', /array/],
    ['slug', 'Hello World', 'content.slug', /slug/],
    ['site', 'javascript:alert(1)', 'content.site', /http/],
    ['site', 'ftp://example.com', 'content.site', /http/],
    ['mail', 'not-an-email', 'content.mail', /email/],
    ['hero', 'abc', 'content.hero', /id/],
    ['hero', { id: 'nope' }, 'content.hero.id', /uuid/],
    ['hero', { id: IMAGE, url: 'x' }, 'content.hero.url', /not allowed/],
    ['cats', [{ id: AUTHOR }, { id: IMAGE }, { id: BLOCK }], 'content.cats', /at most 2/],
    ['cats', [{ id: AUTHOR }, { id: AUTHOR }], 'content.cats[1]', /twice/],
    ['body', { type: 'heading' }, 'content.body', /array of blocks/],
    ['body', [{ type: 'video', value: 'x' }], 'content.body[0].type', /heading, paragraph/],
    ['body', [{ type: 'heading', id: 'x', value: 'a' }], 'content.body[0].id', /uuid/],
    ['body', [{ type: 'heading', value: 'a', extra: 1 }], 'content.body[0].extra', /not allowed/],
    [
      'body',
      [{ type: 'figure', value: { image: { id: IMAGE }, caption: 'far too long' } }],
      'content.body[0].value.caption',
      /at most 10/,
    ],
    [
      'body',
      [{ type: 'figure', value: { image: { id: IMAGE }, credit: 'x' } }],
      'content.body[0].value.credit',
      /not a field/,
    ],
    [
      'body',
      [{ type: 'gallery', value: [{ id: IMAGE }, { id: IMAGE }, { id: IMAGE }] }],
      'content.body[0].value',
      /at most 2/,
    ],
    [
      'body',
      [{ type: 'columns', value: [{ type: 'cell', value: { text: 7 } }] }],
      'content.body[0].value[0].value.text',
      /string/,
    ],
    [
      'body',
      [
        { type: 'heading', id: BLOCK, value: 'a' },
        { type: 'heading', id: BLOCK, value: 'b' },
      ],
      'content.body[1].id',
      /earlier block/,
    ],
    [
      'body',
      Array.from({ length: 6 }, () => ({ type: 'heading', value: 'a' })),
      'content.body',
      /at most 5/,
    ],
  ])('refuses %s = %j at %s', (key, value, path, message) => {
    const { errors } = validateContent(post, { ...valid, [key]: value }, { mode: 'draft' });
    expect(errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses unknown keys and content that is not an object', () => {
    expect(validateContent(post, { ...valid, nope: 1 }, { mode: 'draft' }).errors).toEqual([
      { path: 'content.nope', message: 'is not a field here' },
    ]);
    expect(validateContent(post, [1], { mode: 'draft' }).errors).toEqual([
      { path: 'content', message: 'must be an object of field values' },
    ]);
    expect(
      validateContent(post, { ['bad key'.repeat(30)]: 1 }, { mode: 'draft' }).errors[0].path,
    ).toMatch(/^content\."bad key/);
  });

  it('stops at 100 errors', () => {
    const body = Array.from({ length: 500 }, () => ({ type: 'nope' }));
    const many = {
      fields: [{ key: 'body', type: 'stream', blocks: [{ key: 'a', type: 'text' }] }],
    };
    const { errors } = validateContent(
      { ...post, ...many } as ContentTypeDefinition,
      { body },
      { mode: 'draft' },
    );
    expect(errors).toHaveLength(100);
  });

  it('builds the initial content of a type from its defaults', () => {
    const definition: ContentTypeDefinition = {
      key: 'd',
      label: 'D',
      kind: 'snippet',
      fields: [
        { key: 'n', type: 'number', default: 10 },
        {
          key: 's',
          type: 'stream',
          blocks: [{ key: 'h', type: 'text' }],
          default: [{ type: 'h', value: 'x' }],
        },
        { key: 'none', type: 'text' },
      ],
    };
    const content = initialContent(definition);
    expect(content).toEqual({ n: 10, s: [{ type: 'h', id: expect.any(String), value: 'x' }] });
  });
});
