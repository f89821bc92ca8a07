import type pg from 'pg';
import { withSeededContent } from './content-delivery-scenarios.js';
import { loadFeedSetup, rawFeedHandler } from './raw-feed-server.js';
import type { BenchSuite, Scenario, ScenarioTarget } from './scenario.js';
import { FEED_ITEMS } from './seed-pages.js';

/*
 * Issue 8's measurement: a 50-item feed over 100,000 pages — the feed of the largest blog
 * index (/blog/, 40,000 posts; bench/seed-pages.ts gives `blog_index.feed` a limit of 50) —
 * as full 200 responses and as 304s to If-None-Match, with Finch's feed cache off (every
 * request reads and renders the feed: DELIVERY_CACHE_SIZE=0, the size of the feed cache too)
 * and on (as shipped), against a raw `node:http` + `pg` server that sends the same statement
 * and writes the same bytes with Finch's own item builder and writers
 * (bench/raw-feed-server.ts), asking PostgreSQL every time.
 */

const UNCACHED = { DELIVERY_CACHE_SIZE: '0' };
/** Finch's default; written out so the run says what it measured. */
const CACHED = { DELIVERY_CACHE_SIZE: '64mb' };
/** As startFinch sets it (bench/servers-under-test.ts): feeds' own URLs start with it. */
const PUBLIC_URL = 'http://localhost';

/** The html path of the blog index with the most posts: `/blog/`. */
let largestIndexPath: Promise<string> | undefined;

function largestBlogIndex(db: pg.Pool): Promise<string> {
  largestIndexPath ??= (async () => {
    const { rows } = await db.query<{ html_path: string }>(`
      SELECT substr(p.url_path, length(root.url_path)) AS html_path
        FROM pages p
        JOIN sites s ON s.is_default
        JOIN pages root ON root.id = s.root_page_id
       WHERE p.live AND p.content_type_key = 'blog_index'
       ORDER BY p.numchild DESC, p.path
       LIMIT 1`);
    if (!rows[0]) throw new Error('The seeded site has no blog index: run npm run bench:seed.');
    return rows[0].html_path;
  })();
  return largestIndexPath;
}

type Format = 'rss' | 'atom' | 'json';

/**
 * A scenario on the largest blog index's feed in `format`; with `conditional`, each request
 * carries the ETag Finch gave the feed in If-None-Match and expects 304.
 */
function scenario(definition: {
  name: string;
  description: string;
  format: Format;
  conditional?: boolean;
  finchEnvironment: Record<string, string>;
  target?: ScenarioTarget;
}): Scenario {
  const { format, conditional, ...rest } = definition;
  const built: Scenario = {
    ...rest,
    request: { path: '/', expectedStatus: conditional ? 304 : 200 },
    baseline: rawFeedHandler,
    // XML compares by length (the harness's shape of a body that is not JSON), JSON by shape:
    // the baseline writes the same bytes.
    sameShape: true,
    // Proven where Finch reads the feed: with its cache on, the scenarios share one URL, so
    // Finch answers the later ones from memory (SQL/req then says 0).
    sameSql: definition.finchEnvironment.DELIVERY_CACHE_SIZE === '0',
    seed: async ({ pools, finchUrl }) => {
      await loadFeedSetup(pools.app, PUBLIC_URL);
      const path = `${await largestBlogIndex(pools.app)}feed.${format}`;
      built.request.path = path;
      if (conditional) {
        const response = await fetch(new URL(path, finchUrl));
        const etag = response.headers.get('etag');
        await response.arrayBuffer();
        if (!response.ok || !etag) {
          throw new Error(
            `${path} answered ${response.status} without an ETag: nothing to revalidate.`,
          );
        }
        built.request.headers = { 'if-none-match': etag };
      }
    },
  };
  return built;
}

/**
 * Initial: a render reads every child of /blog/ to find the 50 newest (see RESULTS.md), so
 * PostgreSQL dominates both servers and Finch's layers should cost little on top.
 */
const UNCACHED_TARGET = { minThroughputRatio: 0.8 };
/** Cached feeds must beat PostgreSQL itself, as the delivery API's cached reads do. */
const CACHED_TARGET = { minThroughputRatio: 1 };

export const feedScenarios: Scenario[] = [
  scenario({
    name: 'feed-rss-uncached',
    description: `GET /blog/feed.rss (the ${FEED_ITEMS} newest of 40,000 posts, with full content), feed cache off: one statement and a render per request`,
    format: 'rss',
    finchEnvironment: UNCACHED,
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'feed-atom-uncached',
    description: 'GET /blog/feed.atom, feed cache off',
    format: 'atom',
    finchEnvironment: UNCACHED,
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'feed-json-uncached',
    description: 'GET /blog/feed.json, feed cache off',
    format: 'json',
    finchEnvironment: UNCACHED,
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'feed-rss-304-uncached',
    description:
      'GET /blog/feed.rss with If-None-Match of its ETag, feed cache off: the statement and the render, then 304 without a body',
    format: 'rss',
    conditional: true,
    finchEnvironment: UNCACHED,
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'feed-rss-cached',
    description: 'GET /blog/feed.rss, over and over, feed cache on (as shipped)',
    format: 'rss',
    finchEnvironment: CACHED,
    target: CACHED_TARGET,
  }),
  scenario({
    name: 'feed-rss-304-cached',
    description:
      'GET /blog/feed.rss with If-None-Match of its ETag, feed cache on: 304 from memory, no SQL',
    format: 'rss',
    conditional: true,
    finchEnvironment: CACHED,
    target: CACHED_TARGET,
  }),
];

export const feedSuite: BenchSuite = {
  name: 'feeds',
  title: `Feeds: a ${FEED_ITEMS}-item feed over 100,000 pages`,
  scenarios: feedScenarios,
  finchEnvironment: { LOG_LEVEL: 'warn' },
  withDatabase: withSeededContent,
};
