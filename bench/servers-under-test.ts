import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { loadConfig } from '#src/config/app-config.js';
import { createFinchApp } from '#src/finch-app.js';
import { requestContext } from '#src/logging/request-context.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import type { BaselineHandler, BaselinePools } from './scenario.js';

export interface ServerUnderTest {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

export interface FinchUnderTest extends ServerUnderTest {
  /** The Nest application, for seeds that go through Finch's services. */
  app: NestFastifyApplication;
}

/**
 * Finch's HTTP process as production runs it (NODE_ENV=production, migrations at boot, job
 * workers in their own process) but silent, with the queues on PostgreSQL, on a loopback
 * port, in this process. Only the given variables are used: a developer's .env or
 * REDIS_URL does not leak into the measurement; `environment` adds or overrides some
 * (a suite's LOG_LEVEL, a scenario's cache setting).
 */
export async function startFinch(
  databaseUrl: string,
  poolSize: number,
  environment: Record<string, string> = {},
): Promise<FinchUnderTest> {
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
    ...environment,
  });
  try {
    const finch = await createFinchApp(config, { logger: createRootLogger(config) });
    await finch.app.listen({ port: 0, host: '127.0.0.1' });
    const address = finch.app.getHttpServer().address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${address.port}`,
      app: finch.app,
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

/** The `x-request-id` of the baseline request being handled, so its SQL can be recorded. */
const baselineRequest = new AsyncLocalStorage<string | undefined>();

/** What `recordSql` saw: each statement as its text and its values. */
export interface RecordedSql {
  finch: string[];
  baseline: string[];
}

/**
 * Runs `work` while recording every statement (name, text, values) sent through `pg` (which Finch and the
 * baseline share, being in this process) while either server handles a request whose
 * `x-request-id` is `requestId` (Finch keeps a safe incoming id as its request id).
 */
export async function recordSql(
  requestId: string,
  work: () => Promise<void>,
): Promise<RecordedSql> {
  const recorded: RecordedSql = { finch: [], baseline: [] };
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function recordQuery(this: unknown, ...args: unknown[]): unknown {
    const [first, second] = args;
    const config =
      typeof first === 'string'
        ? { text: first, values: second }
        : (first as { name?: string; text?: string; values?: unknown } | null);
    // The name too: a named statement is prepared once per connection, an unnamed one is
    // parsed and planned every time, and PostgreSQL may plan the two differently.
    const name = config && 'name' in config && config.name ? `[${config.name}] ` : '';
    const statement = `${name}${config?.text ?? ''} ${JSON.stringify(config?.values ?? [])}`;
    if (baselineRequest.getStore() === requestId) recorded.baseline.push(statement);
    else if (requestContext.getStore()?.requestId === requestId) recorded.finch.push(statement);
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return recorded;
}

/**
 * A bare `node:http` server answering every request with `handler`, on a loopback port.
 * Closing it waits for the requests still being handled, so none of them runs on into the
 * next measurement.
 */
export async function startBaseline(
  handler: BaselineHandler,
  pools: BaselinePools,
): Promise<ServerUnderTest> {
  const handling = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const id = request.headers['x-request-id'];
    const handled: Promise<void> = baselineRequest
      .run(typeof id === 'string' ? id : undefined, async () => {
        await handler(request, response, pools);
      })
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`baseline handler failed: ${String(error)}`);
      })
      .finally(() => handling.delete(handled));
    handling.add(handled);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await Promise.allSettled([...handling]);
    },
  };
}
