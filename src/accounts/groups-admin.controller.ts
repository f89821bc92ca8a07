import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MANAGE_GROUPS } from '#src/accounts/accounts.permissions.js';
import { CreateGroupDto } from '#src/accounts/dto/create-group.dto.js';
import { IdParam } from '#src/accounts/dto/id-param.dto.js';
import { SetGroupPermissionsDto } from '#src/accounts/dto/set-group-permissions.dto.js';
import { UpdateGroupDto } from '#src/accounts/dto/update-group.dto.js';
import { type GroupView, GroupsService } from '#src/accounts/groups.service.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';

export interface GroupList {
  items: GroupView[];
  meta: { total_count: number };
}

/** The groups management API: every route needs `manage_groups`; GroupsService audits each change. */
@ApiTags('Groups')
@ApiBearerAuth()
@Controller('api/admin/groups')
export class GroupsAdminController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @RequirePermissions(MANAGE_GROUPS)
  @Header('Cache-Control', 'no-store')
  async list(): Promise<GroupList> {
    const items = await this.groups.list();
    return { items, meta: { total_count: items.length } };
  }

  @Post()
  @RequirePermissions(MANAGE_GROUPS)
  create(
    @Body() body: CreateGroupDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<GroupView> {
    return this.groups.create(
      { name: body.name, permissions: body.permissions },
      actorOf(principal, request),
    );
  }

  @Get(':id')
  @RequirePermissions(MANAGE_GROUPS)
  @Header('Cache-Control', 'no-store')
  get(@Param() params: IdParam): Promise<GroupView> {
    return this.groups.get(params.id);
  }

  @Patch(':id')
  @RequirePermissions(MANAGE_GROUPS)
  rename(
    @Param() params: IdParam,
    @Body() body: UpdateGroupDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<GroupView> {
    return this.groups.rename(params.id, body.name, actorOf(principal, request));
  }

  @Delete(':id')
  @RequirePermissions(MANAGE_GROUPS)
  @HttpCode(204)
  async delete(
    @Param() params: IdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.groups.delete(params.id, actorOf(principal, request));
  }

  /** Makes `codenames` exactly what the group grants; unknown codenames are a 400 naming them. */
  @Put(':id/permissions')
  @RequirePermissions(MANAGE_GROUPS)
  setPermissions(
    @Param() params: IdParam,
    @Body() body: SetGroupPermissionsDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<GroupView> {
    return this.groups.setPermissions(params.id, body.codenames, actorOf(principal, request));
  }
}
