import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { Revision } from '#src/publishing/revision.entity.js';

/**
 * What pages and snippets share (Wagtail's draft, revision, lock and schedule mixins):
 * revisions, drafts and publishing, locks, schedules, and news of committed changes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Revision])],
  providers: [ContentChanges],
  exports: [ContentChanges],
})
export class PublishingModule {}
