import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { DATABASE_TARGET, type DatabaseTarget } from '#src/database/database.module.js';
import { JobQueues } from '#src/jobs/job-queues.js';
import { jobOptions, JobsService, OUTBOX_CHANNEL, OUTBOX_WRITTEN } from '#src/jobs/jobs.service.js';

const BATCH_SIZE = 200;
/** The fallback when a notification is missed (a restart, a dropped LISTEN connection). */
const POLL_INTERVAL_MS = 1_000;
const PRUNE_INTERVAL_MS = 15 * 60_000;

interface PendingRow {
  id: string;
  job_name: string;
  payload: unknown;
  /** bigint: the driver hands it over as a string. */
  delay_ms: string;
}

/**
 * Moves committed outbox rows to their queues, with the outbox id as the job id, then
 * marks them dispatched. No transaction is held while talking to the queue: a crash
 * between the two steps leaves the row pending, and handing it over again is a no-op
 * because the queue already has a job with that id.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private listener?: pg.Client;
  private timers: NodeJS.Timeout[] = [];
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: JobQueues,
    jobs: JobsService,
  ) {
    // Dispatch the moment this process commits a job. NOTIFY covers the other processes;
    // it cannot carry this one on the embedded database, whose connections share a session.
    jobs.whenCommitted(() => this.trigger());
    const wakeOnCommit: EntitySubscriberInterface = {
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        if (event.queryRunner.data[OUTBOX_WRITTEN]) {
          delete event.queryRunner.data[OUTBOX_WRITTEN];
          this.trigger();
        }
      },
    };
    this.dataSource.subscribers.push(wakeOnCommit);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.timers.push(setInterval(() => this.trigger(), POLL_INTERVAL_MS));
    this.timers.push(
      setInterval(() => void this.prune().catch(() => undefined), PRUNE_INTERVAL_MS),
    );
    for (const timer of this.timers) timer.unref();
    this.trigger();
  }

  /** Dispatches now (or right after the round in progress). */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while ((await this.dispatchPending()) === BATCH_SIZE && !this.stopped);
        } catch (error) {
          this.logger.warn(`Outbox dispatch failed, retrying shortly: ${(error as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Hands one batch of pending rows to their queues; returns how many it handled. */
  async dispatchPending(): Promise<number> {
    const rows = await this.dataSource.query<PendingRow[]>(
      `SELECT id, job_name, payload, delay_ms FROM outbox
        WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1`,
      [BATCH_SIZE],
    );
    if (rows.length === 0) return 0;
    const byQueue = new Map<string, PendingRow[]>();
    for (const row of rows) byQueue.set(row.job_name, [...(byQueue.get(row.job_name) ?? []), row]);
    for (const [name, entries] of byQueue) {
      const definition = this.queues.definition(name);
      if (!definition) {
        this.logger.error(
          `Outbox holds ${entries.length} job(s) named "${name}" but no module declares that job; they stay pending.`,
        );
        continue;
      }
      await this.queues.queue(name).addBulk(
        entries.map((entry) => ({
          name,
          data: entry.payload,
          opts: { ...jobOptions(definition), jobId: entry.id, delay: Number(entry.delay_ms) },
        })),
      );
      await this.dataSource.query(
        'UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::uuid[]) AND dispatched_at IS NULL',
        [entries.map((entry) => entry.id)],
      );
    }
    return rows.length;
  }

  /** Deletes dispatched rows older than OUTBOX_RETENTION_HOURS; returns how many. */
  async prune(): Promise<number> {
    const result = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM outbox WHERE dispatched_at < now() - make_interval(hours => $1)`,
      [this.config.jobs.outboxRetentionHours],
    );
    return result[1] ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.running;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Wakes the relay as soon as a transaction that enqueued a job commits. */
  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.target.url,
      application_name: 'finch-outbox',
    });
    client.on('notification', () => this.trigger());
    client.on('error', (error) => {
      this.logger.warn(
        `Outbox LISTEN connection lost (${error.message}); polling until it is back.`,
      );
      this.listener = undefined;
      setTimeout(
        () => void (this.stopped ? undefined : this.listen().catch(() => undefined)),
        1_000,
      ).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }
}
