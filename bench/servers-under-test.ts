import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '#src/config/app-config.js';
import { createFinchApp } from '#src/finch-app.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import type { BaselineHandler, BaselinePools } from './scenario.js';

export interface ServerUnderTest {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

/**
 * Finch's HTTP process as production runs it (NODE_ENV=production, migrations at boot, job
 * workers in their own process) but silent, with the queues on PostgreSQL, on a loopback
 * port, in this process. Only the given variables are used: a developer's .env or
 * REDIS_URL does not leak into the measurement.
 */
export async function startFinch(databaseUrl: string, poolSize: number): Promise<ServerUnderTest> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'finch-bench-'));
  const { config } = loadConfig({
    NODE_ENV: 'production',
    SECRET_KEY: randomBytes(48).toString('base64url'),
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_URL: 'http://localhost',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(poolSize),
    DATA_DIR: dataDir,
    MIGRATE_ON_BOOT: 'true',
    RUN_WORKERS_IN_PROCESS: 'false',
    LOG_LEVEL: 'silent',
    LOG_FORMAT: 'json',
  });
  try {
    const finch = await createFinchApp(config, { logger: createRootLogger(config) });
    await finch.app.listen({ port: 0, host: '127.0.0.1' });
    const address = finch.app.getHttpServer().address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${address.port}`,
      close: async () => {
        await finch.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The baseline's twins of Finch's pools; see BaselinePools. End them with `closePools`. */
export function openBaselinePools(databaseUrl: string, poolSize: number): BaselinePools {
  const pools = {
    app: new pg.Pool({
      connectionString: databaseUrl,
      max: poolSize,
      application_name: 'finch-bench-baseline',
    }),
    // As in src/jobs/queue-connection.ts.
    queue: new pg.Pool({
      connectionString: databaseUrl,
      max: 30,
      options: '-c search_path=bullmq,public',
      application_name: 'finch-bench-baseline-queues',
    }),
  };
  // Reported by the queries that fail; an idle client's error must not crash the run.
  pools.app.on('error', () => undefined);
  pools.queue.on('error', () => undefined);
  return pools;
}

export async function closePools(pools: BaselinePools): Promise<void> {
  await Promise.all([pools.app.end(), pools.queue.end()]);
}

/** A bare `node:http` server answering every request with `handler`, on a loopback port. */
export async function startBaseline(
  handler: BaselineHandler,
  pools: BaselinePools,
): Promise<ServerUnderTest> {
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response, pools)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`baseline handler failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
