import { Body, Controller, Get, Header, Param, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { MANAGE_GROUPS } from '#src/accounts/accounts.permissions.js';
import { IdParam } from '#src/accounts/dto/id-param.dto.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { SetPagePermissionsDto } from '#src/pages/dto/set-page-permissions.dto.js';
import {
  type PageGrantView,
  PagePermissionGrantsService,
} from '#src/pages/page-permission-grants.service.js';

/** What a group may do on which subtrees of the page tree (Wagtail's group page permissions). */
@ApiTags('Groups')
@ApiBearerAuth()
@Controller('api/admin/groups')
export class PagePermissionsAdminController {
  constructor(private readonly grants: PagePermissionGrantsService) {}

  @Get(':id/page-permissions')
  @RequirePermissions(MANAGE_GROUPS)
  @Header('Cache-Control', 'no-store')
  async list(@Param() params: IdParam): Promise<{ items: PageGrantView[] }> {
    return { items: await this.grants.list(params.id) };
  }

  /** Makes `grants` exactly the group's page permissions; audited as `groups.page_permissions_changed`. */
  @Put(':id/page-permissions')
  @RequirePermissions(MANAGE_GROUPS)
  async replace(
    @Param() params: IdParam,
    @Body() body: SetPagePermissionsDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<{ items: PageGrantView[] }> {
    const items = await this.grants.replace(params.id, body.grants, {
      actorId: principal.user.id,
      ip: request.ip,
    });
    return { items };
  }
}
