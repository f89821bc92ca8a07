/**
 * SQL fragments for PostgreSQL full-text search, built as text with numbered parameters so
 * every value travels as a parameter: the language (a regconfig), the texts and the weights.
 * Nothing from content or a request is ever pasted into the SQL.
 */

export type SearchWeight = 'A' | 'B' | 'C' | 'D';

export interface SearchTextPart {
  text: string;
  weight: SearchWeight;
}

const WEIGHTS: readonly SearchWeight[] = ['A', 'B', 'C', 'D'];

/** PostgreSQL refuses a tsvector larger than 1 MB; texts are cut well below that. */
export const MAX_INDEXED_CHARACTERS = 500_000;

export interface SqlFragment {
  sql: string;
  values: unknown[];
}

/**
 * Joins the parts of each weight (A first) and cuts the whole to MAX_INDEXED_CHARACTERS.
 * Parts with an unknown weight count as D (the lowest), never as an error: the weight comes
 * from a content type that was validated already.
 */
export function textsByWeight(parts: readonly SearchTextPart[]): Array<[SearchWeight, string]> {
  const grouped = new Map<SearchWeight, string[]>();
  for (const part of parts) {
    const text = typeof part.text === 'string' ? part.text.trim() : '';
    if (!text) continue;
    const weight = WEIGHTS.includes(part.weight) ? part.weight : 'D';
    grouped.set(weight, [...(grouped.get(weight) ?? []), text]);
  }
  let budget = MAX_INDEXED_CHARACTERS;
  const result: Array<[SearchWeight, string]> = [];
  for (const weight of WEIGHTS) {
    const texts = grouped.get(weight);
    if (!texts || budget <= 0) continue;
    const joined = texts.join('\n').slice(0, budget);
    budget -= joined.length;
    result.push([weight, joined]);
  }
  return result;
}

/**
 * `setweight(to_tsvector($lang::regconfig, $text), $weight) || …` for `parts`, with
 * parameters numbered from `firstParameter` (the language is the first of them).
 */
export function searchVectorSql(
  language: string,
  parts: readonly SearchTextPart[],
  firstParameter: number,
): SqlFragment {
  const groups = textsByWeight(parts);
  if (groups.length === 0) return { sql: "''::tsvector", values: [] };
  const values: unknown[] = [language];
  const languageRef = `$${firstParameter}::regconfig`;
  const terms = groups.map(([weight, text]) => {
    values.push(text, weight);
    const textRef = `$${firstParameter + values.length - 2}`;
    const weightRef = `$${firstParameter + values.length - 1}`;
    return `setweight(to_tsvector(${languageRef}, ${textRef}::text), ${weightRef}::"char")`;
  });
  return { sql: terms.join(' || '), values };
}

/** The parsed query of a search box (quotes, `or`, `-word`), as `websearch_to_tsquery` reads it. */
export function searchQuerySql(languageParameter: number, queryParameter: number): string {
  return `websearch_to_tsquery($${languageParameter}::regconfig, $${queryParameter}::text)`;
}

/**
 * Ranks a match: `ts_rank_cd` (cover density) weighs where the words stand and how close
 * they are, with the weights of the parts (title A beats body C).
 */
export function searchRankSql(vector: string, query: string): string {
  return `ts_rank_cd(${vector}, ${query})`;
}
