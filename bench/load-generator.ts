import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { BenchRequest } from './scenario.js';

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  /** Responses (of any status) per second over the measured run. */
  requestsPerSecond: number;
  responses: number;
  /** Exact percentiles of every response's latency (autocannon's own histogram rounds to 1 ms). */
  latencyMs: { mean: number; p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /**
   * CPU time (user + system) of this process's main thread — where the server under load
   * runs — per measured response, in ms. Unlike throughput it hardly moves when other work
   * competes for the machine. Undefined where Linux's per-thread counters are not available.
   */
  serverCpuMsPerResponse?: number;
}

export interface LoadJob extends LoadSettings {
  url: string;
  request: BenchRequest;
}

/** CPU time of the main thread so far (ms), from /proc; undefined off Linux. */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name: state is the 3rd field, utime and stime the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Runs autocannon against `url` in a worker thread, so the load generator never shares an
 * event loop with the server it measures (which runs on this process's main thread).
 * A warm-up of `warmupSeconds` comes first and is not counted. Aborting `signal` cuts the
 * run short; the promise then rejects.
 */
export function generateLoad(job: LoadJob, signal?: AbortSignal): Promise<LoadResult> {
  if (signal?.aborted) return Promise.reject(new Error('The load run was interrupted.'));
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-generator-worker.js', import.meta.url), {
      workerData: job,
    });
    let settled = false;
    const onAbort = () => worker.postMessage('stop');
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // The worker listens for 'stop' until told otherwise, so it is ended here.
      void worker.terminate();
      finish();
    };
    let cpuAtStart: number | undefined;
    worker.on(
      'message',
      (message: { measuring?: boolean; result?: LoadResult; error?: string }) => {
        if (message.measuring) {
          cpuAtStart = mainThreadCpuMs();
          return;
        }
        const cpuAtEnd = mainThreadCpuMs();
        settle(() => {
          if (signal?.aborted) reject(new Error('The load run was interrupted.'));
          else if (message.result) {
            const { responses } = message.result;
            resolve({
              ...message.result,
              serverCpuMsPerResponse:
                cpuAtStart === undefined || cpuAtEnd === undefined || responses === 0
                  ? undefined
                  : (cpuAtEnd - cpuAtStart) / responses,
            });
          } else reject(new Error(`The load generator failed: ${message.error ?? 'no result'}`));
        });
      },
    );
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`The load generator exited (code ${code}) without a result.`))),
    );
  });
}
