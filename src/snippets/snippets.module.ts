import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';
import { ReferencesModule } from '#src/references/references.module.js';
import { Snippet } from '#src/snippets/snippet.entity.js';
import { SnippetsController } from '#src/snippets/snippets.controller.js';
import { SNIPPETS_PERMISSIONS } from '#src/snippets/snippets.permissions.js';
import { SnippetsService } from '#src/snippets/snippets.service.js';

/** Snippets: flat collections of reusable content per snippet type, and their management API. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Snippet]),
    AccountsModule,
    AuditModule,
    ContentTypesModule,
    PermissionRegistryModule,
    PublishingModule,
    ReferencesModule,
  ],
  controllers: [SnippetsController],
  providers: [SnippetsService, registerPermissions('snippets', SNIPPETS_PERMISSIONS)],
  exports: [SnippetsService],
})
export class SnippetsModule {}
