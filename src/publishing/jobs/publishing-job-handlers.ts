import { Injectable } from '@nestjs/common';
import { HandlesJob, type JobHandler } from '#src/jobs/job-definition.js';
import {
  type ExpiryPayload,
  expireLiveContentJob,
  pruneRevisionsJob,
  publishScheduledRevisionJob,
  type ScheduledRevisionPayload,
  sweepPublishingSchedulesJob,
} from '#src/publishing/jobs/publishing.jobs.js';
import { PublishingService } from '#src/publishing/publishing.service.js';

/**
 * Each handler re-checks under the row's lock whether its work is still due, so a job that
 * runs twice, late, after a cancel, or alongside the sweep does nothing the second time.
 */
@Injectable()
@HandlesJob(publishScheduledRevisionJob)
export class PublishScheduledRevisionHandler implements JobHandler<ScheduledRevisionPayload> {
  constructor(private readonly publishing: PublishingService) {}

  async handle(payload: ScheduledRevisionPayload): Promise<void> {
    await this.publishing.publishScheduledRevision(
      { type: payload.objectType, id: payload.objectId },
      payload.revisionId,
    );
  }
}

@Injectable()
@HandlesJob(expireLiveContentJob)
export class ExpireLiveContentHandler implements JobHandler<ExpiryPayload> {
  constructor(private readonly publishing: PublishingService) {}

  async handle(payload: ExpiryPayload): Promise<void> {
    await this.publishing.expireIfDue({ type: payload.objectType, id: payload.objectId });
  }
}

@Injectable()
@HandlesJob(sweepPublishingSchedulesJob)
export class SweepPublishingSchedulesHandler implements JobHandler<Record<string, never>> {
  constructor(private readonly publishing: PublishingService) {}

  async handle(): Promise<void> {
    await this.publishing.sweepSchedules();
  }
}

@Injectable()
@HandlesJob(pruneRevisionsJob)
export class PruneRevisionsHandler implements JobHandler<Record<string, never>> {
  constructor(private readonly publishing: PublishingService) {}

  async handle(): Promise<void> {
    await this.publishing.pruneRevisions();
  }
}
