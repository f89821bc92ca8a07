import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import {
  JOB_HANDLER_METADATA,
  type JobDefinition,
  type JobHandler,
  PermanentJobError,
} from '#src/jobs/job-definition.js';
import { JobQueues } from '#src/jobs/job-queues.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';

/**
 * Finds every provider marked @HandlesJob, registers its job definition, and — in a
 * process that runs workers — starts one BullMQ worker per job type.
 */
@Injectable()
export class JobWorkers implements OnModuleInit {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  private workers: Worker[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly queues: JobQueues,
    private readonly connection: QueueConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as unknown;
      const metatype = wrapper.metatype;
      if (!instance || !metatype) continue;
      const definition = this.reflector.get<JobDefinition<unknown> | undefined>(
        JOB_HANDLER_METADATA,
        metatype,
      );
      if (!definition) continue;
      if (this.handlers.has(definition.name)) {
        throw new Error(
          `Two providers handle the job "${definition.name}"; one job type has one handler.`,
        );
      }
      this.queues.register(definition);
      this.handlers.set(definition.name, instance as JobHandler<unknown>);
    }
  }

  start(): void {
    for (const [name, handler] of this.handlers) {
      const definition = this.queues.definition(name)!;
      const processor = async (job: Job) => {
        try {
          await handler.handle(job.data, {
            jobId: job.id ?? '',
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
          });
        } catch (error) {
          // BullMQ's way of saying "do not try again".
          if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
          throw error;
        }
      };
      const worker = this.connection.newWorker(name, processor, {
        concurrency: definition.concurrency,
        // A worker that died mid-job loses its lock after this long, and the job runs again.
        lockDuration: this.config.jobs.stalledIntervalMs,
        stalledInterval: this.config.jobs.stalledIntervalMs,
        maxStalledCount: 3,
        // How long an idle worker waits for news before asking again. The embedded
        // database cannot deliver PostgreSQL notifications between connections, so there
        // asking often is what keeps jobs prompt.
        drainDelay: this.connection.embedded ? 1 : 5,
      });
      worker.on('failed', (job, error) => {
        const attempts = `${job?.attemptsMade ?? '?'}/${job?.opts.attempts ?? '?'}`;
        this.logger.warn(
          `Job ${name} ${job?.id ?? ''} failed (attempt ${attempts}): ${error.message}`,
        );
      });
      worker.on('error', (error) => this.logger.error(`Worker for ${name}: ${error.message}`));
      this.workers.push(worker);
    }
    if (this.workers.length > 0) {
      this.logger.log(`Processing jobs: ${[...this.handlers.keys()].join(', ')}.`);
    }
  }

  /** Finishes the jobs in hand, then stops taking new ones. */
  async stop(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.close()));
  }
}
