import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupPermission } from '#src/accounts/group-permission.entity.js';
import { Group } from '#src/accounts/group.entity.js';
import { PasswordHasher } from '#src/accounts/password-hasher.js';
import { PasswordPolicy } from '#src/accounts/password-policy.js';
import { User } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';

/** Users, groups and permissions. Other features use it through UsersService (and friends). */
@Module({
  imports: [TypeOrmModule.forFeature([User, Group, GroupPermission])],
  providers: [PasswordHasher, PasswordPolicy, UsersService],
  exports: [UsersService, PasswordHasher, PasswordPolicy],
})
export class AccountsModule {}
