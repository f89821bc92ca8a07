import 'reflect-metadata';
import { InvalidConfigError, loadConfigFromProcess } from '#src/config/app-config.js';
import { DataDirectoryInUseError } from '#src/database/embedded-postgres.js';
import { createFinchApp } from '#src/finch-app.js';
import { createRootLogger } from '#src/logging/root-logger.js';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfigFromProcess();
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { config, notices } = loaded;
  const logger = createRootLogger(config);
  for (const notice of notices) logger.warn(notice);

  let finch;
  try {
    finch = await createFinchApp(config, { logger });
    await finch.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    if (error instanceof DataDirectoryInUseError) logger.fatal(error.message);
    else logger.fatal({ err: error }, `Finch could not start: ${(error as Error).message}`);
    await finch?.close().catch(() => undefined);
    logger.flush();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 500).unref();
    return;
  }
  const address = finch.app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(`Finch is ready on http://${config.host}:${port} (public URL ${config.publicUrl}).`);

  const app = finch;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing requests in flight, then stopping.`);
    setTimeout(() => {
      logger.error(
        `Shutdown took longer than ${config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting anyway.`,
      );
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app
      .close()
      .then(() => {
        logger.info('Stopped cleanly.');
        logger.flush();
        process.exitCode = 0;
        setTimeout(() => process.exit(0), 500).unref();
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Error while stopping');
        logger.flush();
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
