import { describe, expect, it } from '@jest/globals';
import { parseFields, selectedNames } from '#src/delivery/delivery-fields.js';
import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';

describe('parseFields', () => {
  it('reads names, *, _, -name and nested selections', () => {
    const selection = parseFields('*,-body,author(name,-title),_');
    expect(selection.all).toBe(true);
    expect(selection.clearDefaults).toBe(true);
    expect([...selection.exclude]).toEqual(['body']);
    const author = selection.include.get('author');
    expect(author && [...author.include.keys()]).toEqual(['name']);
    expect(author && [...author.exclude]).toEqual(['title']);
  });

  it.each([
    ['', 'expected a field name'],
    ['title,', 'expected a field name'],
    ['author(name', 'expected ")"'],
    ['title)', 'unexpected ")"'],
    ['Title', 'is not a field name'],
    ['-', 'is not a field name'],
    ['content->>x', 'is not a field name'],
    ['a(b(c(d(e))))', 'nested deeper'],
  ])('refuses %j naming the fields parameter', (text, message) => {
    let error: unknown;
    try {
      parseFields(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeliveryParameterError);
    expect((error as DeliveryParameterError).errors?.[0].path).toBe('fields');
    expect((error as DeliveryParameterError).detail).toContain(message);
  });

  it('refuses an oversized selection', () => {
    expect(() => parseFields('a,'.repeat(2000) + 'a')).toThrow(DeliveryParameterError);
  });
});

describe('selectedNames', () => {
  it('adds to the defaults, expands *, and drops what - names', () => {
    expect(selectedNames(parseFields('date'), ['id', 'meta', 'title'], ['date', 'body'])).toEqual([
      'id',
      'meta',
      'title',
      'date',
    ]);
    expect(selectedNames(parseFields('*,-body,-meta'), ['id', 'meta'], ['date', 'body'])).toEqual([
      'id',
      'date',
    ]);
    expect(selectedNames(parseFields('_,title'), ['id', 'meta', 'title'], [])).toEqual(['title']);
  });
});
