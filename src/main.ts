import 'reflect-metadata';
import { DataDirectoryInUseError } from '#src/database/embedded-postgres.js';
import { createFinchApp, type FinchApp } from '#src/finch-app.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import { exitAfterFlush, loadConfigOrExit, stopOnSignals } from '#src/process-lifecycle.js';

async function main(): Promise<void> {
  const { config, notices } = loadConfigOrExit();
  const logger = createRootLogger(config);
  for (const notice of notices) logger.warn(notice);

  let finch: FinchApp | undefined;
  try {
    finch = await createFinchApp(config, { logger });
    await finch.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    if (error instanceof DataDirectoryInUseError) logger.fatal(error.message);
    else logger.fatal({ err: error }, `Finch could not start: ${(error as Error).message}`);
    await finch?.close().catch(() => undefined);
    exitAfterFlush(logger, 1);
    return;
  }
  const address = finch.app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(`Finch is ready on http://${config.host}:${port} (public URL ${config.publicUrl}).`);
  stopOnSignals(logger, config.shutdownTimeoutMs, finch.close);
}

void main();
