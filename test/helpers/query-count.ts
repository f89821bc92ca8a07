import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requestContext } from '#src/logging/request-context.js';

/** SQL sent while handling the requests being counted, by request id. */
const recorders = new Map<string, string[]>();
let installed = false;

/**
 * Wraps pg's Client#query once per test file: every query sent inside a request's async
 * context is recorded under that request's id. (The test app runs in the test's process,
 * so it uses this same `pg`.) Background work — the outbox relay, workers, LISTEN — runs
 * outside any request and is not counted.
 */
function installRecorder(): void {
  if (installed) return;
  installed = true;
  const prototype = pg.Client.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const original = prototype.query;
  prototype.query = function recordQuery(this: unknown, ...args: unknown[]): unknown {
    const requestId = requestContext.getStore()?.requestId;
    const recorder = requestId ? recorders.get(requestId) : undefined;
    if (recorder) {
      const [first] = args;
      const text =
        typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
      recorder.push(text);
    }
    return original.apply(this, args);
  };
}

export interface CountedResponse {
  status: number;
  headers: Headers;
  body: string;
  /** The SQL the server sent to PostgreSQL while answering, in order. */
  queries: string[];
}

/**
 * Fetches `url` and returns the response with the SQL queries the server ran for it:
 * `expect((await fetchCountingQueries(url)).queries).toHaveLength(2)`.
 */
export async function fetchCountingQueries(
  url: string,
  init: RequestInit = {},
): Promise<CountedResponse> {
  installRecorder();
  const requestId = `query-count-${randomBytes(6).toString('hex')}`;
  const queries: string[] = [];
  recorders.set(requestId, queries);
  try {
    const headers = new Headers(init.headers);
    headers.set('x-request-id', requestId);
    const response = await fetch(url, { ...init, headers });
    const body = await response.text();
    return { status: response.status, headers: response.headers, body, queries: [...queries] };
  } finally {
    recorders.delete(requestId);
  }
}
