import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JobsService } from '#src/jobs/jobs.service.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';
import {
  pruneRevisionsJob,
  sweepPublishingSchedulesJob,
} from '#src/publishing/jobs/publishing.jobs.js';

/**
 * Registers the repeating publishing jobs at start-up, in every process: registering is
 * idempotent (one scheduler per id in the queue), so replicas agree on one schedule.
 */
@Injectable()
export class PublishingSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger('Publishing');

  constructor(
    private readonly jobs: JobsService,
    private readonly connection: QueueConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
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
