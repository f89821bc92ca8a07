import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { pino } from 'pino';
import { CliModule } from '#src/cli/cli.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { startEmbeddedPostgres } from '#src/database/embedded-postgres.js';
import { FinchLogger } from '#src/logging/finch-logger.js';

/**
 * Runs `work` with Finch's services on the server's database: DATABASE_URL, or the
 * embedded one in DATA_DIR (which must not be in use by a running server). Logs go to
 * standard error, warnings and worse only unless LOG_LEVEL asks for more detail.
 * `imports` adds the modules a command needs beyond accounts.
 */
export async function withCliContext<T>(
  config: AppConfig,
  work: (context: INestApplicationContext) => Promise<T>,
  imports: Array<Type | DynamicModule> = [],
): Promise<T> {
  const level = config.log.level === 'info' ? 'warn' : config.log.level;
  const logger = pino({ name: 'finch-cli', level }, pino.destination({ fd: 2, sync: true }));
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  try {
    const context = await NestFactory.createApplicationContext(
      CliModule.forRoot(
        config,
        {
          url: config.databaseUrl ?? embedded!.url,
          embedded: Boolean(embedded),
          directory: embedded?.directory,
        },
        imports,
      ),
      { logger: new FinchLogger(logger), abortOnError: false },
    );
    try {
      return await work(context);
    } finally {
      await context.close();
    }
  } finally {
    // If start-up failed half-way, connections may be left open and stopping would wait
    // for them; the command is ending anyway.
    await Promise.race([embedded?.stop(), sleep(5_000)]);
  }
}
