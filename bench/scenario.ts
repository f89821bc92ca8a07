import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';

/** The request autocannon repeats, identically, against Finch and against the baseline. */
export interface BenchRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/api/v2/pages?type=blog.BlogPage&limit=20`. */
  path: string;
  /**
   * When set, each request takes the next of these instead of `path` (each load run starts
   * at a random one), so that a cache keyed by URL cannot answer it. `path` is still the
   * request whose answer is compared between Finch and the baseline.
   */
  paths?: string[];
  headers?: Record<string, string>;
  body?: string;
  /** The status every response must have (e.g. 302 for a redirect); any 2xx when unset. */
  expectedStatus?: number;
}

/**
 * Twins of the connection pools a Finch server process holds, with the same sizes and
 * session settings, on the run's scratch database (already migrated by Finch's boot).
 */
export interface BaselinePools {
  /** Like TypeORM's pool (src/database/data-source-options.ts): DATABASE_POOL_SIZE. */
  app: pg.Pool;
  /** Like the job queues' pool (src/jobs/queue-connection.ts) when there is no REDIS_URL. */
  queue: pg.Pool;
}

/**
 * The least code that answers the same request with the same SQL: `node:http` and the
 * pools above, nothing else. It is what Finch's own overhead is measured against, so keep
 * it honest: same queries on the same pools, same connection use, same response body.
 */
export type BaselineHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  pools: BaselinePools,
) => Promise<void> | void;

export interface SeedContext {
  pools: BaselinePools;
  /** Finch's address (e.g. http://127.0.0.1:40123), for seeds that go through the API. */
  finchUrl: string;
}

/**
 * Finch itself as the baseline, measured in the same alternating rounds as a raw server would
 * be: Finch answering another request for the same data (GraphQL against the REST listing),
 * or a second Finch with other settings (GRAPHQL_JIT=0 against the default).
 */
export interface FinchBaseline {
  /** Who the baseline is, shown in the results: `REST`, `GRAPHQL_JIT=0`. */
  label: string;
  /** What it is asked; the scenario's request when unset. */
  request?: BenchRequest;
  /**
   * Settings on top of the scenario's; when given, a second Finch runs with them for the
   * scenario, beside the first (only one of the two is under load at a time).
   */
  finchEnvironment?: Record<string, string>;
}

export function isFinchBaseline(
  baseline: BaselineHandler | FinchBaseline,
): baseline is FinchBaseline {
  return typeof baseline !== 'function';
}

/** What the baseline is asked: its own request when it is Finch answering otherwise. */
export function baselineRequestOf(scenario: Scenario): BenchRequest {
  return (isFinchBaseline(scenario.baseline) && scenario.baseline.request) || scenario.request;
}

/** What Finch must reach, as a ratio to the baseline measured in the same run. */
export interface ScenarioTarget {
  /** Finch requests/s ÷ baseline requests/s must be at least this. */
  minThroughputRatio: number;
}

/**
 * One benchmark. Adding a feature's benchmark means adding one of these to
 * `bench/scenarios.ts`; the harness does the rest (seeding, warm-up, both runs, report).
 */
export interface Scenario {
  /** Short and stable: it is the row's key in bench/RESULTS.md. */
  name: string;
  /** One line on what is measured, shown in the results. */
  description: string;
  request: BenchRequest;
  /** A raw `node:http` handler (the usual), or Finch itself answering otherwise. */
  baseline: BaselineHandler | FinchBaseline;
  /**
   * Puts the data the request reads into the scratch database, once, before both runs (or,
   * on a suite's prepared database, finds what to ask for and fills in `request`).
   */
  seed?: (context: SeedContext) => Promise<void>;
  /**
   * Settings Finch runs with for this scenario, on top of the suite's (e.g.
   * `DELIVERY_CACHE_SIZE: '0'`). Finch is restarted when they differ from the previous
   * scenario's, so order scenarios to keep restarts few.
   */
  finchEnvironment?: Record<string, string>;
  /**
   * Whether the baseline's body must have the JSON shape of Finch's (the default). A baseline
   * that sends what its SQL returned, as is, turns this off: then the status and content type
   * are still compared, and `sameSql` proves it did the same database work.
   */
  sameShape?: boolean;
  /**
   * Before the runs, the SQL the baseline sends for `request` is recorded and must all be
   * among the statements Finch sends for it (same text, same values).
   */
  sameSql?: boolean;
  /** None for a comparison recorded for information (the table then shows `—`). */
  target?: ScenarioTarget;
}

/**
 * A set of scenarios run together (`npm run bench -- --suite <name>`), on one database,
 * recorded as one section of RESULTS.md.
 */
export interface BenchSuite {
  /** `health`, `content`: the value of `--suite`. */
  name: string;
  /** Heading of its recorded runs. */
  title: string;
  scenarios: Scenario[];
  /** Settings Finch runs with throughout the suite; LOG_LEVEL is `silent` unless set here. */
  finchEnvironment?: Record<string, string>;
  /**
   * Gives the database the suite runs against, on the DATABASE_URL server: a scratch
   * database dropped afterwards unless the suite brings its own (a seeded one, kept).
   */
  withDatabase?: <T>(serverUrl: string, work: (databaseUrl: string) => Promise<T>) => Promise<T>;
}

/** Sends a JSON body the way Fastify does (so byte counts and headers compare fairly). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
