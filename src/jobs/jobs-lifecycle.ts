import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { JobQueues } from '#src/jobs/job-queues.js';
import { JobWorkers } from '#src/jobs/job-workers.js';
import { OutboxRelay } from '#src/jobs/outbox-relay.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';

export const RUN_JOB_WORKERS = Symbol('RUN_JOB_WORKERS');

/**
 * Starts and stops the job system in one place, in the order that loses nothing: at
 * start the queue schema, then the relay and the workers; at shutdown the relay, then the
 * workers (finishing the jobs in hand), then the queues, then the connections — all
 * before the database pool closes.
 */
@Injectable()
export class JobsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(RUN_JOB_WORKERS) private readonly runWorkers: boolean,
    private readonly connection: QueueConnection,
    private readonly queues: JobQueues,
    private readonly relay: OutboxRelay,
    private readonly workers: JobWorkers,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connection.prepare();
    if (!this.runWorkers) return;
    await this.relay.start();
    this.workers.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.workers.stop();
    await this.queues.close();
    await this.connection.close();
  }
}
