import { describe, expect, it } from '@jest/globals';
import {
  MAX_INDEXED_CHARACTERS,
  searchQuerySql,
  searchVectorSql,
  textsByWeight,
} from '#src/search/search-vector-sql.js';

describe('textsByWeight', () => {
  it('joins the texts of each weight, highest weight first, and drops empty ones', () => {
    expect(
      textsByWeight([
        { text: 'body one', weight: 'C' },
        { text: 'Title', weight: 'A' },
        { text: '   ', weight: 'B' },
        { text: 'body two', weight: 'C' },
      ]),
    ).toEqual([
      ['A', 'Title'],
      ['C', 'body one\nbody two'],
    ]);
  });

  it('counts an unknown weight as the lowest instead of failing', () => {
    expect(textsByWeight([{ text: 'x', weight: 'Z' as 'A' }])).toEqual([['D', 'x']]);
  });

  it('cuts the indexed text so PostgreSQL never refuses a huge page', () => {
    const huge = 'word '.repeat(MAX_INDEXED_CHARACTERS);
    const groups = textsByWeight([
      { text: huge, weight: 'A' },
      { text: 'more', weight: 'B' },
    ]);
    expect(groups.reduce((sum, [, text]) => sum + text.length, 0)).toBeLessThanOrEqual(
      MAX_INDEXED_CHARACTERS,
    );
  });
});

describe('searchVectorSql', () => {
  it('passes the language, texts and weights as parameters, never in the SQL', () => {
    const hostile = "'); DROP TABLE pages; --";
    const fragment = searchVectorSql('english', [{ text: hostile, weight: 'A' }], 2);
    expect(fragment.sql).toBe('setweight(to_tsvector($2::regconfig, $3::text), $4::"char")');
    expect(fragment.values).toEqual(['english', hostile, 'A']);
    expect(fragment.sql).not.toContain('DROP');
  });

  it('concatenates one weighted vector per weight', () => {
    const fragment = searchVectorSql(
      'simple',
      [
        { text: 'a', weight: 'A' },
        { text: 'b', weight: 'B' },
      ],
      1,
    );
    expect(fragment.sql).toBe(
      'setweight(to_tsvector($1::regconfig, $2::text), $3::"char") || setweight(to_tsvector($1::regconfig, $4::text), $5::"char")',
    );
    expect(fragment.values).toEqual(['simple', 'a', 'A', 'b', 'B']);
  });

  it('gives an empty vector when there is nothing to index', () => {
    expect(searchVectorSql('english', [], 1)).toEqual({ sql: "''::tsvector", values: [] });
  });
});

describe('searchQuerySql', () => {
  it('reads the search box with websearch_to_tsquery in the configured language', () => {
    expect(searchQuerySql(3, 4)).toBe('websearch_to_tsquery($3::regconfig, $4::text)');
  });
});
