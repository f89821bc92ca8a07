import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';

/** The request autocannon repeats, identically, against Finch and against the baseline. */
export interface BenchRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/api/v2/pages?type=blog.BlogPage&limit=20`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
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
  baseline: BaselineHandler;
  /** Puts the data the request reads into the scratch database, once, before both runs. */
  seed?: (context: SeedContext) => Promise<void>;
  target: ScenarioTarget;
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
