import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { etagOf, matchesEtag } from '#src/delivery/delivery-cache.js';
import { FeedItemBuilder, tagUri } from '#src/feeds/feed-content.js';
import {
  FEED_FORMATS,
  FEED_MEDIA_TYPES,
  type FeedEntry,
  type FeedFormat,
  RENDERERS,
} from '#src/feeds/feed-render.js';
import { buildFeedQuery, type FeedItemsSpec, type FeedResultRow } from '#src/feeds/feed-sql.js';
import { named } from './raw-delivery-server.js';
import type { BaselineHandler } from './scenario.js';

/*
 * The raw baseline of a feed declared on a content type (`/blog/feed.rss`): `node:http` and a
 * `pg.Pool` of Finch's size, sending the very statement Finch sends — built by Finch's own
 * `buildFeedQuery` (src/feeds/feed-sql.ts) from the same settings, prepared under the name
 * Finch gives it, and checked before every run (the harness records both servers'
 * statements) — and writing the same bytes with Finch's own pure functions: the item builder
 * (rich text through the API's renderer, tag URIs) and the RSS, Atom and JSON Feed writers.
 * What it leaves out is Finch's own: Fastify and Nest, the site and content type registries,
 * the feed cache, the security headers and the logging. The content types and the site are
 * read once, at the start, as Finch's registries keep them; the ETag is a digest of the body
 * and If-None-Match is answered with 304, as Finch does.
 */

interface FeedSite {
  hostname: string;
  name: string;
  /** Where readers reach the site: `http://localhost` in the benchmark (PUBLIC_URL's origin). */
  baseUrl: string;
  /** The root page's `url_path` (`/home/`). */
  rootUrlPath: string;
}

interface LoadedFeedSetup {
  site: FeedSite;
  /** Page and snippet types, by key. */
  types: Map<string, ContentTypeDefinition>;
  /** The types whose pages own a feed (`feed.enabled`), by key, as Finch lists them. */
  declaring: ContentTypeDefinition[];
  /** PUBLIC_URL of the Finch under test, for the feed's own URLs. */
  publicUrl: string;
  cacheControl: string;
}

let setup: LoadedFeedSetup | undefined;

/**
 * Reads the default site and the content types once, as Finch's SitesService and
 * ContentTypesService keep them. `publicUrl` and `maxAge` are Finch's PUBLIC_URL and
 * FEED_CACHE_MAX_AGE in the run.
 */
export async function loadFeedSetup(db: pg.Pool, publicUrl: string, maxAge = 300): Promise<void> {
  const sites = await db.query<{
    hostname: string;
    name: string;
    base_url: string | null;
    root_url_path: string;
  }>(`SELECT s.hostname, s.name, s.base_url, p.url_path AS root_url_path
        FROM sites s JOIN pages p ON p.id = s.root_page_id WHERE s.is_default`);
  const site = sites.rows[0];
  if (!site) throw new Error('The feed baseline needs a default site.');
  const definitions = await db.query<{ definition: ContentTypeDefinition }>(
    'SELECT definition FROM content_types ORDER BY key',
  );
  const types = new Map(definitions.rows.map(({ definition }) => [definition.key, definition]));
  const finch = new URL(publicUrl);
  setup = {
    site: {
      hostname: site.hostname,
      name: site.name,
      // As `siteBaseUrl` (src/pages/sites.service.ts) decides it.
      baseUrl:
        site.base_url ??
        (finch.hostname === site.hostname ? finch.origin : `https://${site.hostname}`),
      rootUrlPath: site.root_url_path,
    },
    types,
    declaring: [...types.values()].filter(
      (definition) => definition.kind === 'page' && definition.feed?.enabled === true,
    ),
    publicUrl: publicUrl.replace(/\/+$/, ''),
    cacheControl: `public, max-age=${maxAge}`,
  };
}

