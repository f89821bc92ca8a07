import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { type AppConfig, loadConfig } from '#src/config/app-config.js';
import { createDatabase, dropDatabase } from '#src/database/postgres-admin.js';
import { createFinchApp, type FinchApp } from '#src/finch-app.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import { assertTestEnvironment } from '#test/helpers/test-environment.js';

export interface TestDatabase {
  /** Unset means the app starts its own embedded database in `dataDir`. */
  url?: string;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A database no other test file sees: a clone of the migrated template on the
 * PostgreSQL server of DATABASE_URL, or else a new embedded one in a temporary directory.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  assertTestEnvironment();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'finch-test-'));
  const serverUrl = process.env.DATABASE_URL;
  const template = process.env.FINCH_TEST_TEMPLATE_DATABASE;
  if (!serverUrl) {
    return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  if (!template) throw new Error('The e2e global setup did not prepare a template database.');
  const owner = template.replace('finch_test_tpl_', '');
  const name = `finch_test_${owner}_${randomBytes(5).toString('hex')}`;
  const url = await createDatabase(serverUrl, name, { template });
  return {
    url,
    dataDir,
    drop: async () => {
      await dropDatabase(serverUrl, name);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  finch: FinchApp;
  config: AppConfig;
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  port: number;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real server on a free loopback port, on a fresh database, with Redis when
 * REDIS_URL is set. `env` adds or overrides environment variables for this app.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  options: { imports?: Array<Type | DynamicModule> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const { config } = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_FORMAT: 'json',
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL,
    // Test apps share one Redis: each gets queues of its own.
    QUEUE_PREFIX: `test_${randomBytes(5).toString('hex')}`,
    ...env,
  });
  const logger = createRootLogger(config);
  let finch: FinchApp;
  try {
    finch = await createFinchApp(config, { logger, imports: options.imports });
    await finch.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const address = finch.app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('The test app is not listening.');
  return {
    finch,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    port: address.port,
    database,
    close: async () => {
      await finch.close();
      await database.drop();
    },
  };
}
