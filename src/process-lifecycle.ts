import type { Logger as PinoLogger } from 'pino';
import {
  InvalidConfigError,
  type LoadedConfig,
  loadConfigFromProcess,
} from '#src/config/app-config.js';

/** Loads the configuration or, when it is wrong, prints every problem and exits 1. */
export function loadConfigOrExit(): LoadedConfig {
  try {
    return loadConfigFromProcess();
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Ends the process once logs are flushed, even if a stray handle would keep it alive. */
export function exitAfterFlush(logger: PinoLogger, code: number): void {
  logger.flush();
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}

/**
 * On SIGTERM or SIGINT: run `close` (finish work in hand, close pools and queues), then
 * exit 0; exit 1 if it fails or takes longer than `timeoutMs`.
 */
export function stopOnSignals(
  logger: PinoLogger,
  timeoutMs: number,
  close: () => Promise<void>,
  what = 'requests in flight',
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing ${what}, then stopping.`);
    setTimeout(() => {
      logger.error(
        `Shutdown took longer than ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting anyway.`,
      );
      process.exit(1);
    }, timeoutMs).unref();
    close()
      .then(() => {
        logger.info('Stopped cleanly.');
        exitAfterFlush(logger, 0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Error while stopping');
        exitAfterFlush(logger, 1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
