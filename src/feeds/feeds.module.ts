import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { DeliveryModule } from '#src/delivery/delivery.module.js';
import { FeedPublisher } from '#src/feeds/feed-publisher.js';
import { Feed } from '#src/feeds/feed.entity.js';
import { FeedsAdminController } from '#src/feeds/feeds-admin.controller.js';
import { FeedsController } from '#src/feeds/feeds.controller.js';
import { FEEDS_PERMISSIONS } from '#src/feeds/feeds.permissions.js';
import { FeedsService } from '#src/feeds/feeds.service.js';
import { PagesModule } from '#src/pages/pages.module.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';

/**
 * Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of any part of the site, declared on content
 * types or made by hand (see docs/feeds.md). It gives the delivery API its `meta.feeds`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Feed]),
    AuditModule,
    ContentTypesModule,
    DeliveryModule,
    PagesModule,
    PermissionRegistryModule,
    PublishingModule,
  ],
  controllers: [FeedsAdminController, FeedsController],
  providers: [FeedsService, FeedPublisher, registerPermissions('feeds', FEEDS_PERMISSIONS)],
  exports: [FeedsService, FeedPublisher],
})
export class FeedsModule {}