/** A content type's feed settings with Finch's defaults filled in. */
function branchOf(definition: ContentTypeDefinition): FeedItemsSpec {
  const feed = definition.feed ?? {};
  return {
    ownerType: definition.key,
    source: feed.source ?? 'children',
    itemTypes: feed.itemTypes ?? [],
    linkFilter: null,
    order: feed.order ?? '-first_published_at',
    limit: feed.limit ?? 20,
    locale: null,
  };
}

/** The newest of the dates, to the second (HTTP dates have no fractions). */
function newest(dates: ReadonlyArray<string | null | undefined>): Date {
  const times = dates.flatMap((date) => (date ? [Date.parse(date)] : []));
  const time = times.length > 0 ? Math.max(...times) : 0;
  return new Date(Math.floor(time / 1000) * 1000);
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'application/problem+json; charset=utf-8' });
  response.end('{"title":"No such feed","status":404}');
}

const PAGE_FEED_PATH = /^(\/(?:[^/?#]+\/)*)feed\.(rss|atom|json)$/;

export const rawFeedHandler: BaselineHandler = async (request, response, pools) => {
  if (!setup) throw new Error('loadFeedSetup() has not run.');
  const { site, types, declaring, publicUrl, cacheControl } = setup;
  const url = new URL(request.url ?? '/', 'http://baseline');
  const match = PAGE_FEED_PATH.exec(url.pathname);
  if (!match || declaring.length === 0) return notFound(response);
  const htmlPath = match[1];
  const format = match[2] as FeedFormat;

  const { rows } = await pools.app.query<FeedResultRow>(
    named(
      buildFeedQuery({
        owner: { urlPath: `${site.rootUrlPath}${htmlPath.slice(1)}` },
        branches: declaring.map(branchOf),
      }),
    ),
  );
  const row = rows[0];
  const owner = row?.owner;
  const definition = owner ? types.get(owner.type) : undefined;
  if (!owner || !owner.live || definition?.feed?.enabled !== true) return notFound(response);

  const urlOfPath = (urlPath: string) =>
    urlPath.startsWith(site.rootUrlPath)
      ? `${site.baseUrl}/${urlPath.slice(site.rootUrlPath.length)}`
      : undefined;
  const pages = new Map((row.linked?.pages ?? []).map((page) => [page.id, page.url_path]));
  const snippets = new Map((row.linked?.snippets ?? []).map((item) => [item.id, item.title]));
  const builder = new FeedItemBuilder({
    lookup: (type) => types.get(type),
    fields: {},
    pageUrl: (id) => {
      const urlPath = pages.get(id);
      return urlPath === undefined ? undefined : urlOfPath(urlPath);
    },
    urlOfPath,
    snippetTitle: (id) => snippets.get(id),
    image: () => undefined,
    tagAuthority: site.hostname,
  });
  const entries = (row.items ?? [])
    .map((item) => builder.entry(item))
    .filter((entry): entry is FeedEntry => entry !== undefined);
  const updated = newest([
    owner.last_published_at,
    ...entries.map((entry) => entry.updated.toISOString()),
  ]);
  const descriptionField = definition.feed.descriptionField;
  const description = descriptionField ? owner.content[descriptionField] : undefined;
  const body = RENDERERS[format]({
    id: tagUri(site.hostname, new Date(owner.first_published_at ?? updated), `feed:${owner.id}`),
    title: owner.title,
    description: typeof description === 'string' ? description.trim() : '',
    homeUrl: urlOfPath(owner.url_path) ?? `${site.baseUrl}/`,
    feedUrls: Object.fromEntries(
      FEED_FORMATS.map((each) => [each, `${publicUrl}${htmlPath}feed.${each}`]),
    ) as Record<FeedFormat, string>,
    language: owner.locale,
    updated,
    author: site.name,
    entries,
  });

  const etag = etagOf(body);
  const headers = {
    'cache-control': cacheControl,
    etag,
    'last-modified': updated.toUTCString(),
  };
  if (matchesEtag(request.headers['if-none-match'], etag)) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': `${FEED_MEDIA_TYPES[format]}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};
