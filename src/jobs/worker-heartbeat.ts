import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A worker serves no HTTP, so its container health check reads this file instead: the
 * worker touches it while its database and queue answer. Each container has its own /tmp.
 */
export const WORKER_HEARTBEAT_FILE = path.join(tmpdir(), 'finch-worker.heartbeat');
export const WORKER_HEARTBEAT_INTERVAL_MS = 10_000;

/** Beats every interval while `healthy()` resolves; returns a function that stops it. */
export function startHeartbeat(
  healthy: () => Promise<void>,
  onFailure: (error: unknown) => void,
  file = WORKER_HEARTBEAT_FILE,
  intervalMs = WORKER_HEARTBEAT_INTERVAL_MS,
): () => void {
  const beat = async () => {
    try {
      await healthy();
      await writeFile(file, `${new Date().toISOString()}\n`);
    } catch (error) {
      onFailure(error);
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
