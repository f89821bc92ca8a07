import type pg from 'pg';
import { loadSiteRoot, rawDeliveryHandler } from './raw-delivery-server.js';
import type { BenchSuite, Scenario } from './scenario.js';
import {
  CONTENT_BENCH_DATABASE,
  contentBenchDatabaseUrl,
  DEFAULT_PAGE_COUNT,
  seededPageCount,
  seedPages,
  terminalProgress,
} from './seed-pages.js';

/*
 * The delivery API on 100,000 published pages (bench/seed-pages.ts) against a raw
 * `node:http` + `pg` server running the very same SQL (bench/raw-delivery-server.ts).
 *
 * "Uncached" scenarios run Finch with its response cache off (DELIVERY_CACHE_SIZE=0) and
 * also rotate through many URLs (every post, every path, several listings), so no cache
 * keyed by URL could help even if one were left on. "Cached" scenarios run Finch as shipped
 * (64 MB cache) and repeat one URL: after the warm-up Finch answers from memory while the
 * baseline still asks PostgreSQL each time — the point of the cache.
 */

const UNCACHED = { DELIVERY_CACHE_SIZE: '0' };
/** Finch's default; written out so the run says what it measured. */
const CACHED = { DELIVERY_CACHE_SIZE: '64mb' };
/** Listings asked for per blog index in the uncached listing: offsets 0, 20, … 180. */
const LISTING_PAGES_PER_INDEX = 10;
const LISTING_LIMIT = 20;

const DETAIL = '/api/v2/pages/';
const FIND = '/api/v2/pages/find/?html_path=';
const LISTING = '/api/v2/pages/?child_of=';

function pageCount(): number {
  const text = process.env.BENCH_PAGES;
  const value = text ? Number(text) : DEFAULT_PAGE_COUNT;
  if (!Number.isInteger(value) || value < 20 || value > 1_000_000) {
    throw new Error(`BENCH_PAGES=${JSON.stringify(text)} is wrong: expected 20 to 1000000.`);
  }
  return value;
}

/**
 * The suite's database: `finch_bench_content`, seeded when it is missing, incomplete, of
 * another size or when BENCH_RESEED=1, and kept afterwards so reruns start at once.
 */
export async function withSeededContent<T>(serverUrl: string, work: (url: string) => Promise<T>) {
  const pages = pageCount();
  const seeded = await seededPageCount(serverUrl);
  if (process.env.BENCH_RESEED === '1' || seeded !== pages) {
    console.log(`Seeding ${pages.toLocaleString('en-US')} pages into ${CONTENT_BENCH_DATABASE}:`);
    const summary = await seedPages(serverUrl, pages, terminalProgress());
    console.log(`Seeded in ${summary.seconds.toFixed(0)} s.`);
  } else {
    console.log(
      `Using ${CONTENT_BENCH_DATABASE}, seeded earlier with ${pages.toLocaleString('en-US')} pages ` +
        '(BENCH_RESEED=1 seeds it anew).',
    );
  }
  return work(contentBenchDatabaseUrl(serverUrl));
}

/** What the seeded site holds, read once for all scenarios. */
export interface SeededSite {
  /** Every live post, shuffled. */
  posts: Array<{ id: string; htmlPath: string }>;
  /** The blog indexes, the largest first. */
  indexes: Array<{ id: string; numchild: number }>;
}

let site: Promise<SeededSite> | undefined;

export function readSite(db: pg.Pool): Promise<SeededSite> {
  site ??= (async () => {
    const posts = await db.query<{ id: string; htmlPath: string }>(`
      SELECT p.id, substr(p.url_path, length(root.url_path)) AS "htmlPath"
      FROM pages p
      JOIN sites s ON s.is_default
      JOIN pages root ON root.id = s.root_page_id
      WHERE p.live AND p.content_type_key = 'blog_post'
      ORDER BY random()`);
    const indexes = await db.query<{ id: string; numchild: number }>(`
      SELECT id, numchild FROM pages
      WHERE live AND content_type_key = 'blog_index'
      ORDER BY numchild DESC, path`);
    if (posts.rows.length === 0 || indexes.rows.length === 0) {
      throw new Error(`${CONTENT_BENCH_DATABASE} has no published posts: run npm run bench:seed.`);
    }
    return { posts: posts.rows, indexes: indexes.rows };
  })();
  return site;
}

