import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { JobDefinition } from '#src/jobs/job-definition.js';
import { JobQueues } from '#src/jobs/job-queues.js';
import { OutboxEntry } from '#src/jobs/outbox-entry.entity.js';

/** The channel the outbox relay listens on; NOTIFY is delivered only when the transaction commits. */
export const OUTBOX_CHANNEL = 'finch_outbox';

/**
 * Set on a query runner whose transaction wrote to the outbox, so this process's relay
 * can dispatch as soon as it commits (see OutboxRelay), even where NOTIFY cannot reach it.
 */
export const OUTBOX_WRITTEN = 'finch:outbox-written';

export interface EnqueueOptions {
  /**
   * The transaction of the change that causes the job: the job exists if and only if that
   * transaction commits. Without one, the job is written on its own.
   */
  manager?: EntityManager;
  /** Run no sooner than this many milliseconds after it reaches the queue. */
  delayMs?: number;
}

export interface RepeatOptions {
  /** A cron pattern, e.g. '0 * * * *' for every hour on the hour. */
  pattern?: string;
  /** Or simply every so many milliseconds. */
  everyMs?: number;
}

/** How features start background work. See docs/jobs-and-mail.md. */
@Injectable()
export class JobsService {
  /** Called after an enqueue made outside a transaction (inside one, on commit instead). */
  private onCommitted: () => void = () => undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: JobQueues,
  ) {}

  /** For the relay of this process: wake me when a job has been committed. */
  whenCommitted(callback: () => void): void {
    this.onCommitted = callback;
  }

  /**
   * Writes the job to the outbox (in `options.manager`'s transaction when given); the relay
   * hands it to the queue once committed. Returns the job's id, stable across retries.
   */
  async enqueue<Payload>(
    definition: JobDefinition<Payload>,
    payload: Payload,
    options: EnqueueOptions = {},
  ): Promise<string> {
    const manager = options.manager ?? this.dataSource.manager;
    const delayMs = Math.max(0, Math.round(options.delayMs ?? 0));
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(OutboxEntry)
      .values({ jobName: definition.name, payload: payload as object, delayMs })
      .returning(['id'])
      .execute();
    await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, definition.name]);
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) runner.data[OUTBOX_WRITTEN] = true;
    else this.onCommitted();
    return (result.identifiers[0] as { id: string }).id;
  }

  /**
   * Runs `definition` repeatedly (cron pattern or fixed interval) with the same payload.
   * Idempotent: calling it again with the same `schedulerId` updates the schedule.
   */
  async repeat<Payload>(
    definition: JobDefinition<Payload>,
    schedulerId: string,
    repeat: RepeatOptions,
    payload: Payload,
  ): Promise<void> {
    if (!repeat.pattern && !repeat.everyMs) throw new Error('repeat needs a pattern or everyMs.');
    await this.queues
      .queue(definition.name)
      .upsertJobScheduler(
        schedulerId,
        repeat.pattern ? { pattern: repeat.pattern } : { every: repeat.everyMs },
        { name: definition.name, data: payload, opts: jobOptions(definition) },
      );
  }

  async stopRepeating(definition: JobDefinition<unknown>, schedulerId: string): Promise<void> {
    await this.queues.queue(definition.name).removeJobScheduler(schedulerId);
  }
}

/** Keep finished jobs long enough that a late second hand-over of the same id is a no-op. */
export function jobOptions(definition: JobDefinition<unknown>) {
  return {
    attempts: definition.attempts,
    backoff: { type: definition.backoff.type, delay: definition.backoff.delayMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}
