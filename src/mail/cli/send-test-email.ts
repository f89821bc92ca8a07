import 'reflect-metadata';
import os from 'node:os';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '#src/config/app-config.js';
import { ConfigModule } from '#src/config/config.module.js';
import { DatabaseModule, type DatabaseTarget } from '#src/database/database.module.js';
import {
  DataDirectoryInUseError,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from '#src/database/embedded-postgres.js';
import { JobsModule } from '#src/jobs/jobs.module.js';
import { FinchLogger } from '#src/logging/finch-logger.js';
import { createRootLogger } from '#src/logging/root-logger.js';
import { InvalidMailAddressError } from '#src/mail/mail.errors.js';
import { MailModule } from '#src/mail/mail.module.js';
import { MailService } from '#src/mail/mail.service.js';
import { MailTransport } from '#src/mail/mail-transport.js';
import { loadConfigOrExit } from '#src/process-lifecycle.js';

const USAGE = `Usage: npm run sendtestemail -- <address> [<address> ...]
  Queues Finch's test message to the given addresses (one message, like Django's
  sendtestemail), prints its id and which process will send it, and exits.`;

/** Just enough of Finch to queue a message: configuration, the database, the outbox, mail. */
@Module({})
class SendTestEmailModule {
  static forRoot(config: AppConfig, database: DatabaseTarget): DynamicModule {
    return {
      module: SendTestEmailModule,
      imports: [
        ConfigModule.forRoot(config),
        // The server migrates; a command never changes the schema behind its back.
        DatabaseModule.forRoot(database, { migrateOnBoot: false }),
        // Only writes to the outbox: the server's or the worker's relay hands it to the queue.
        JobsModule.forRoot({ runWorkers: false }),
        MailModule,
      ],
    };
  }
}

function requestedBy(): string {
  let user = 'someone';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for this uid, as in some containers.
  }
  return `${user}@${os.hostname()} (npm run sendtestemail)`;
}

/** Which process will pick the message up, given this process's configuration. */
function whoSendsIt(config: AppConfig, embedded: boolean): string {
  if (embedded) {
    return 'The server sends it. It is not running now (this command had the embedded database to itself): the message goes out once you start it (npm start).';
  }
  if (config.jobs.runWorkersInProcess) {
    return 'The server (npm start) sends it: it runs the job workers itself (REDIS_URL is unset, or RUN_WORKERS_IN_PROCESS=true).';
  }
  return 'A worker (npm run worker, the Compose "worker" service) sends it.';
}

async function main(args: string[]): Promise<number> {
  const addresses = args.filter((arg) => arg !== '--');
  if (addresses.length === 0 || addresses.some((arg) => arg === '-h' || arg === '--help')) {
    console.error(USAGE);
    return 2;
  }
  const { config } = loadConfigOrExit();
  // A command prints what matters itself; the logs only speak up for problems (or when asked).
  const level = ['debug', 'trace'].includes(config.log.level) ? config.log.level : 'warn';
  const logger = createRootLogger({ log: { ...config.log, level } }, 'finch-sendtestemail');

  let embedded: EmbeddedPostgres | undefined;
  try {
    embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
    const database: DatabaseTarget = embedded
      ? { url: embedded.url, embedded: true, directory: embedded.directory }
      : { url: config.databaseUrl!, embedded: false };
    const context = await NestFactory.createApplicationContext(
      SendTestEmailModule.forRoot(config, database),
      { logger: new FinchLogger(logger), abortOnError: false },
    );
    try {
      const id = await context.get(MailService).send({
        to: addresses,
        template: 'test-email',
        context: { requestedBy: requestedBy(), requestedAt: new Date().toISOString() },
      });
      const transport = context.get(MailTransport);
      console.log(`Queued test message ${id} to ${addresses.join(', ')}.`);
      console.log(whoSendsIt(config, Boolean(embedded)));
      console.log(
        config.mail.smtpUrl
          ? `It goes out through ${transport.description}, from ${config.mail.from}.`
          : 'SMTP_URL is unset: that process writes it to its log instead of sending it.',
      );
      console.log(
        `Follow it: SELECT status, attempts, last_error FROM mail_messages WHERE id = '${id}';`,
      );
      return 0;
    } finally {
      await context.close();
    }
  } catch (error) {
    if (error instanceof InvalidMailAddressError) {
      console.error(error.detail);
      for (const problem of error.errors ?? []) {
        const index = /\[(\d+)\]$/.exec(problem.path)?.[1];
        const given = index === undefined ? '' : ` (${JSON.stringify(addresses[Number(index)])})`;
        console.error(`  ${problem.path}${given}: ${problem.message}`);
      }
      return 1;
    }
    if (error instanceof DataDirectoryInUseError) {
      console.error(
        `${error.message}\nWith the embedded database only one process can use it: stop the server, run this command, then start the server again (it sends the message when it starts).`,
      );
      return 1;
    }
    if (/relation "mail_messages" does not exist/.test((error as Error).message)) {
      console.error(
        'The database has no mail_messages table yet: apply the migrations first (npm run migration:run, or start the server once).',
      );
      return 1;
    }
    logger.error({ err: error }, `Could not queue the test message: ${(error as Error).message}`);
    return 1;
  } finally {
    await embedded?.stop();
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Ends the process even if a stray handle (a socket closing slowly) would keep it alive.
  setTimeout(() => process.exit(code), 500).unref();
});
