import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { diffContent } from '#src/content-types/content-diff.js';
import { extractReferences } from '#src/content-types/content-references.js';
import { searchableText } from '#src/content-types/content-search-text.js';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const post: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  searchFields: ['intro', { key: 'body', weight: 'B' }, { key: 'tags', weight: 'D' }],
  fields: [
    { key: 'intro', label: 'Introduction', type: 'long_text' },
    { key: 'hero', type: 'image' },
    { key: 'author', type: 'snippet_link', snippetType: 'author' },
    { key: 'cats', type: 'snippet_link', snippetType: 'cat', multiple: true },
    { key: 'tags', type: 'choice', multiple: true, choices: [{ value: 'news', label: 'News' }] },
    {
      key: 'body',
      type: 'stream',
      blocks: [
        { key: 'heading', type: 'text' },
        { key: 'paragraph', type: 'rich_text' },
        {
          key: 'figure',
          type: 'struct',
          fields: [
            { key: 'image', type: 'image' },
            { key: 'caption', type: 'text' },
            { key: 'link', type: 'page_link' },
          ],
        },
        { key: 'gallery', type: 'list', item: { key: 'item', type: 'image' } },
      ],
    },
  ],
};

const richParagraph = {
  type: 'doc',
  content: [
    {
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Read ' },
        {
          type: 'text',
          text: 'this',
          marks: [{ type: 'link', attrs: { href: `document:${ID(9)}` } }],
        },
      ],
    },
  ],
};

const content = {
  intro: 'An intro',
  hero: { id: ID(1) },
  author: { id: ID(2) },
  cats: [{ id: ID(3) }, { id: ID(4) }],
  tags: ['news'],
  body: [
    { type: 'heading', id: ID(100), value: 'Heading' },
    { type: 'paragraph', id: ID(101), value: richParagraph },
    {
      type: 'figure',
      id: ID(102),
      value: { image: { id: ID(5) }, caption: 'Cap', link: { id: ID(6) } },
    },
    { type: 'gallery', id: ID(103), value: [{ id: ID(7) }, { id: ID(8) }] },
  ],
};

describe('extractReferences', () => {
  it('finds every link, however deep, with its path', () => {
    expect(extractReferences(post, content)).toEqual([
      { targetType: 'image', targetId: ID(1), fieldPath: 'hero' },
      { targetType: 'snippet', targetId: ID(2), fieldPath: 'author' },
      { targetType: 'snippet', targetId: ID(3), fieldPath: 'cats[0]' },
      { targetType: 'snippet', targetId: ID(4), fieldPath: 'cats[1]' },
      { targetType: 'document', targetId: ID(9), fieldPath: 'body[1].value.content[0].content[1]' },
      { targetType: 'image', targetId: ID(5), fieldPath: 'body[2].value.image' },
      { targetType: 'page', targetId: ID(6), fieldPath: 'body[2].value.link' },
      { targetType: 'image', targetId: ID(7), fieldPath: 'body[3].value[0]' },
      { targetType: 'image', targetId: ID(8), fieldPath: 'body[3].value[1]' },
    ]);
  });

  it('skips stored values of the wrong shape instead of failing', () => {
    expect(
      extractReferences(post, { hero: 'x', body: [null, { type: 'figure', value: 3 }] }),
    ).toEqual([]);
  });
});

describe('searchableText', () => {
  it('returns the search fields with their weights, rich text and streams flattened', () => {
    expect(searchableText(post, content)).toEqual([
      { text: 'An intro', weight: 'C' },
      { text: 'Heading\nRead this\nCap', weight: 'B' },
      { text: 'News news', weight: 'D' },
    ]);
    expect(searchableText(post, {})).toEqual([]);
  });
});

describe('diffContent', () => {
  it('compares plain fields and reports additions and removals', () => {
    const changes = diffContent(
      post,
      { intro: 'a', hero: { id: ID(1) } },
      { intro: 'b', author: { id: ID(2) } },
    );
    expect(changes).toEqual([
      {
        path: 'intro',
        key: 'intro',
        label: 'Introduction',
        type: 'long_text',
        change: 'changed',
        before: 'a',
        after: 'b',
      },
      {
        path: 'hero',
        key: 'hero',
        label: 'hero',
        type: 'image',
        change: 'removed',
        before: { id: ID(1) },
      },
      {
        path: 'author',
        key: 'author',
        label: 'author',
        type: 'snippet_link',
        change: 'added',
        after: { id: ID(2) },
      },
    ]);
    expect(diffContent(post, content, structuredClone(content))).toEqual([]);
  });

  it('compares streams block by block, matched by id: added, removed, changed and moved', () => {
    const [heading, paragraph, figure, gallery] = content.body;
    const after = {
      ...content,
      body: [
        paragraph,
        { type: 'heading', id: ID(200), value: 'New' },
        heading,
        {
          ...figure,
          value: { ...(figure.value as Record<string, unknown>), caption: 'New caption' },
        },
      ],
    };
    const [change] = diffContent(post, content, after);
    expect(change).toMatchObject({ path: 'body', change: 'changed' });
    expect(change.blocks).toEqual([
      { id: ID(103), type: 'gallery', change: 'removed', fromIndex: 3, before: gallery.value },
      { id: ID(200), type: 'heading', change: 'added', toIndex: 1, after: 'New' },
      { id: ID(100), type: 'heading', change: 'moved', fromIndex: 0, toIndex: 2 },
      {
        id: ID(102),
        type: 'figure',
        change: 'changed',
        fromIndex: 2,
        toIndex: 3,
        fields: [
          {
            path: 'body[3].value.caption',
            key: 'caption',
            label: 'caption',
            type: 'text',
            change: 'changed',
            before: 'Cap',
            after: 'New caption',
          },
        ],
      },
    ]);
  });

  it('does not call every later block moved when one is inserted', () => {
    const after = { body: [{ type: 'heading', id: ID(300), value: 'First' }, ...content.body] };
    const [change] = diffContent(post, { body: content.body }, after);
    expect(change.blocks?.map((block) => block.change)).toEqual(['added']);
  });

  it('reports values of fields the definition no longer has', () => {
    expect(diffContent(post, { old: 1 }, {})).toEqual([
      { path: 'old', key: 'old', label: 'old', type: 'unknown', change: 'removed', before: 1 },
    ]);
  });
});
