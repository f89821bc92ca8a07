import { readSite, withSeededContent } from './content-delivery-scenarios.js';
import { loadSiteRoot, rawDeliveryHandler } from './raw-delivery-server.js';
import { rawGraphqlHandler } from './raw-graphql-server.js';
import type {
  BaselineHandler,
  BenchRequest,
  BenchSuite,
  FinchBaseline,
  Scenario,
  ScenarioTarget,
} from './scenario.js';

/*
 * Issue 6's measurement: a 20-post listing with author, categories and hero image, through
 * GraphQL (POST, and GET as a CDN would cache it), through the REST delivery API, and through
 * a raw `node:http` + `pg` server sending the SQL Finch's GraphQL sends — on the content
 * suite's 100,000 pages (bench/seed-pages.ts), the posts of the largest blog index (/blog/,
 * 40% of them).
 *
 * GraphQL has no response cache, so every GraphQL request executes; the REST listing is
 * measured with its cache off (the fair comparison) and on (for information). GraphQL
 * against REST, and the JIT against graphql-js's interpreter, are measured directly, Finch
 * against Finch, in the same alternating rounds as a raw baseline.
 */

const UNCACHED = { DELIVERY_CACHE_SIZE: '0' };
/** Finch's defaults, written out so the run says what it measured. */
const CACHED = { DELIVERY_CACHE_SIZE: '64mb' };
const JIT = { ...UNCACHED, GRAPHQL_JIT: '1' };
const INTERPRETED = { GRAPHQL_JIT: '0' };

const LIMIT = 20;

function graphqlQuery(blogId: string): string {
  return (
    `{ blogPosts(limit: ${LIMIT}, childOf: "${blogId}") { items { id title url ` +
    'heroImage { id } author { name } categories { name } } } }'
  );
}

const requests = {
  graphqlPost: (blogId: string): BenchRequest => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: graphqlQuery(blogId) }),
  }),
  graphqlGet: (blogId: string): BenchRequest => ({
    path: `/graphql?query=${encodeURIComponent(graphqlQuery(blogId))}`,
  }),
  rest: (blogId: string): BenchRequest => ({
    path:
      `/api/v2/pages/?type=blog_post&child_of=${blogId}&limit=${LIMIT}` +
      '&fields=hero_image,author(name),categories(name)',
  }),
};

type RequestOf = (blogId: string) => BenchRequest;

/**
 * A scenario whose requests name one of the seeded site's blog indexes, found before the
 * runs: the largest (/blog/, 40,000 posts), or the smallest (/guides/, 4,000).
 */
function scenario(definition: {
  name: string;
  blog: 'largest' | 'smallest';
  description: string;
  finchEnvironment: Record<string, string>;
  request: RequestOf;
  baseline: BaselineHandler | (Omit<FinchBaseline, 'request'> & { request?: RequestOf });
  target?: ScenarioTarget;
  sameShape?: boolean;
  sameSql?: boolean;
}): Scenario {
  const { request, baseline, blog, ...rest } = definition;
  const built: Scenario = {
    ...rest,
    request: { path: '/' },
    baseline: typeof baseline === 'function' ? baseline : { ...baseline, request: undefined },
    seed: async ({ pools }) => {
      await loadSiteRoot(pools.app);
      const { indexes } = await readSite(pools.app);
      const blogId = (blog === 'largest' ? indexes[0] : indexes[indexes.length - 1]).id;
      built.request = request(blogId);
      if (typeof baseline !== 'function' && baseline.request) {
        built.baseline = { ...baseline, request: baseline.request(blogId) };
      }
    },
  };
  return built;
}

/** The target: GraphQL at least 70% of the REST listing's throughput. */
const GRAPHQL_VS_REST = { minThroughputRatio: 0.7 };

