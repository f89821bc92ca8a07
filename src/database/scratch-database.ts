import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '#src/database/embedded-postgres.js';
import { createDatabase, dropDatabase } from '#src/database/postgres-admin.js';

/**
 * Runs `work` against a new, empty database that is thrown away afterwards: on the same
 * server as `serverUrl`, or an embedded one in a temporary directory when it is unset.
 * Schema checks use it so they compare entities with migrations, never with your data.
 */
export async function withScratchDatabase<T>(
  serverUrl: string | undefined,
  work: (url: string) => Promise<T>,
): Promise<T> {
  if (serverUrl) {
    const name = `finch_scratch_${process.pid}_${randomBytes(4).toString('hex')}`;
    const url = await createDatabase(serverUrl, name);
    try {
      return await work(url);
    } finally {
      await dropDatabase(serverUrl, name);
    }
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'finch-scratch-'));
  const embedded = await startEmbeddedPostgres(directory);
  try {
    return await work(embedded.url);
  } finally {
    await embedded.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
