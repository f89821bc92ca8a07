import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ACCOUNTS_PERMISSIONS } from '#src/accounts/accounts.permissions.js';
import { FirstRunController } from '#src/accounts/first-run.controller.js';
import { FirstSuperuserFromEnvironment } from '#src/accounts/first-superuser-from-environment.js';
import { GroupPermission } from '#src/accounts/group-permission.entity.js';
import { Group } from '#src/accounts/group.entity.js';
import { GroupsAdminController } from '#src/accounts/groups-admin.controller.js';
import { GroupsService } from '#src/accounts/groups.service.js';
import { PasswordHasher } from '#src/accounts/password-hasher.js';
import { PasswordPolicy } from '#src/accounts/password-policy.js';
import { PermissionBootCheck } from '#src/accounts/permission-boot-check.js';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { PermissionsController } from '#src/accounts/permissions.controller.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { User } from '#src/accounts/user.entity.js';
import { UsersAdminController } from '#src/accounts/users-admin.controller.js';
import { UsersAdminService } from '#src/accounts/users-admin.service.js';
import { UsersService } from '#src/accounts/users.service.js';
import { AuditModule } from '#src/audit/audit.module.js';

/**
 * Users, groups and permissions, and the first run. Other features use it through
 * UsersService, GroupsService, PermissionsService and the PermissionRegistry.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([User, Group, GroupPermission]),
    DiscoveryModule,
    PermissionRegistryModule,
    AuditModule,
  ],
  controllers: [
    FirstRunController,
    PermissionsController,
    UsersAdminController,
    GroupsAdminController,
  ],
  providers: [
    PasswordHasher,
    PasswordPolicy,
    UsersService,
    GroupsService,
    UsersAdminService,
    PermissionsService,
    PermissionBootCheck,
    FirstSuperuserFromEnvironment,
    registerPermissions('accounts', ACCOUNTS_PERMISSIONS),
  ],
  exports: [
    UsersService,
    GroupsService,
    PermissionsService,
    PermissionRegistryModule,
    PasswordHasher,
    PasswordPolicy,
  ],
})
export class AccountsModule {}
