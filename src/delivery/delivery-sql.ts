/**
 * The SQL of the delivery API, built from a validated request. Every value travels as a
 * parameter; the only identifiers in the text are fixed ones chosen here. Content field keys
 * are parameters too (`p.content -> $3`), so a key from a request never becomes SQL.
 *
 * One statement answers a whole request — the items, their total count, their parents and
 * every page and snippet their content links to (from the reference index) — so the number
 * of queries never grows with the number of results. The result is a single row: `items` (a
 * JSON array in the requested order, or null), `total_count` (listings) and `linked`.
 *
 * Shaped for plans that stay good when PostgreSQL caches a generic plan of a named
 * statement (it does after five executions): tree bounds (the site, `child_of`,
 * `descendant_of`) are scalar subqueries on the bounding page's `path`, so they become index
 * conditions on `IDX_pages_path` whatever the values; the items are a `LIMIT` on that index
 * in tree order, stopping after the page of results; and the total is counted by a separate
 * scalar subquery that `IDX_pages_tree_count` answers from the index alone.
 *
 * `pageDetailQuery` and `PAGE_FIND_SQL` are exported for the benchmark, which runs the very
 * same SQL in its raw `pg` baseline.
 */

export type DeliveryKind = 'page' | 'snippet';

/** Which drafts a request may see instead of the live versions. */
export type DraftScope = { kind: 'none' } | { kind: 'all' } | { kind: 'page'; pageId: string };

export type DeliveryOrder =
  | { kind: 'path' }
  | {
      kind: 'title' | 'first_published_at' | 'last_published_at' | 'id';
      descending: boolean;
    }
  | { kind: 'field'; key: string; descending: boolean }
  | { kind: 'random'; seed: string }
  | { kind: 'score' };

/** A filter on a content field, already checked against the field's type. */
export type ContentFilter =
  | { op: 'text_equals' | 'text_contains'; key: string; value: string }
  | { op: 'text_in'; key: string; values: string[] }
  | { op: 'json_equals'; key: string; value: string }
  | { op: 'json_in'; key: string; values: string[] }
  | { op: 'timestamp_equals'; key: string; value: string }
  | { op: 'timestamp_in'; key: string; values: string[] }
  | { op: 'array_has'; key: string; value: string }
  | { op: 'array_has_any'; key: string; values: string[] }
  | { op: 'link_equals'; key: string; value: string }
  | { op: 'link_in'; key: string; values: string[] }
  | { op: 'links_has'; key: string; value: string }
  | { op: 'links_has_any'; key: string; values: string[] }
  | ColumnFilter;

/** A filter on a column every page (or snippet) has, rather than on a content field. */
export type ColumnFilter =
  | { op: 'column_equals' | 'column_contains'; column: 'slug' | 'title'; value: string }
  | { op: 'column_in'; column: 'slug' | 'title'; values: string[] };

export interface DeliveryQuerySpec {
  kind: DeliveryKind;
  /** Detail: this one object. */
  id?: string;
  /** Pages: only the tree of the site whose root page has this id. */
  siteRootPageId?: string;
  /** The content type key (always set for snippets). */
  type?: string;
  /** Any of these content types (GraphQL's search). */
  types?: readonly string[];
  locale?: string;
  childOf?: string;
  descendantOf?: string;
  ancestorOf?: string;
  search?: { language: string; text: string };
  filters: ContentFilter[];
  order: DeliveryOrder;
  limit: number;
  offset: number;
  draft: DraftScope;
  /** Select `content` (for content fields) and resolve what it links to. */
  withContent: boolean;
  /** Also select the content of linked pages and snippets (nested field selections). */
  withLinkedContent: boolean;
  /**
   * With content, also select what the items link to (`linked`); true when absent. GraphQL
   * loads links through its own loaders and turns this off.
   */
  withLinks?: boolean;
  /** Count every match (`total_count`); true when absent. GraphQL skips it unless asked. */
  withCount?: boolean;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

const TABLES: Record<DeliveryKind, string> = { page: 'pages', snippet: 'snippets' };

const TIMESTAMP_TEXT =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})$';

