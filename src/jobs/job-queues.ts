import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { JobDefinition } from '#src/jobs/job-definition.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';

/** One BullMQ queue per job definition, created on first use and shared in this process. */
@Injectable()
export class JobQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly definitions = new Map<string, JobDefinition<unknown>>();

  constructor(private readonly connection: QueueConnection) {}

  register(definition: JobDefinition<unknown>): void {
    const known = this.definitions.get(definition.name);
    if (known && known !== definition) {
      throw new Error(`Two job definitions are named "${definition.name}"; names must be unique.`);
    }
    this.definitions.set(definition.name, definition);
  }

  definition(name: string): JobDefinition<unknown> | undefined {
    return this.definitions.get(name);
  }

  registered(): JobDefinition<unknown>[] {
    return [...this.definitions.values()];
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.connection.newQueue(name);
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }
}