export const graphqlScenarios: Scenario[] = [
  scenario({
    name: 'graphql-listing-post',
    description: `POST /graphql { blogPosts(limit: ${LIMIT}, childOf: /blog/) { items { id title url heroImage { id } author { name } categories { name } } } }: the listing, then one batch of the linked snippets`,
    blog: 'largest',
    finchEnvironment: JIT,
    request: requests.graphqlPost,
    baseline: rawGraphqlHandler,
    sameSql: true,
    target: { minThroughputRatio: 0.6 },
  }),
  scenario({
    name: 'graphql-listing-get',
    description: 'The same query as a GET, in the URL (what a CDN caches)',
    blog: 'largest',
    finchEnvironment: JIT,
    request: requests.graphqlGet,
    baseline: rawGraphqlHandler,
    sameSql: true,
    target: { minThroughputRatio: 0.6 },
  }),
  scenario({
    name: 'rest-listing-fields-uncached',
    description: `GET /api/v2/pages/?type=blog_post&child_of=/blog/&limit=${LIMIT}&fields=hero_image,author(name),categories(name), response cache off: the same posts with the linked snippets, in one statement`,
    blog: 'largest',
    finchEnvironment: JIT,
    request: requests.rest,
    baseline: rawDeliveryHandler,
    // The baseline sends the rows as PostgreSQL built them; its SQL is checked instead.
    sameShape: false,
    sameSql: true,
    target: { minThroughputRatio: 0.6 },
  }),
  scenario({
    name: 'graphql-post-vs-rest',
    description:
      'GraphQL POST (as graphql-listing-post) against the REST listing of the same posts (as rest-listing-fields-uncached)',
    blog: 'largest',
    finchEnvironment: JIT,
    request: requests.graphqlPost,
    baseline: { label: 'the REST listing, response cache off', request: requests.rest },
    sameShape: false,
    target: GRAPHQL_VS_REST,
  }),
  scenario({
    name: 'graphql-get-vs-rest',
    description: 'GraphQL GET (as graphql-listing-get) against the REST listing of the same posts',
    blog: 'largest',
    finchEnvironment: JIT,
    request: requests.graphqlGet,
    baseline: { label: 'the REST listing, response cache off', request: requests.rest },
    sameShape: false,
    target: GRAPHQL_VS_REST,
  }),
  scenario({
    name: 'graphql-post-vs-rest-small',
    description:
      "As graphql-post-vs-rest, on the smallest blog index (/guides/, 4,000 posts), where counting the posts costs PostgreSQL a tenth as much and Finch's own layers weigh more",
    blog: 'smallest',
    finchEnvironment: JIT,
    request: requests.graphqlPost,
    baseline: { label: 'the REST listing, response cache off', request: requests.rest },
    sameShape: false,
    target: GRAPHQL_VS_REST,
  }),
  scenario({
    name: 'graphql-jit-vs-interpreted',
    description:
      'GraphQL POST on /guides/ with GRAPHQL_JIT=1 (the default: graphql-jit compiles a query after its first run) against a second Finch with GRAPHQL_JIT=0 (graphql-js executes every request); above 1.00× the JIT helps',
    blog: 'smallest',
    finchEnvironment: JIT,
    request: requests.graphqlPost,
    baseline: { label: 'a second Finch with GRAPHQL_JIT=0', finchEnvironment: INTERPRETED },
  }),
  scenario({
    name: 'rest-listing-fields-cached',
    description:
      'The REST listing of /blog/ (as rest-listing-fields-uncached), over and over, response cache on (for information: GraphQL has no response cache)',
    blog: 'largest',
    finchEnvironment: CACHED,
    request: requests.rest,
    baseline: rawDeliveryHandler,
    sameShape: false,
    sameSql: true,
    target: { minThroughputRatio: 1 },
  }),
];

export const graphqlSuite: BenchSuite = {
  name: 'graphql',
  title: 'GraphQL on 100,000 pages',
  scenarios: graphqlScenarios,
  finchEnvironment: { LOG_LEVEL: 'warn' },
  withDatabase: withSeededContent,
};
