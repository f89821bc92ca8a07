import { parentPort, workerData } from 'node:worker_threads';
import autocannon, { type Instance, type Options } from 'autocannon';
import type { LoadJob, LoadResult } from './load-generator.js';

/**
 * The body of the worker thread started by generateLoad(): warm up, measure, report.
 * Every response's latency is kept (a few MB at most) for exact percentiles.
 */

const job = workerData as LoadJob;
let current: Instance | undefined;
let stopped = false;
/** Where the rotation through `request.paths` stands: it goes on from warm-up to the run. */
let nextPath = Math.floor(Math.random() * (job.request.paths?.length ?? 1));

parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  stopped = true;
  current?.stop();
});

/** With `request.paths`, every request built takes the next path, round the list. */
function rotatingPaths(paths: string[] | undefined): Pick<Options, 'requests'> {
  if (!paths || paths.length === 0) return {};
  return {
    requests: [
      {
        setupRequest: (request) => {
          const path = paths[nextPath % paths.length];
          nextPath += 1;
          return { ...request, path };
        },
      },
    ],
  };
}

function options(durationSeconds: number): Options {
  return {
    url: new URL(job.request.path, job.url).toString(),
    ...rotatingPaths(job.request.paths),
    method: job.request.method ?? 'GET',
    headers: job.request.headers,
    body: job.request.body,
    connections: job.connections,
    duration: durationSeconds,
    pipelining: 1,
    timeout: 10,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

async function measure(): Promise<LoadResult> {
  if (job.warmupSeconds > 0) {
    current = autocannon(options(job.warmupSeconds));
    await current;
  }
  if (stopped) throw new Error('stopped');

  parentPort?.postMessage({ measuring: true });
  const latencies: number[] = [];
  current = autocannon(options(job.durationSeconds));
  current.on('response', (_client, _status, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
  });
  const result = await current;

  const sorted = Float64Array.from(latencies).sort();
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    requestsPerSecond: sorted.length / result.duration,
    responses: sorted.length,
    latencyMs: { mean, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
  };
}

measure().then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
