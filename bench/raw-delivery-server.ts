import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import {
  buildDeliveryQuery,
  PAGE_FIND_SQL,
  pageDetailQuery,
  type SqlQuery,
} from '#src/delivery/delivery-sql.js';
import { type BaselineHandler, sendJson } from './scenario.js';

/*
 * The raw baseline of the delivery API: `node:http` and a `pg.Pool` of Finch's size,
 * answering the benchmark's three routes with the very SQL Finch's delivery API sends —
 * imported from Finch's build (src/delivery/delivery-sql.ts), so the two cannot drift, and
 * checked before every run (the harness records both servers' statements). It sends them the
 * way Finch does, as named prepared statements with Finch's names, so each connection plans a
 * shape once in both servers. It does what the SQL needs and JSON.stringify, nothing else: no
 * parameter validation beyond the route, no serializer (the row goes out as PostgreSQL built
 * it), no headers, no cache.
 */

/**
 * The default site's root page: its `url_path` (`/home/`) and id, read once, as Finch's
 * SitesService keeps them.
 */
let siteRootUrlPath: string | undefined;
let siteRootPageId: string | undefined;

/** The default site's root page, once `loadSiteRoot` has read it. */
export function siteRoot(): { urlPath: string | undefined; pageId: string | undefined } {
  return { urlPath: siteRootUrlPath, pageId: siteRootPageId };
}

export async function loadSiteRoot(db: pg.Pool): Promise<void> {
  const { rows } = await db.query<{ url_path: string; id: string }>(
    'SELECT p.url_path, p.id FROM sites s JOIN pages p ON p.id = s.root_page_id WHERE s.is_default',
  );
  siteRootUrlPath = rows[0]?.url_path;
  siteRootPageId = rows[0]?.id;
}

export interface DeliveryRow {
  items: unknown[] | null;
  total_count?: number | string;
  linked?: unknown;
}

/** As DeliveryService names a statement on PostgreSQL (the SQL check compares names too). */
export function named(query: SqlQuery): pg.QueryConfig {
  const digest = createHash('sha256').update(query.text).digest('hex').slice(0, 24);
  return { name: `finch_delivery_${digest}`, text: query.text, values: query.values };
}

export async function single(db: pg.Pool, query: SqlQuery): Promise<DeliveryRow> {
  const { rows } = await db.query<DeliveryRow>(named(query));
  return rows[0] ?? { items: null };
}

function notFound(response: ServerResponse): void {
  sendJson(response, 404, { title: 'Not Found' });
}

const DETAIL_PATH =
  /^\/api\/v2\/pages\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/;

export const rawDeliveryHandler: BaselineHandler = async (request, response, pools) => {
  const url = new URL(request.url ?? '/', 'http://baseline');
  const route = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;

  if (route === '/api/v2/pages/find/') {
    const htmlPath = url.searchParams.get('html_path') ?? '/';
    const withSlash = htmlPath.endsWith('/') ? htmlPath : `${htmlPath}/`;
    const urlPath = siteRootUrlPath ? `${siteRootUrlPath}${withSlash.slice(1)}` : withSlash;
    const { rows } = await pools.app.query<{ id: string }>(
      named({ text: PAGE_FIND_SQL, values: [urlPath] }),
    );
    if (!rows[0]) return notFound(response);
    response.writeHead(302, { location: `/api/v2/pages/${rows[0].id}/` });
    response.end();
    return;
  }

  if (route === '/api/v2/pages/') {
    // The listings the benchmark asks for: children of a page, of a type or any, in tree
    // order, a page of them. Its `fields` (GraphQL's scenarios: hero_image,author(name),
    // categories(name)) name a field of what the items link to, so the statement selects the
    // items' content and the linked snippets' content too.
    const withFields = url.searchParams.has('fields');
    const row = await single(
      pools.app,
      buildDeliveryQuery({
        kind: 'page',
        siteRootPageId,
        type: url.searchParams.get('type') ?? undefined,
        childOf: url.searchParams.get('child_of') ?? undefined,
        filters: [],
        order: { kind: 'path' },
        limit: Number(url.searchParams.get('limit') ?? 20),
        offset: Number(url.searchParams.get('offset') ?? 0),
        draft: { kind: 'none' },
        withContent: withFields,
        withLinkedContent: withFields,
      }),
    );
    sendJson(response, 200, {
      meta: { total_count: Number(row.total_count ?? 0) },
      items: row.items ?? [],
      ...(withFields ? { linked: row.linked } : {}),
    });
    return;
  }

  const detail = DETAIL_PATH.exec(url.pathname);
  if (detail) {
    const row = await single(pools.app, pageDetailQuery(detail[1], siteRootPageId));
    const item = row.items?.[0];
    if (!item) return notFound(response);
    sendJson(response, 200, { ...item, linked: row.linked });
    return;
  }
  notFound(response);
};
