import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '#src/audit/audit.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import {
  ExpireLiveContentHandler,
  PruneRevisionsHandler,
  PublishScheduledRevisionHandler,
  SweepPublishingSchedulesHandler,
} from '#src/publishing/jobs/publishing-job-handlers.js';
import { PublishingSchedules } from '#src/publishing/jobs/publishing-schedules.js';
import { PublishingService } from '#src/publishing/publishing.service.js';
import { Revision } from '#src/publishing/revision.entity.js';
import { ReferencesModule } from '#src/references/references.module.js';
import { SearchModule } from '#src/search/search.module.js';

/**
 * What pages and snippets share (Wagtail's draft, revision, lock and schedule mixins):
 * revisions, drafts and publishing, locks, schedules, and news of committed changes.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Revision]),
    AuditModule,
    ContentTypesModule,
    ReferencesModule,
    SearchModule,
  ],
  providers: [
    ContentChanges,
    PublishingService,
    PublishScheduledRevisionHandler,
    ExpireLiveContentHandler,
    SweepPublishingSchedulesHandler,
    PruneRevisionsHandler,
    PublishingSchedules,
  ],
  exports: [ContentChanges, PublishingService],
})
export class PublishingModule {}
