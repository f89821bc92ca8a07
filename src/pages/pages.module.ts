import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { PagePermissionGrantsService } from '#src/pages/page-permission-grants.service.js';
import { PagePermission } from '#src/pages/page-permission.entity.js';
import { PagePermissionResolver } from '#src/pages/page-permission.resolver.js';
import { PagePermissionsAdminController } from '#src/pages/page-permissions-admin.controller.js';
import { PageTreeService } from '#src/pages/page-tree.service.js';
import { Page } from '#src/pages/page.entity.js';
import { PagesAdminController } from '#src/pages/pages-admin.controller.js';
import { PAGES_PERMISSIONS } from '#src/pages/pages.permissions.js';
import { PagesService } from '#src/pages/pages.service.js';
import { Site } from '#src/pages/site.entity.js';
import { SitesAdminController } from '#src/pages/sites-admin.controller.js';
import { SitesService } from '#src/pages/sites.service.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';
import { ReferencesModule } from '#src/references/references.module.js';

/** The page tree, sites, page permissions per subtree, and the pages management API. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Page, Site, PagePermission]),
    AccountsModule,
    AuditModule,
    ContentTypesModule,
    PermissionRegistryModule,
    PublishingModule,
    ReferencesModule,
  ],
  controllers: [PagesAdminController, SitesAdminController, PagePermissionsAdminController],
  providers: [
    PagesService,
    PageTreeService,
    SitesService,
    PagePermissionResolver,
    PagePermissionGrantsService,
    registerPermissions('pages', PAGES_PERMISSIONS),
  ],
  exports: [PagesService, SitesService, PageTreeService],
})
export class PagesModule {}
