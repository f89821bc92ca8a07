import { describe, expect, it } from '@jest/globals';
import {
  type ContentPath,
  describeContentPath,
  jsonPathOf,
  removeValuesAt,
} from '#src/schema-files/content-paths.js';

const attribution: ContentPath = [{ field: 'body' }, { block: 'quote' }, { field: 'attribution' }];

const content = {
  title: 'x',
  body: [
    { type: 'heading', id: '1', value: 'Hi' },
    { type: 'quote', id: '2', value: { text: 'a', attribution: 'Ada' } },
    { type: 'quote', id: '3', value: { text: 'b' } },
  ],
  links: [{ url: 'u', label: 'l' }],
};

describe('content paths', () => {
  it('names a place as people write it', () => {
    expect(describeContentPath(attribution)).toBe('body.quote.attribution');
    expect(describeContentPath([{ field: 'links' }, { item: true }, { field: 'url' }])).toBe(
      'links[].url',
    );
  });

  it('builds a jsonpath that finds non-null values, and refuses keys that are not keys', () => {
    expect(jsonPathOf([{ field: 'intro' }])).toBe('$."intro" ? (@ != null)');
    expect(jsonPathOf(attribution)).toBe(
      '$."body"[*] ? (@."type" == "quote")."value"."attribution" ? (@ != null)',
    );
    expect(() => jsonPathOf([{ field: 'x") || true || ("' }])).toThrow(/not a field or block key/);
  });

  it('removes a field, a nested field, a block type and list item fields', () => {
    expect(removeValuesAt(content, [{ field: 'title' }])).not.toHaveProperty('title');
    const withoutQuotes = removeValuesAt(content, [{ field: 'body' }, { block: 'quote' }]) as {
      body: unknown[];
    };
    expect(withoutQuotes.body).toEqual([content.body[0]]);
    expect((removeValuesAt(content, attribution) as typeof content).body[1].value).toEqual({
      text: 'a',
    });
    expect(
      removeValuesAt(content, [{ field: 'links' }, { item: true }, { field: 'label' }]),
    ).toMatchObject({ links: [{ url: 'u' }] });
  });

  it('returns the same object when nothing is at the path', () => {
    expect(removeValuesAt(content, [{ field: 'missing' }])).toBe(content);
    expect(removeValuesAt(content, [{ field: 'body' }, { block: 'image' }])).toBe(content);
    expect(removeValuesAt({ body: 'not a stream' }, attribution)).toEqual({ body: 'not a stream' });
  });
});
