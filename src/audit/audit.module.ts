import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { AuditEntry } from '#src/audit/audit-entry.entity.js';
import { AuditLogController } from '#src/audit/audit-log.controller.js';
import { AUDIT_PERMISSIONS } from '#src/audit/audit.permissions.js';
import { AuditService } from '#src/audit/audit.service.js';

/** The audit log: features write to it through AuditService; superusers read it over HTTP. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntry]), PermissionRegistryModule],
  controllers: [AuditLogController],
  providers: [AuditService, registerPermissions('audit', AUDIT_PERMISSIONS)],
  exports: [AuditService],
})
export class AuditModule {}
