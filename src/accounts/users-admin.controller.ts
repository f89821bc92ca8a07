import { Body, Controller, Get, Header, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MANAGE_USERS } from '#src/accounts/accounts.permissions.js';
import { IdParam } from '#src/accounts/dto/id-param.dto.js';
import { InviteUserDto } from '#src/accounts/dto/invite-user.dto.js';
import { ListUsersQuery } from '#src/accounts/dto/list-users.dto.js';
import { SetUserGroupsDto } from '#src/accounts/dto/set-user-groups.dto.js';
import { UpdateUserDto } from '#src/accounts/dto/update-user.dto.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import {
  type UserAdminActor,
  type UserPage,
  UsersAdminService,
  type UserView,
} from '#src/accounts/users-admin.service.js';
import { type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';

function actorOf(principal: AuthPrincipal, request: FastifyRequest): UserAdminActor {
  return { user: principal.user, ip: request.ip };
}

/** The users management API: every route needs `manage_users` (superusers hold it). */
@ApiTags('Users')
@ApiBearerAuth()
@Controller('api/admin/users')
export class UsersAdminController {
  constructor(private readonly usersAdmin: UsersAdminService) {}

  @Get()
  @RequirePermissions(MANAGE_USERS)
  @Header('Cache-Control', 'no-store')
  list(@Query() query: ListUsersQuery): Promise<UserPage> {
    return this.usersAdmin.list(query);
  }

  @Get(':id')
  @RequirePermissions(MANAGE_USERS)
  @Header('Cache-Control', 'no-store')
  get(@Param() params: IdParam): Promise<UserView> {
    return this.usersAdmin.get(params.id);
  }

  /** Creates the account without a password and mails its owner a link to choose one. */
  @Post('invite')
  @RequirePermissions(MANAGE_USERS)
  invite(
    @Body() body: InviteUserDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<UserView> {
    return this.usersAdmin.invite(body, actorOf(principal, request));
  }

  @Patch(':id')
  @RequirePermissions(MANAGE_USERS)
  update(
    @Param() params: IdParam,
    @Body() body: UpdateUserDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<UserView> {
    return this.usersAdmin.update(params.id, body, actorOf(principal, request));
  }

  @Put(':id/groups')
  @RequirePermissions(MANAGE_USERS)
  setGroups(
    @Param() params: IdParam,
    @Body() body: SetUserGroupsDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<UserView> {
    return this.usersAdmin.setGroups(params.id, body.groupIds, actorOf(principal, request));
  }
}
