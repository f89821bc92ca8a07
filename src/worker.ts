import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { WorkerModule } from '#src/worker.module.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';
import { startHeartbeat, WORKER_HEARTBEAT_FILE } from '#src/jobs/worker-heartbeat.js';
import { FinchLogger } from '#src/logging/finch-logger.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import { exitAfterFlush, loadConfigOrExit, stopOnSignals } from '#src/process-lifecycle.js';

/**
 * The background worker (`npm run worker`, the compose `worker` service). It needs a
 * shared database: with the embedded one the server runs its jobs itself.
 */
async function main(): Promise<void> {
  const { config } = loadConfigOrExit();
  const logger = createRootLogger(config, 'finch-worker');
  if (!config.databaseUrl) {
    logger.fatal(
      'The worker needs DATABASE_URL: the embedded database belongs to the server process, which runs jobs itself. Set DATABASE_URL (and REDIS_URL) to run workers separately.',
    );
    exitAfterFlush(logger, 1);
    return;
  }
  try {
    const context = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(config, { url: config.databaseUrl, embedded: false }),
      { logger: new FinchLogger(logger), abortOnError: false },
    );
    const queue = context.get(QueueConnection);
    await queue.ping();
    const database = context.get(DataSource);
    const stopHeartbeat = startHeartbeat(
      async () => {
        await database.query('SELECT 1');
        await queue.ping();
      },
      (error) =>
        logger.warn({ err: error }, 'Worker health check failed; the heartbeat is not updated.'),
    );
    logger.info(
      `Worker is running (queue backend: ${queue.backend}; heartbeat ${WORKER_HEARTBEAT_FILE}).`,
    );
    stopOnSignals(
      logger,
      config.shutdownTimeoutMs,
      async () => {
        stopHeartbeat();
        await context.close();
      },
      'jobs in hand',
    );
  } catch (error) {
    logger.fatal({ err: error }, `The worker could not start: ${(error as Error).message}`);
    exitAfterFlush(logger, 1);
  }
}

void main();
