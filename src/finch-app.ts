import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from '#src/app.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import type { DatabaseTarget } from '#src/database/database.module.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '#src/database/embedded-postgres.js';
import { ProblemDetailsFilter } from '#src/http/problem-details.filter.js';
import { configureHttp, createHttpAdapter } from '#src/http/http-server.js';
import { serveOpenApi } from '#src/http/openapi.js';
import { createValidationPipe } from '#src/http/validation.js';
import { FinchLogger } from '#src/logging/finch-logger.js';
import { installRequestLogging } from '#src/logging/request-logging.js';

export interface FinchApp {
  app: NestFastifyApplication;
  database: DatabaseTarget;
  /** Stops taking requests, finishes those in flight, closes pools and queues, stops the embedded database. */
  close: () => Promise<void>;
}

/** Which database to use: DATABASE_URL, or the embedded one in DATA_DIR. */
async function openDatabase(
  config: AppConfig,
  logger: PinoLogger,
): Promise<{ target: DatabaseTarget; embedded?: EmbeddedPostgres }> {
  if (config.databaseUrl) return { target: { url: config.databaseUrl, embedded: false } };
  const embedded = await startEmbeddedPostgres(config.dataDir);
  logger.warn(
    `Using the embedded database (PGlite) with its data in ${embedded.directory}. ` +
      'It is for trying Finch and for development, not for production: set DATABASE_URL to a PostgreSQL server there.',
  );
  return { target: { url: embedded.url, embedded: true, directory: embedded.directory }, embedded };
}

/** Builds the whole server, ready to listen. Used by main.ts and by the end-to-end tests. */
export async function createFinchApp(
  config: AppConfig,
  { logger, imports }: { logger: PinoLogger; imports?: Array<Type | DynamicModule> },
): Promise<FinchApp> {
  const { target, embedded } = await openDatabase(config, logger);
  let app: NestFastifyApplication;
  let created: NestFastifyApplication | undefined;
  try {
    app = created = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ config, database: target, imports }),
      createHttpAdapter(config, logger),
      { logger: new FinchLogger(logger), abortOnError: false },
    );
    installRequestLogging(app.getHttpAdapter().getInstance(), logger);
    await configureHttp(app, config);
    app.useGlobalFilters(new ProblemDetailsFilter());
    app.useGlobalPipes(createValidationPipe());
    serveOpenApi(app, config);
    await app.init();
  } catch (error) {
    // A failure during init (a module's boot check) leaves the database pool and queues
    // open; close them first, or stopping the embedded database waits for them forever.
    await created?.close().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    database: target,
    close: () => {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await embedded?.stop();
        }
      })();
      return closing;
    },
  };
}
