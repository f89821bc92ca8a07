import { describe, expect, it } from '@jest/globals';
import {
  buildDeliveryQuery,
  type DeliveryQuerySpec,
  pageDetailQuery,
} from '#src/delivery/delivery-sql.js';

const hostile = "x'); DROP TABLE pages; --";
const base: DeliveryQuerySpec = {
  kind: 'page',
  filters: [],
  order: { kind: 'path' },
  limit: 20,
  offset: 0,
  draft: { kind: 'none' },
  withContent: true,
  withLinkedContent: false,
};

describe('buildDeliveryQuery', () => {
  it('passes every value from a request as a parameter', () => {
    const query = buildDeliveryQuery({
      ...base,
      type: hostile,
      locale: hostile,
      siteRootPageId: '6b1f3c2e-0d4a-4c51-9a7e-2f9d8c7b6a50',
      search: { language: 'english', text: hostile },
      filters: [
        { op: 'text_contains', key: hostile, value: hostile },
        { op: 'array_has_any', key: 'tags', values: [hostile] },
      ],
      order: { kind: 'field', key: hostile, descending: true },
      draft: { kind: 'page', pageId: hostile },
    });
    expect(query.text).not.toContain('DROP');
    expect(query.values).toContain(hostile);
    expect(query.values).toEqual(
      expect.arrayContaining(['6b1f3c2e-0d4a-4c51-9a7e-2f9d8c7b6a50', 20, 0]),
    );
  });

  it('reads live rows only, unless drafts may be seen', () => {
    expect(buildDeliveryQuery(base).text).toMatch(/WHERE p\.live\b/);
    const drafts = buildDeliveryQuery({ ...base, draft: { kind: 'all' } }).text;
    expect(drafts).toContain('(p.live OR p.draft)');
    expect(drafts).toContain('LEFT JOIN revisions r ON r.id = o.latest_revision_id');
  });

  it('selects content and linked objects only when fields need them', () => {
    const bare = buildDeliveryQuery({ ...base, withContent: false }).text;
    expect(bare).not.toMatch(/p\.content(?!_type_key)/);
    expect(bare).not.toContain('linked');
    expect(buildDeliveryQuery(base).text).toContain('AS linked');
  });

  it('takes linked ids from the reference index: the live rows, or the draft rows of items shown as drafts', () => {
    const live = buildDeliveryQuery(base).text;
    expect(live).toContain('JOIN content_references r');
    expect(live).toMatch(/AND r\.live\n/);
    expect(live).not.toContain('jsonb_path_query');
    const preview = buildDeliveryQuery({ ...base, draft: { kind: 'page', pageId: 'x' } }).text;
    expect(preview).toContain('r.live <> items.draft');
  });

  it('counts listings apart from their items, and details not at all', () => {
    expect(buildDeliveryQuery(base).text).toContain(') AS total_count');
    expect(buildDeliveryQuery(base).text).not.toContain('OVER ()');
    expect(buildDeliveryQuery({ ...base, id: 'x', limit: 1 }).text).not.toContain('total_count');
  });

  it('gives the benchmark the very statement of a page detail', () => {
    const query = pageDetailQuery(
      '3f0c1c9e-8a52-4d1e-9d0e-6a4e8f1f2b10',
      '6b1f3c2e-0d4a-4c51-9a7e-2f9d8c7b6a50',
    );
    expect(query.values).toEqual([
      '3f0c1c9e-8a52-4d1e-9d0e-6a4e8f1f2b10',
      '6b1f3c2e-0d4a-4c51-9a7e-2f9d8c7b6a50',
      1,
      0,
    ]);
    expect(query.text).toBe(
      buildDeliveryQuery({
        ...base,
        id: '3f0c1c9e-8a52-4d1e-9d0e-6a4e8f1f2b10',
        siteRootPageId: '6b1f3c2e-0d4a-4c51-9a7e-2f9d8c7b6a50',
        limit: 1,
      }).text,
    );
  });
});
