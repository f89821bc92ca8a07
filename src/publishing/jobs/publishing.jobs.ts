import { defineJob } from '#src/jobs/job-definition.js';
import type { PublishableType } from '#src/publishing/publishable-columns.js';

export interface ScheduledRevisionPayload {
  objectType: PublishableType;
  objectId: string;
  revisionId: string;
}

export interface ExpiryPayload {
  objectType: PublishableType;
  objectId: string;
}

/** Publishes a revision at its `approved_go_live_at` (the fast path; the sweep is the safety net). */
export const publishScheduledRevisionJob = defineJob<ScheduledRevisionPayload>({
  name: 'publish-scheduled-revision',
  attempts: 5,
  backoff: { type: 'exponential', delayMs: 5_000 },
});

/** Takes live content offline at its `expire_at`. */
export const expireLiveContentJob = defineJob<ExpiryPayload>({
  name: 'expire-live-content',
  attempts: 5,
  backoff: { type: 'exponential', delayMs: 5_000 },
});

/** Every minute: publishes and expires whatever is due and was missed (a restart, a lost job). */
export const sweepPublishingSchedulesJob = defineJob<Record<string, never>>({
  name: 'sweep-publishing-schedules',
  attempts: 1,
  concurrency: 1,
});

/** Daily: deletes revisions older than REVISION_RETENTION_DAYS, keeping live, latest and scheduled ones. */
export const pruneRevisionsJob = defineJob<Record<string, never>>({
  name: 'prune-revisions',
  attempts: 3,
  concurrency: 1,
});
