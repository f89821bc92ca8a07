import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { RUN_JOB_WORKERS } from '#src/jobs/jobs-lifecycle.js';
import { JobsService } from '#src/jobs/jobs.service.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';
import {
  pruneRevisionsJob,
  sweepPublishingSchedulesJob,
} from '#src/publishing/jobs/publishing.jobs.js';

/**
 * Registers the repeating publishing jobs at start-up in every process that runs workers
 * (not in command-line tools): registering is idempotent (one scheduler per id in the
 * queue), so replicas agree on one schedule.
 */
@Injectable()
export class PublishingSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger('Publishing');

  constructor(
    private readonly jobs: JobsService,
    private readonly connection: QueueConnection,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // JobsModule keeps this flag to itself; it is read here rather than exported from there.
    const runsWorkers = this.moduleRef.get<boolean>(RUN_JOB_WORKERS, { strict: false });
    if (!runsWorkers) return;
    try {
      // The queue tables must exist first; preparing is idempotent, whichever hook runs first.
      await this.connection.prepare();
      await this.jobs.repeat(
        sweepPublishingSchedulesJob,
        'sweep-publishing-schedules',
        { pattern: '* * * * *' },
        {},
      );
      await this.jobs.repeat(pruneRevisionsJob, 'prune-revisions', { pattern: '17 3 * * *' }, {});
    } catch (error) {
      this.logger.error(`Could not register the publishing schedule jobs: ${String(error)}`);
      throw error;
    }
  }
}
