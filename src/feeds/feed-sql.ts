import type { FeedOrder } from '#src/content-types/content-type-definition.js';
import {
  ITEM_COLUMNS,
  Parameters,
  type SqlQuery,
  isoTimestamp,
} from '#src/delivery/delivery-sql.js';
import type { FeedLinkFilter } from '#src/feeds/feed.entity.js';

/**
 * The SQL of a feed: one statement finds the page that owns the feed, its items (live pages
 * under it, newest first by default, at most `limit`) and what their content links to (the
 * titles of authors and categories, the URLs of linked pages), so a feed costs one query
 * whatever its length.
 *
 * A feed declared on a content type is found by its owner's `url_path`, before the owner's
 * type is known: the statement has one branch of items per content type that declares a
 * feed, and only the branch of the owner's type can match (`o.content_type_key = <type>`).
 * Types are few, and each branch is the plain indexed query of its settings.
 */

/** What one branch lists: the settings of a feed. */
export interface FeedItemsSpec {
  /** The branch applies when the owner has this type; any type when absent (hand-made feeds). */
  ownerType?: string;
  source: 'children' | 'descendants';
  /** Page types listed; any when empty. */
  itemTypes: readonly string[];
  linkFilter: FeedLinkFilter | null;
  order: FeedOrder;
  limit: number;
  /** The items' locale; the owner's when null. */
  locale: string | null;
}

export interface FeedQuerySpec {
  /** The owner: the page at this `url_path`, or the page with this id. */
  owner: { urlPath: string } | { id: string };
  branches: readonly FeedItemsSpec[];
}

/** The owner page as the statement returns it. */
export interface FeedOwnerRow {
  id: string;
  type: string;
  title: string;
  locale: string;
  live: boolean;
  url_path: string;
  content: Record<string, unknown>;
  first_published_at: string | null;
  last_published_at: string | null;
}

export interface FeedItemRow {
  id: string;
  type: string;
  title: string;
  locale: string;
  first_published_at: string | null;
  last_published_at: string | null;
  url_path: string;
  content: Record<string, unknown>;
}

export interface FeedResultRow {
  owner: FeedOwnerRow | null;
  items: FeedItemRow[] | null;
  linked: {
    snippets: Array<{ id: string; title: string }> | null;
    pages: Array<{ id: string; url_path: string }> | null;
  } | null;
}

function orderSql(order: FeedOrder): string {
  const descending = order.startsWith('-');
  const column = descending ? order.slice(1) : order;
  const direction = descending ? 'DESC' : 'ASC';
  const nulls = column === 'title' ? '' : ' NULLS LAST';
  return `p.${column} ${direction}${nulls}, p.path`;
}

function branchSql(branch: FeedItemsSpec, params: Parameters): string {
  // The owner's columns are scalar subqueries, run once before the scan (InitPlans): the
  // scan is then of one table, so an index can give its rows in the feed's order and the
  // LIMIT stops it early. Children are found by their parent's path (an index holds live
  // children newest first, see Page), descendants by the subtree's range of paths.
  const owner = (column: string) => `(SELECT ${column} FROM owner)`;
  const ownerMatches =
    branch.ownerType === undefined
      ? owner('live')
      : owner(`live AND content_type_key = ${params.add(branch.ownerType)}::text`);
  const conditions = [`${ownerMatches}`, 'p.live'];
  if (branch.source === 'children') {
    conditions.push(`left(p.path, -4) = ${owner('path')}`);
  } else {
    conditions.push(`p.path > ${owner('path')}`, `p.path < ${owner("path || '~'")}`);
  }
  conditions.push(`p.locale = coalesce(${params.add(branch.locale)}::text, ${owner('locale')})`);
  if (branch.itemTypes.length > 0) {
    conditions.push(`p.content_type_key = ANY(${params.add(branch.itemTypes)}::text[])`);
  }
  if (branch.linkFilter) {
    const field = `p.content -> ${params.add(branch.linkFilter.field)}::text`;
    const id = `${params.add(branch.linkFilter.snippetId)}::text`;
    // One link (`{ id }`) or several (`[{ id }, …]`).
    conditions.push(
      `(${field} ->> 'id' = ${id} OR ${field} @> jsonb_build_array(jsonb_build_object('id', ${id})))`,
    );
  }
  // row_number() over the ordered, limited rows numbers them in that order, for json_agg.
  return `(SELECT b.*, row_number() OVER () AS ord FROM (
    SELECT ${ITEM_COLUMNS.join(', ')}, p.url_path, p.content
      FROM pages p
     WHERE ${conditions.join('\n       AND ')}
     ORDER BY ${orderSql(branch.order)}
     LIMIT ${params.add(branch.limit)}) b)`;
}

/** The statement that answers one feed request (see the top of this file). */
export function buildFeedQuery(spec: FeedQuerySpec): SqlQuery {
  const params = new Parameters();
  const ownerCondition =
    'urlPath' in spec.owner
      ? `url_path = ${params.add(spec.owner.urlPath)}::text`
      : `id = ${params.add(spec.owner.id)}::uuid`;
  const branches = spec.branches.map((branch) => branchSql(branch, params));
  const items =
    branches.length > 0
      ? branches.join('\n   UNION ALL\n   ')
      : `(SELECT ${ITEM_COLUMNS.join(', ')}, p.url_path, p.content, 0::bigint AS ord FROM pages p WHERE false)`;
  const text = `WITH owner AS (
  SELECT id, content_type_key, title, locale, live, path, depth, url_path, content,
         first_published_at, last_published_at
    FROM pages WHERE ${ownerCondition}
), items AS (
   ${items}
), link_ids AS (
  SELECT r.target_type, r.target_id AS id
    FROM items JOIN content_references r
      ON r.source_type = 'page' AND r.source_id = items.id AND r.live
)
SELECT
  (SELECT json_build_object('id', o.id, 'type', o.content_type_key, 'title', o.title,
          'locale', o.locale, 'live', o.live, 'url_path', o.url_path, 'content', o.content,
          'first_published_at', ${isoTimestamp('o.first_published_at')},
          'last_published_at', ${isoTimestamp('o.last_published_at')})
     FROM owner o) AS owner,
  (SELECT json_agg(items ORDER BY ord) FROM items) AS items,
  json_build_object(
    'snippets', (SELECT json_agg(json_build_object('id', l.id, 'title', l.title))
                   FROM snippets l WHERE l.live AND l.id IN (SELECT id FROM link_ids WHERE target_type = 'snippet')),
    'pages', (SELECT json_agg(json_build_object('id', l.id, 'url_path', l.url_path))
                FROM pages l WHERE l.live AND l.id IN (SELECT id FROM link_ids WHERE target_type = 'page'))
  ) AS linked`;
  return { text, values: params.values };
}
