import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { EmailTakenError, GroupNotFoundError } from '#src/accounts/accounts.errors.js';
import type { InviteUserDto } from '#src/accounts/dto/invite-user.dto.js';
import type { ListUsersQuery, UserOrderField } from '#src/accounts/dto/list-users.dto.js';
import type { UpdateUserDto } from '#src/accounts/dto/update-user.dto.js';
import { GroupsService } from '#src/accounts/groups.service.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { normalizeEmail, User } from '#src/accounts/user.entity.js';
import { UsersService } from '#src/accounts/users.service.js';
import { InvitationsService } from '#src/auth/invitations.service.js';
import { AuditService } from '#src/audit/audit.service.js';
import { DomainError, RequestValidationError } from '#src/errors/domain-error.js';

/** What the management API shows of a user: never a password hash or a token version. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  isActive: boolean;
  isSuperuser: boolean;
  preferredLocale: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
  groups?: Array<{ id: string; name: string }>;
}

export interface UserPage {
  items: UserView[];
  meta: { total_count: number; limit: number; offset: number };
}

/** The signed-in user acting through the management API, and where from. */
export interface UserAdminActor {
  user: User;
  ip: string;
}

export class SuperuserChangeForbiddenError extends DomainError {
  readonly slug = 'superuser-required';
  readonly status = 403;
  readonly title = 'Only superusers may do this';

  constructor(what: string) {
    super(`Only a superuser may ${what}. Ask a superuser to make this change.`);
  }
}

export class OwnAccessChangeError extends DomainError {
  readonly slug = 'own-access-change';
  readonly status = 409;
  readonly title = 'You cannot lock yourself out';

  constructor(what: string) {
    super(`You cannot ${what}. Ask another administrator to do it.`);
  }
}

/** Request field → column: the only fields a list can be sorted on. */
const ORDER_COLUMNS: Record<UserOrderField, string> = {
  email: 'user.emailNormalized',
  name: 'user.name',
  createdAt: 'user.createdAt',
  lastLoginAt: 'user.lastLoginAt',
};
const UNIQUE_VIOLATION = '23505';

/** `%`, `_` and the escape character itself match literally in an ILIKE pattern. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function toView(user: User, groups?: Array<{ id: string; name: string }>): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isActive: user.isActive,
    isSuperuser: user.isSuperuser,
    preferredLocale: user.preferredLocale,
    lastLoginAt: user.lastLoginAt ? user.lastLoginAt.toISOString() : null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    ...(groups ? { groups } : {}),
  };
}

/**
 * The users half of the management API: listing, invitations, edits and memberships, with
 * the rules that keep privileges in superusers' hands. Every change is audited.
 */
