import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobQueues } from '#src/jobs/job-queues.js';
import {
  JobNotFailedError,
  JobNotFoundError,
  UnknownQueueError,
} from '#src/jobs/jobs-admin.errors.js';

export interface QueueSummary {
  name: string;
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number };
}

export interface FailedJob {
  id: string;
  queue: string;
  /** The error of the last attempt. */
  error: string;
  attemptsMade: number;
  maxAttempts: number;
  createdAt: string;
  failedAt: string | null;
  payload: unknown;
}

/** What an operator sees of the queues, and the two things they can do about a failed job. */
@Injectable()
export class JobsAdminService {
  constructor(private readonly queues: JobQueues) {}

  async summaries(): Promise<QueueSummary[]> {
    const names = this.queues
      .registered()
      .map((definition) => definition.name)
      .sort();
    return Promise.all(
      names.map(async (name) => {
        const counts = await this.queues
          .queue(name)
          .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        return {
          name,
          counts: {
            waiting: counts.waiting ?? 0,
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            failed: counts.failed ?? 0,
            completed: counts.completed ?? 0,
          },
        };
      }),
    );
  }

  async failed(
    queueName: string,
    { limit = 20, offset = 0 }: { limit?: number; offset?: number },
  ): Promise<{ items: FailedJob[]; total: number }> {
    const queue = this.queue(queueName);
    const [jobs, total] = await Promise.all([
      queue.getFailed(offset, offset + limit - 1),
      queue.getFailedCount(),
    ]);
    return { items: jobs.map((job) => describe(queueName, job as Job)), total };
  }

  /** Puts a failed job back in the queue for another round of attempts. */
  async retry(queueName: string, id: string): Promise<void> {
    const job = await this.failedJob(queueName, id);
    await job.retry('failed');
  }

  /** Removes a failed job for good. */
  async discard(queueName: string, id: string): Promise<void> {
    const job = await this.failedJob(queueName, id);
    await job.remove();
  }

  private queue(name: string) {
    if (!this.queues.definition(name)) throw new UnknownQueueError(name);
    return this.queues.queue(name);
  }

  private async failedJob(queueName: string, id: string): Promise<Job> {
    const job = (await this.queue(queueName).getJob(id)) as Job | undefined;
    if (!job) throw new JobNotFoundError(queueName, id);
    const state = await job.getState();
    if (state !== 'failed') throw new JobNotFailedError(id, state);
    return job;
  }
}

function describe(queue: string, job: Job): FailedJob {
  return {
    id: job.id ?? '',
    queue,
    error: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    createdAt: new Date(job.timestamp).toISOString(),
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    payload: job.data as unknown,
  };
}