/** UTC, milliseconds, `Z`: the format of every timestamp Finch's APIs send. */
export function isoTimestamp(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * What every served row has, from the rows `p`: the item columns of a listing, and what
 * GraphQL's loaders select of a page or snippet.
 */
export const ITEM_COLUMNS: readonly string[] = [
  'p.id',
  'p.content_type_key AS type',
  'p.title',
  'p.locale',
  `${isoTimestamp('p.first_published_at')} AS first_published_at`,
  `${isoTimestamp('p.last_published_at')} AS last_published_at`,
];

/** The rows `p` a request may see: live ones, and with drafts in scope the drafts too. */
export function visibleSql(draft: DraftScope): string {
  return draft.kind === 'none' ? 'p.live' : '(p.live OR p.draft)';
}

export class Parameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The rows a request reads, as `p`: the table itself, or — when drafts may be seen — the
 * table with title, slug and content taken from the latest revision where `draft` holds.
 */
export function sourceOf(
  kind: DeliveryKind,
  draft: DraftScope,
  draftPage: string | undefined,
): string {
  const table = TABLES[kind];
  if (draft.kind === 'none') return `${table} p`;
  const isDraft = draftPage === undefined ? 'true' : `o.id = ${draftPage}`;
  const pageColumns = kind === 'page' ? 'o.path, o.depth, o.url_path, ' : '';
  const slug =
    kind === 'page'
      ? `, CASE WHEN ${isDraft} THEN coalesce(r.slug, o.slug) ELSE o.slug END AS slug`
      : '';
  return `(SELECT o.id, ${pageColumns}o.locale, o.content_type_key, o.first_published_at,
          o.last_published_at, o.search_vector, o.live, (${isDraft}) AS draft,
          CASE WHEN ${isDraft} THEN coalesce(r.title, o.title) ELSE o.title END AS title,
          CASE WHEN ${isDraft} THEN coalesce(r.content, o.content) ELSE o.content END AS content${slug}
     FROM ${table} o LEFT JOIN revisions r ON r.id = o.latest_revision_id) p`;
}

function filterSql(filter: ContentFilter, params: Parameters): string {
  switch (filter.op) {
    case 'column_equals':
      return `p.${filter.column} = ${params.add(filter.value)}::text`;
    case 'column_contains':
      return `strpos(lower(p.${filter.column}), lower(${params.add(filter.value)}::text)) > 0`;
    case 'column_in':
      return `p.${filter.column} = ANY(${params.add(filter.values)}::text[])`;
    default:
      return contentFilterSql(filter, params);
  }
}

function contentFilterSql(
  filter: Exclude<ContentFilter, ColumnFilter>,
  params: Parameters,
): string {
  const key = `${params.add(filter.key)}::text`;
  const field = `p.content -> ${key}`;
  const text = `p.content ->> ${key}`;
  switch (filter.op) {
    case 'text_equals':
      return `${text} = ${params.add(filter.value)}::text`;
    case 'text_contains':
      return `strpos(lower(${text}), lower(${params.add(filter.value)}::text)) > 0`;
    case 'text_in':
      return `${text} = ANY(${params.add(filter.values)}::text[])`;
    case 'json_equals':
      return `${field} = ${params.add(filter.value)}::jsonb`;
    case 'json_in':
      return `${field} = ANY(${params.add(filter.values)}::jsonb[])`;
    // Stored values were validated, but a field may have changed type since: only text that
    // looks like a date-time is cast, so old values never make the query fail.
    case 'timestamp_equals':
      return `(CASE WHEN ${text} ~ '${TIMESTAMP_TEXT}' THEN (${text})::timestamptz END) = ${params.add(filter.value)}::timestamptz`;
    case 'timestamp_in':
      return `(CASE WHEN ${text} ~ '${TIMESTAMP_TEXT}' THEN (${text})::timestamptz END) = ANY(${params.add(filter.values)}::timestamptz[])`;
    case 'array_has':
      return `${field} @> jsonb_build_array(${params.add(filter.value)}::text)`;
    case 'array_has_any':
      return `${field} ?| ${params.add(filter.values)}::text[]`;
    case 'link_equals':
      return `${field} ->> 'id' = ${params.add(filter.value)}::text`;
    case 'link_in':
      return `${field} ->> 'id' = ANY(${params.add(filter.values)}::text[])`;
    case 'links_has':
      return `${field} @> jsonb_build_array(jsonb_build_object('id', ${params.add(filter.value)}::text))`;
    case 'links_has_any':
      return `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${field}) = 'array' THEN ${field} ELSE '[]'::jsonb END) AS link WHERE link ->> 'id' = ANY(${params.add(filter.values)}::text[]))`;
  }
}

/** ORDER BY on the matched rows (`p`) and again on the selected `items`. */
function orderSql(order: DeliveryOrder, kind: DeliveryKind): { matched: string; items: string } {
  const tieBreak = kind === 'page' ? 'path' : 'id';
  switch (order.kind) {
    case 'path':
      // Snippets have no tree: their detail query asks for `path` and gets the id.
      return { matched: `p.${tieBreak}`, items: `items.${tieBreak}` };
    case 'score':
      return {
        matched: `search_score DESC, p.${tieBreak}`,
        items: `items.search_score DESC, items.${tieBreak}`,
      };
    case 'random':
      return { matched: 'sort_value', items: 'items.sort_value' };
    case 'field': {
      const direction = order.descending ? 'DESC' : 'ASC';
      return {
        matched: `sort_value ${direction} NULLS LAST, p.${tieBreak}`,
        items: `items.sort_value ${direction} NULLS LAST, items.${tieBreak}`,
      };
    }
    default: {
      const direction = order.descending ? 'DESC' : 'ASC';
      const nulls = order.kind === 'id' || order.kind === 'title' ? '' : ' NULLS LAST';
      return {
        matched: `p.${order.kind} ${direction}${nulls}, p.${tieBreak}`,
        items: `items.${order.kind} ${direction}${nulls}, items.${tieBreak}`,
      };
    }
  }
}

/**
 * Pages: the subtree under the page `id` (a parameter) — its descendants, and with `self`
 * the page itself. Paths sort below `~`, so `[path, path || '~')` is the whole subtree.
 * The bounds are scalar subqueries: PostgreSQL runs each once, before the scan, and uses
 * their results as bounds of an index scan on `path`, in generic plans too.
 */
function subtreeConditions(id: string, self: boolean): string[] {
  const page = `FROM pages WHERE id = ${id}::uuid`;
  return [
    `p.path ${self ? '>=' : '>'} (SELECT path ${page})`,
    `p.path < (SELECT path || '~' ${page})`,
  ];
}

/** The statement that answers one delivery request (see the top of this file). */
export function buildDeliveryQuery(spec: DeliveryQuerySpec): SqlQuery {
  const params = new Parameters();
  const { kind } = spec;
  const draftPage =
    spec.draft.kind === 'page' ? `${params.add(spec.draft.pageId)}::uuid` : undefined;
  const source = sourceOf(kind, spec.draft, draftPage);
  const conditions: string[] = [visibleSql(spec.draft)];
  const matchedColumns = ['p.id'];
  // A detail is one row by id: nothing to count.
  const withCount = spec.id === undefined && spec.withCount !== false;

  if (spec.id !== undefined) conditions.push(`p.id = ${params.add(spec.id)}::uuid`);
  if (spec.type !== undefined) {
    conditions.push(`p.content_type_key = ${params.add(spec.type)}::text`);
  }
  if (spec.types !== undefined) {
    conditions.push(`p.content_type_key = ANY(${params.add(spec.types)}::text[])`);
  }
  if (kind === 'page' && spec.siteRootPageId !== undefined) {
    conditions.push(...subtreeConditions(params.add(spec.siteRootPageId), true));
  }
  if (spec.locale !== undefined) conditions.push(`p.locale = ${params.add(spec.locale)}::text`);
  if (kind === 'page') {
    if (spec.childOf !== undefined) {
      const id = params.add(spec.childOf);
      conditions.push(
        ...subtreeConditions(id, false),
        `p.depth = (SELECT depth + 1 FROM pages WHERE id = ${id}::uuid)`,
      );
    }
    if (spec.descendantOf !== undefined) {
      conditions.push(...subtreeConditions(params.add(spec.descendantOf), false));
    }
    if (spec.ancestorOf !== undefined) {
      conditions.push(
        `p.path = ANY(ARRAY(SELECT left(a.path, step * 4) FROM pages a, generate_series(1, a.depth - 1) AS step WHERE a.id = ${params.add(spec.ancestorOf)}::uuid))`,
      );
    }
  }
  if (spec.search) {
    const query = `websearch_to_tsquery(${params.add(spec.search.language)}::regconfig, ${params.add(spec.search.text)}::text)`;
    conditions.push(`p.search_vector @@ ${query}`);
    matchedColumns.push(`ts_rank_cd(p.search_vector, ${query}) AS search_score`);
  }
  for (const filter of spec.filters) conditions.push(filterSql(filter, params));
  if (spec.order.kind === 'field') {
    matchedColumns.push(`p.content -> ${params.add(spec.order.key)}::text AS sort_value`);
  } else if (spec.order.kind === 'random') {
    matchedColumns.push(`md5(p.id::text || ${params.add(spec.order.seed)}::text) AS sort_value`);
  }
  const order = orderSql(spec.order, kind);
  const limit = params.add(spec.limit);
  const offset = params.add(spec.offset);

  const itemColumns = [...ITEM_COLUMNS];
  if (spec.search) itemColumns.push('m.search_score');
  if (spec.order.kind === 'field' || spec.order.kind === 'random') itemColumns.push('m.sort_value');
  if (spec.withContent) itemColumns.push('p.content');
  // Whether the item shows its latest draft: its links are then the draft's (see link_ids).
  if (spec.withContent && spec.draft.kind !== 'none') itemColumns.push('p.draft');
  let parentJoin = '';
  if (kind === 'page') {
    itemColumns.push(
      'p.slug',
      'p.url_path',
      'p.path',
      'parent.id AS parent_id',
      'parent.content_type_key AS parent_type',
      'parent.title AS parent_title',
      'parent.url_path AS parent_url_path',
    );
    const parentVisible =
      spec.draft.kind === 'none'
        ? 'parent.live'
        : spec.draft.kind === 'all'
          ? 'true'
          : `(parent.live OR parent.id = ${draftPage})`;
    parentJoin = `LEFT JOIN pages parent ON parent.path = left(p.path, -4) AND p.depth > 1 AND ${parentVisible}`;
  }

  const where = conditions.join('\n     AND ');
  const ctes = [
    `matched AS (
  SELECT ${matchedColumns.join(', ')}
    FROM ${source}
   WHERE ${where}
   ORDER BY ${order.matched}
   LIMIT ${limit} OFFSET ${offset}
)`,
    `items AS (
  SELECT ${itemColumns.join(', ')}
    FROM matched m JOIN ${source} ON p.id = m.id ${parentJoin}
)`,
  ];
  const selects = [`(SELECT json_agg(items ORDER BY ${order.items}) FROM items) AS items`];
  if (withCount) {
    // Apart from the items, so that their scan can stop at the LIMIT.
    selects.push(`(SELECT count(*) FROM ${source} WHERE ${where}) AS total_count`);
  }
  if (spec.withContent && spec.withLinks !== false) {
    // What the items link to, as publishing recorded it in the reference index: the live
    // version's references, or the latest draft's for an item shown as its draft (every
    // save records them). Link fields, and the internal links of rich text, at any depth.
    const version = spec.draft.kind === 'none' ? 'r.live' : 'r.live <> items.draft';
    ctes.push(`link_ids AS (
  SELECT r.target_type, r.target_id AS id
    FROM items JOIN content_references r
      ON r.source_type = '${kind}' AND r.source_id = items.id AND ${version}
)`);
    const linkedContent = spec.withLinkedContent ? ", 'content', l.content" : '';
    selects.push(`json_build_object(
    'snippets', (SELECT json_agg(json_build_object('id', l.id, 'type', l.content_type_key, 'title', l.title${linkedContent}))
                   FROM snippets l WHERE l.live AND l.id IN (SELECT id FROM link_ids WHERE target_type = 'snippet')),
    'pages', (SELECT json_agg(json_build_object('id', l.id, 'type', l.content_type_key, 'title', l.title, 'url_path', l.url_path${linkedContent}))
                FROM pages l WHERE l.live AND l.id IN (SELECT id FROM link_ids WHERE target_type = 'page'))
  ) AS linked`);
  }
  return {
    text: `WITH ${ctes.join(',\n')}\nSELECT ${selects.join(',\n  ')}`,
    values: params.values,
  };
}

/**
 * The detail of one live page, as the benchmark's baseline runs it: `id`, and the id of the
 * site's root page (or undefined when there is no site).
 */
export function pageDetailQuery(id: string, siteRootPageId: string | undefined): SqlQuery {
  return buildDeliveryQuery({
    kind: 'page',
    id,
    siteRootPageId,
    filters: [],
    order: { kind: 'path' },
    limit: 1,
    offset: 0,
    draft: { kind: 'none' },
    withContent: true,
    withLinkedContent: false,
  });
}

/**
 * A listing as the benchmark's baseline runs it: `GET /api/v2/pages?type=<type>&limit=<n>`
 * (default fields, tree order) on the site whose root page is `siteRootPageId`.
 */
export function pageListingQuery(options: {
  type?: string;
  limit: number;
  offset?: number;
  siteRootPageId?: string;
  withContent?: boolean;
}): SqlQuery {
  return buildDeliveryQuery({
    kind: 'page',
    type: options.type,
    siteRootPageId: options.siteRootPageId,
    filters: [],
    order: { kind: 'path' },
    limit: options.limit,
    offset: options.offset ?? 0,
    draft: { kind: 'none' },
    withContent: options.withContent ?? false,
    withLinkedContent: false,
  });
}

/** `find?html_path=`: the live page at a `url_path` ($1). */
export const PAGE_FIND_SQL = 'SELECT id FROM pages WHERE url_path = $1 AND live';

/** `find?html_path=` with a preview token: also the draft-only page the token is for ($2). */
export const PAGE_FIND_PREVIEW_SQL =
  'SELECT id FROM pages WHERE url_path = $1 AND (live OR id = $2::uuid OR $3::boolean)';