@Injectable()
export class UsersAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly permissions: PermissionsService,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async list(query: ListUsersQuery): Promise<UserPage> {
    const descending = query.order.startsWith('-');
    const field = query.order.replace(/^-/, '') as UserOrderField;
    const builder = this.dataSource.manager
      .createQueryBuilder(User, 'user')
      .orderBy(ORDER_COLUMNS[field], descending ? 'DESC' : 'ASC', 'NULLS LAST')
      .addOrderBy('user.id', 'ASC')
      .take(query.limit)
      .skip(query.offset);
    if (query.search) {
      builder.andWhere(
        "(user.email ILIKE :pattern ESCAPE '\\' OR user.name ILIKE :pattern ESCAPE '\\')",
        { pattern: likePattern(query.search.trim()) },
      );
    }
    if (query.isActive !== undefined) {
      builder.andWhere('user.isActive = :isActive', { isActive: query.isActive });
    }
    if (query.isSuperuser !== undefined) {
      builder.andWhere('user.isSuperuser = :isSuperuser', { isSuperuser: query.isSuperuser });
    }
    if (query.group) {
      builder.andWhere(
        'EXISTS (SELECT 1 FROM user_groups ug WHERE ug.user_id = user.id AND ug.group_id = :group)',
        { group: query.group },
      );
    }
    const [users, total] = await builder.getManyAndCount();
    return {
      items: users.map((user) => toView(user)),
      meta: { total_count: total, limit: query.limit, offset: query.offset },
    };
  }

  async get(id: string): Promise<UserView> {
    const user = await this.users.getById(id);
    const groups = await this.groups.groupsOf(id);
    return toView(
      user,
      groups.map((group) => ({ id: group.id, name: group.name })),
    );
  }

  /** Creates the account, mails the invitation (through the mail queue) and adds the groups. */
  async invite(input: InviteUserDto, actor: UserAdminActor): Promise<UserView> {
    const groupIds = [...new Set(input.groupIds ?? [])];
    await this.assertGroupsExist(groupIds);
    const user = await this.invitations().invite(input.email, input.name, actor.user, {
      ip: actor.ip,
    });
    for (const groupId of groupIds) {
      await this.groups.addMember(groupId, user.id, { actorId: actor.user.id, ip: actor.ip });
    }
    return this.get(user.id);
  }

  async update(id: string, input: UpdateUserDto, actor: UserAdminActor): Promise<UserView> {
    const target = await this.users.getById(id);
    if (!actor.user.isSuperuser) {
      if (input.isSuperuser !== undefined) {
        throw new SuperuserChangeForbiddenError('make or unmake superusers');
      }
      if (target.isSuperuser) throw new SuperuserChangeForbiddenError('edit a superuser');
    }
    if (target.id === actor.user.id) {
      if (input.isActive === false) throw new OwnAccessChangeError('deactivate your own account');
      if (input.isSuperuser === false) {
        throw new OwnAccessChangeError('take away your own superuser status');
      }
    }

    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const note = (field: string, from: unknown, to: unknown) => {
      if (to !== undefined && from !== to) changes[field] = { from, to };
    };
    const name = input.name?.trim();
    const email = input.email?.trim();
    note('name', target.name, name);
    note('email', target.email, email);
    note('isSuperuser', target.isSuperuser, input.isSuperuser);
    note('preferredLocale', target.preferredLocale, input.preferredLocale);
    note('isActive', target.isActive, input.isActive);
    if (Object.keys(changes).length === 0) return this.get(id);

    await this.dataSource.transaction(async (manager) => {
      const columns: Partial<User> = {};
      if (changes.name) columns.name = name;
      if (changes.email && email) {
        columns.email = email;
        columns.emailNormalized = normalizeEmail(email);
      }
      if (changes.isSuperuser) columns.isSuperuser = input.isSuperuser;
      if (changes.preferredLocale) columns.preferredLocale = input.preferredLocale ?? null;
      if (Object.keys(columns).length > 0) await this.updateColumns(id, columns, manager);
      // Deactivating ends every session and access token of the user at once.
      if (changes.isActive) await this.users.setActive(id, input.isActive === true, manager);
      await this.audit.record(
        {
          actorId: actor.user.id,
          action: changes.isActive
            ? input.isActive
              ? 'users.activated'
              : 'users.deactivated'
            : 'users.updated',
          objectType: 'user',
          objectId: id,
          data: { changes },
          ip: actor.ip,
        },
        manager,
      );
    });
    this.permissions.forgetLoadedGrants();
    return this.get(id);
  }

  /** Makes `groupIds` exactly the user's groups; GroupsService audits each membership change. */
  async setGroups(
    id: string,
    groupIds: readonly string[],
    actor: UserAdminActor,
  ): Promise<UserView> {
    const target = await this.users.getById(id);
    if (target.isSuperuser && !actor.user.isSuperuser) {
      throw new SuperuserChangeForbiddenError('change the groups of a superuser');
    }
    const wanted = [...new Set(groupIds)];
    await this.assertGroupsExist(wanted);
    const current = (await this.groups.groupsOf(id)).map((group) => group.id);
    const auditActor = { actorId: actor.user.id, ip: actor.ip };
    for (const groupId of current.filter((groupId) => !wanted.includes(groupId))) {
      await this.groups.removeMember(groupId, id, auditActor);
    }
    for (const groupId of wanted.filter((groupId) => !current.includes(groupId))) {
      await this.groups.addMember(groupId, id, auditActor);
    }
    return this.get(id);
  }

  /** Refuses the whole request, naming each unknown group, before anything changes. */
  private async assertGroupsExist(groupIds: readonly string[]): Promise<void> {
    const missing: Array<{ path: string; message: string }> = [];
    for (const [index, groupId] of groupIds.entries()) {
      try {
        await this.groups.get(groupId);
      } catch (error) {
        if (!(error instanceof GroupNotFoundError)) throw error;
        missing.push({
          path: `groupIds[${index}]`,
          message: `there is no group with id ${groupId}`,
        });
      }
    }
    if (missing.length > 0) throw new RequestValidationError(missing);
  }

  private async updateColumns(id: string, columns: Partial<User>, manager: EntityManager) {
    try {
      await manager.getRepository(User).update(id, columns);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new EmailTakenError();
      }
      throw error;
    }
  }

  /**
   * InvitationsService lives in the auth module, which imports this one: it is looked up
   * when needed rather than injected, so the two modules need not import each other.
   */
  private invitations(): InvitationsService {
    return this.moduleRef.get(InvitationsService, { strict: false });
  }
}
