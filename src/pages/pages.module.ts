import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PagePermission } from '#src/pages/page-permission.entity.js';
import { Page } from '#src/pages/page.entity.js';
import { Site } from '#src/pages/site.entity.js';

/** The page tree, sites, page permissions per subtree, and the pages management API. */
@Module({
  imports: [TypeOrmModule.forFeature([Page, Site, PagePermission])],
  providers: [],
  exports: [],
})
export class PagesModule {}
