import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { VIEW_AUDIT_LOG } from '#src/audit/audit.permissions.js';
import { type AuditEntryView, AuditService } from '#src/audit/audit.service.js';
import { ListAuditLogQuery } from '#src/audit/dto/list-audit-log.dto.js';
import { RequestValidationError } from '#src/errors/domain-error.js';

export interface AuditLogPage {
  meta: { total_count: number; limit: number; offset: number };
  items: AuditEntryView[];
}

/** The audit log, for superusers and holders of `view_audit_log`. */
@ApiTags('Audit log')
@ApiBearerAuth()
@Controller('api/admin/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermissions(VIEW_AUDIT_LOG)
  @Header('Cache-Control', 'no-store')
  async list(@Query() query: ListAuditLogQuery): Promise<AuditLogPage> {
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    if (from && to && from > to) {
      throw new RequestValidationError([{ path: 'to', message: 'to must not be before from' }]);
    }
    const { total, items } = await this.audit.list({
      actorId: query.actor,
      action: query.action,
      objectType: query.objectType,
      objectId: query.objectId,
      from,
      to,
      limit: query.limit,
      offset: query.offset,
    });
    return { meta: { total_count: total, limit: query.limit, offset: query.offset }, items };
  }
}
