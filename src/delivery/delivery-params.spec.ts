import { describe, expect, it } from '@jest/globals';
import {
  type DeliveryContentType,
  parseFilter,
  parseListingParameters,
} from '#src/delivery/delivery-params.js';
import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';

const post: DeliveryContentType = {
  key: 'post',
  kind: 'page',
  definition: {
    key: 'post',
    label: 'Post',
    kind: 'page',
    fields: [
      { key: 'date', type: 'date', filterable: true, sortable: true },
      { key: 'count', type: 'number', filterable: true },
      { key: 'price', type: 'number', numberType: 'decimal', filterable: true },
      { key: 'flag', type: 'boolean', filterable: true },
      { key: 'at', type: 'datetime', filterable: true },
      { key: 'summary', type: 'text', filterable: true },
      {
        key: 'tags',
        type: 'choice',
        multiple: true,
        filterable: true,
        choices: [{ value: 'a' }, { value: 'b' }],
      },
      { key: 'author', type: 'snippet_link', snippetType: 'author', filterable: true },
      { key: 'body', type: 'rich_text', filterable: true },
      { key: 'secret', type: 'text' },
    ],
  },
};
const lookup = (key: string) => (key === 'post' ? post : undefined);
const listing = (query: Record<string, string | string[]>) =>
  parseListingParameters('page', query, lookup, { maxLimit: 100 });

function failure(run: () => unknown): DeliveryParameterError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeliveryParameterError) return error;
    throw error;
  }
  throw new Error('expected a DeliveryParameterError');
}

describe('parseListingParameters', () => {
  it('has Wagtail’s defaults: tree order, 20 items, no offset', () => {
    expect(listing({})).toMatchObject({
      order: { kind: 'path' },
      limit: 20,
      offset: 0,
      filters: [],
    });
  });

  it('ranks by search score unless an order is given', () => {
    expect(listing({ search: 'x' }).order).toEqual({ kind: 'score' });
    expect(listing({ search: 'x', order: '-title' }).order).toEqual({
      kind: 'title',
      descending: true,
    });
  });

  it('orders by a sortable field only with its type', () => {
    expect(listing({ type: 'post', order: '-date' }).order).toEqual({
      kind: 'field',
      key: 'date',
      descending: true,
    });
    expect(failure(() => listing({ order: 'date' })).parameter).toBe('order');
    expect(failure(() => listing({ type: 'post', order: 'summary' })).detail).toContain(
      'not sortable',
    );
  });

  it('names the parameter of every refusal', () => {
    expect(failure(() => listing({ type: 'nope' })).parameter).toBe('type');
    expect(failure(() => listing({ secret: 'x' })).parameter).toBe('secret');
    expect(failure(() => listing({ type: 'post', secret: 'x' })).detail).toContain(
      'not filterable',
    );
    expect(failure(() => listing({ limit: ['1', '2'] })).parameter).toBe('limit');
    expect(failure(() => listing({ limit: '1e3' })).parameter).toBe('limit');
    expect(failure(() => listing({ child_of: 'x' })).parameter).toBe('child_of');
  });
});

describe('parseFilter', () => {
  it.each([
    ['date', '2026-01-01', { op: 'text_equals', key: 'date', value: '2026-01-01' }],
    ['date__in', '2026-01-01,2026-01-02', { op: 'text_in', values: ['2026-01-01', '2026-01-02'] }],
    ['count', '3', { op: 'json_equals', value: '3' }],
    ['price__in', '1.5,2', { op: 'json_in', values: ['1.5', '2'] }],
    ['flag', 'true', { op: 'json_equals', value: 'true' }],
    [
      'at',
      '2026-01-01T10:00:00+02:00',
      { op: 'timestamp_equals', value: '2026-01-01T08:00:00.000Z' },
    ],
    ['summary__contains', 'Hi', { op: 'text_contains', value: 'Hi' }],
    ['tags', 'a', { op: 'array_has', value: 'a' }],
    ['tags__contains', 'b', { op: 'array_has', value: 'b' }],
    ['tags__in', 'a,b', { op: 'array_has_any', values: ['a', 'b'] }],
    [
      'author',
      '7C1D8A3B-5E2F-4B6A-9C0D-1E2F3A4B5C6D',
      { op: 'link_equals', value: '7c1d8a3b-5e2f-4b6a-9c0d-1e2f3a4b5c6d' },
    ],
  ])('%s=%s filters as %j', (parameter, value, expected) => {
    expect(parseFilter(post, parameter, value)).toMatchObject(expected);
  });

  it.each([
    ['count', '1.5'],
    ['count', '1e3'],
    ['price', 'abc'],
    ['flag', 'yes'],
    ['date', '2026-13-01'],
    ['at', 'tomorrow'],
    ['tags', 'c'],
    ['author', 'x'],
    ['count__contains', '1'],
    ['body', 'x'],
    ['nope', 'x'],
  ])('refuses %s=%s naming the parameter', (parameter, value) => {
    expect(failure(() => parseFilter(post, parameter, value)).parameter).toBe(parameter);
  });
});
