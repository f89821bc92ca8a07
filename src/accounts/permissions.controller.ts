import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MANAGE_USERS } from '#src/accounts/accounts.permissions.js';
import { ExplainPermissionQuery } from '#src/accounts/dto/explain-permission.dto.js';
import { RequirePermissions } from '#src/accounts/permission.decorators.js';
import {
  PermissionRegistry,
  type RegisteredPermission,
} from '#src/accounts/permission-registry.js';
import {
  type PermissionExplanation,
  PermissionsService,
} from '#src/accounts/permissions.service.js';
import { UsersService } from '#src/accounts/users.service.js';
import { Authenticated } from '#src/auth/access.decorators.js';

export interface PermissionList {
  meta: { total_count: number };
  items: RegisteredPermission[];
}

export interface ExplainedPermission extends PermissionExplanation {
  user: { id: string; email: string; name: string; isActive: boolean; isSuperuser: boolean };
}

@ApiTags('Permissions')
@ApiBearerAuth()
@Controller('api/admin/permissions')
export class PermissionsController {
  constructor(
    private readonly registry: PermissionRegistry,
    private readonly permissions: PermissionsService,
    private readonly users: UsersService,
  ) {}

  /** Every permission a group can be granted, with what it allows. */
  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  list(): PermissionList {
    const items = this.registry.all();
    return { meta: { total_count: items.length }, items };
  }

  /** Whether a user may do something (to one object), and why or why not. */
  @Get('explain')
  @RequirePermissions(MANAGE_USERS)
  @Header('Cache-Control', 'no-store')
  async explain(@Query() query: ExplainPermissionQuery): Promise<ExplainedPermission> {
    const user = await this.users.getById(query.user);
    const object =
      query.objectType !== undefined && query.objectId !== undefined
        ? { type: query.objectType, id: query.objectId }
        : undefined;
    const explanation = await this.permissions.explain(user, query.permission, object);
    return {
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        isActive: user.isActive,
        isSuperuser: user.isSuperuser,
      },
      ...explanation,
    };
  }
}
