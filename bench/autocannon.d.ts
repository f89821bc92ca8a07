/**
 * The part of autocannon 9's programmatic API the bench uses. autocannon ships no types and
 * @types/autocannon describes an older major, so the few shapes we rely on are stated here.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** One request of a sequence; `setupRequest` may change it each time it is sent. */
  interface RequestSpec {
    method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (request: RequestSpec) => RequestSpec;
  }

  interface Options {
    url: string;
    /** Sent in turn by every connection; each entry's fields override the defaults above. */
    requests?: RequestSpec[];
    method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    pipelining?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    renderProgressBar?: boolean;
    renderResultsTable?: boolean;
    renderLatencyTable?: boolean;
  }

  /**
   * The plain counters of a run. Inside a worker thread autocannon resolves with its
   * per-worker result, whose histograms are encoded and not aggregated, so only these
   * fields are relied on; throughput and latency are computed from 'response' events.
   */
  interface Result {
    /** Seconds the run actually lasted. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
    on(
      event: 'response',
      listener: (
        client: unknown,
        statusCode: number,
        bytes: number,
        responseTimeMs: number,
      ) => void,
    ): this;
  }

  function autocannon(options: Options): Instance;

  export default autocannon;
  export type { Instance, Options, RequestSpec, Result };
}
