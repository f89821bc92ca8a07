import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { ContentTypeSchemaController } from '#src/content-types/content-type-schema.controller.js';
import { ContentType } from '#src/content-types/content-type.entity.js';
import { ContentTypesController } from '#src/content-types/content-types.controller.js';
import { CONTENT_TYPES_PERMISSIONS } from '#src/content-types/content-types.permissions.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';

/**
 * Content types as data: definitions, their validation, the validation of content against
 * them, rich text, and the management API. Other features use ContentTypesService and the
 * pure functions of this folder (validateContent, renderRichText, extractReferences…).
 *
 * It imports nothing of publishing (publishing imports it): ContentTypesService finds
 * ContentChanges at run time, see there.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ContentType]), AuditModule, PermissionRegistryModule],
  controllers: [ContentTypesController, ContentTypeSchemaController],
  providers: [ContentTypesService, registerPermissions('content-types', CONTENT_TYPES_PERMISSIONS)],
  exports: [ContentTypesService],
})
export class ContentTypesModule {}