function listingPaths({ indexes }: SeededSite): string[] {
  return indexes.flatMap(({ id, numchild }) =>
    Array.from(
      { length: Math.min(LISTING_PAGES_PER_INDEX, Math.ceil(numchild / LISTING_LIMIT)) },
      (_, page) => `${LISTING}${id}&limit=${LISTING_LIMIT}&offset=${page * LISTING_LIMIT}`,
    ),
  );
}

/** A scenario whose requests are filled in from the seeded site before the runs. */
function scenario(
  definition: Omit<Scenario, 'request' | 'baseline' | 'seed'> & {
    expectedStatus?: number;
    requests: (site: SeededSite) => { path: string; paths?: string[] };
  },
): Scenario {
  const { requests, expectedStatus, ...rest } = definition;
  const built: Scenario = {
    ...rest,
    request: { path: '/', expectedStatus },
    baseline: rawDeliveryHandler,
    // The baseline sends the rows as PostgreSQL built them, so only status and type compare;
    // its SQL is checked to be Finch's instead.
    sameShape: false,
    sameSql: true,
    seed: async ({ pools }) => {
      await loadSiteRoot(pools.app);
      const { path, paths } = requests(await readSite(pools.app));
      built.request.path = path;
      built.request.paths = paths;
    },
  };
  return built;
}

const UNCACHED_TARGET = { minThroughputRatio: 0.6 };
/** Cached reads must beat PostgreSQL itself. */
const CACHED_TARGET = { minThroughputRatio: 1 };

export const contentDeliveryScenarios: Scenario[] = [
  scenario({
    name: 'page-detail-uncached',
    description:
      'GET /api/v2/pages/{id} of every post in turn (100k ids), response cache off: the detail query and its JSON',
    finchEnvironment: UNCACHED,
    requests: ({ posts }) => ({
      path: `${DETAIL}${posts[0].id}/`,
      paths: posts.map((post) => `${DETAIL}${post.id}/`),
    }),
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'page-find-uncached',
    description:
      'GET /api/v2/pages/find/?html_path= of every post in turn, response cache off: the lookup by url_path and the redirect to the detail',
    finchEnvironment: UNCACHED,
    expectedStatus: 302,
    requests: ({ posts }) => ({
      path: `${FIND}${encodeURIComponent(posts[0].htmlPath)}`,
      paths: posts.map((post) => `${FIND}${encodeURIComponent(post.htmlPath)}`),
    }),
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'page-listing-uncached',
    description: `GET /api/v2/pages/?child_of={blog index}&limit=20&offset=… over the first ${LISTING_PAGES_PER_INDEX} pages of every blog index, response cache off`,
    finchEnvironment: UNCACHED,
    requests: (site) => {
      const paths = listingPaths(site);
      return { path: paths[0], paths };
    },
    target: UNCACHED_TARGET,
  }),
  scenario({
    name: 'page-detail-cached',
    description: 'GET /api/v2/pages/{id} of one post, over and over, response cache on',
    finchEnvironment: CACHED,
    requests: ({ posts }) => ({ path: `${DETAIL}${posts[0].id}/` }),
    target: CACHED_TARGET,
  }),
  scenario({
    name: 'page-find-cached',
    description: 'GET /api/v2/pages/find/?html_path= of one post, over and over, response cache on',
    finchEnvironment: CACHED,
    expectedStatus: 302,
    requests: ({ posts }) => ({ path: `${FIND}${encodeURIComponent(posts[0].htmlPath)}` }),
    target: CACHED_TARGET,
  }),
  scenario({
    name: 'page-listing-cached',
    description:
      'GET /api/v2/pages/?child_of={the largest blog index}&limit=20, over and over, response cache on',
    finchEnvironment: CACHED,
    requests: ({ indexes }) => ({ path: `${LISTING}${indexes[0].id}&limit=${LISTING_LIMIT}` }),
    target: CACHED_TARGET,
  }),
];

export const contentDeliverySuite: BenchSuite = {
  name: 'content',
  title: 'Delivery API on 100,000 pages',
  scenarios: contentDeliveryScenarios,
  finchEnvironment: { LOG_LEVEL: 'warn' },
  withDatabase: withSeededContent,
};
