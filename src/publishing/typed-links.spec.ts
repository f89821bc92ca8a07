import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { typedLinks } from '#src/publishing/typed-links.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

const definition: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  fields: [
    { key: 'related', type: 'page_link', pageTypes: ['post'] },
    { key: 'authors', type: 'snippet_link', snippetType: 'author', multiple: true },
    {
      key: 'body',
      type: 'stream',
      blocks: [
        { key: 'heading', type: 'text' },
        {
          key: 'card',
          type: 'struct',
          fields: [
            { key: 'link', type: 'page_link' },
            { key: 'tags', type: 'snippet_link', snippetType: 'tag' },
          ],
        },
        {
          key: 'people',
          type: 'list',
          item: { key: 'item', type: 'snippet_link', snippetType: 'author' },
        },
      ],
    },
  ],
};

describe('typedLinks', () => {
  it('finds page and snippet links at every depth, with the types each field allows', () => {
    const links = typedLinks(definition, {
      related: { id: A },
      authors: [{ id: B }, { id: C }],
      body: [
        { type: 'heading', id: 'h', value: 'Hello' },
        { type: 'card', id: 'c', value: { link: { id: C }, tags: { id: A } } },
        { type: 'people', id: 'p', value: [{ id: B }] },
      ],
    });
    expect(links).toEqual([
      { path: 'content.related', kind: 'page', id: A, allowedTypes: ['post'] },
      { path: 'content.authors[0]', kind: 'snippet', id: B, allowedTypes: ['author'] },
      { path: 'content.authors[1]', kind: 'snippet', id: C, allowedTypes: ['author'] },
      { path: 'content.body[1].value.link', kind: 'page', id: C, allowedTypes: undefined },
      { path: 'content.body[1].value.tags', kind: 'snippet', id: A, allowedTypes: ['tag'] },
      { path: 'content.body[2].value[0]', kind: 'snippet', id: B, allowedTypes: ['author'] },
    ]);
  });

  it('skips values of the wrong shape (validation reports them) and unknown block types', () => {
    expect(
      typedLinks(definition, {
        related: 'nope',
        authors: { id: 'not-a-uuid' },
        body: [{ type: 'gone', id: 'g', value: { id: A } }, null, 'x'],
      }),
    ).toEqual([]);
  });
});
