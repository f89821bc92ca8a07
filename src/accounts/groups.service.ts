import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { GroupNameTakenError, GroupNotFoundError } from '#src/accounts/accounts.errors.js';
import { PermissionRegistry } from '#src/accounts/permission-registry.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { UsersService } from '#src/accounts/users.service.js';
import { type AuditActor, AuditService } from '#src/audit/audit.service.js';
import { RequestValidationError } from '#src/errors/domain-error.js';

export const GROUP_NAME_MAX_LENGTH = 150;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_VIOLATION = '23505';

export interface GroupView {
  id: string;
  name: string;
  /** Codenames granted, sorted. */
  permissions: string[];
  memberCount: number;
  createdAt: string;
}

interface GroupRow {
  id: string;
  name: string;
  permissions: string[] | null;
  member_count: number;
  created_at: Date;
}

const GROUP_VIEW_SQL = `
  SELECT g.id, g.name, g.created_at,
         ARRAY(SELECT gp.codename FROM group_permissions gp
                WHERE gp.group_id = g.id ORDER BY gp.codename) AS permissions,
         (SELECT count(*)::int FROM user_groups ug WHERE ug.group_id = g.id) AS member_count
    FROM groups g`;

function toView(row: GroupRow): GroupView {
  return {
    id: row.id,
    name: row.name,
    permissions: row.permissions ?? [],
    memberCount: row.member_count,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Groups, their grants and their members. Callers check the actor may do this (the
 * management API requires `manage_groups` / `manage_users`); every change is written to
 * the audit log in the same transaction.
 */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: PermissionRegistry,
    private readonly permissions: PermissionsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async list(manager?: EntityManager): Promise<GroupView[]> {
    const rows = await (manager ?? this.dataSource.manager).query<GroupRow[]>(
      `${GROUP_VIEW_SQL} ORDER BY lower(g.name), g.id`,
    );
    return rows.map(toView);
  }

  async get(id: string, manager?: EntityManager): Promise<GroupView> {
    if (!UUID.test(id)) throw new GroupNotFoundError(id);
    const rows = await (manager ?? this.dataSource.manager).query<GroupRow[]>(
      `${GROUP_VIEW_SQL} WHERE g.id = $1`,
      [id],
    );
    if (rows.length === 0) throw new GroupNotFoundError(id);
    return toView(rows[0]);
  }

  async findByName(name: string, manager?: EntityManager): Promise<GroupView | null> {
    const rows = await (manager ?? this.dataSource.manager).query<GroupRow[]>(
      `${GROUP_VIEW_SQL} WHERE lower(g.name) = lower($1)`,
      [name.trim()],
    );
    return rows.length > 0 ? toView(rows[0]) : null;
  }

  /** The groups `userId` belongs to. */
  async groupsOf(userId: string, manager?: EntityManager): Promise<GroupView[]> {
    const rows = await (manager ?? this.dataSource.manager).query<GroupRow[]>(
      `${GROUP_VIEW_SQL} WHERE g.id IN (SELECT group_id FROM user_groups WHERE user_id = $1)
        ORDER BY lower(g.name), g.id`,
      [userId],
    );
    return rows.map(toView);
  }

  async create(
    input: { name: string; permissions?: readonly string[] },
    actor: AuditActor,
  ): Promise<GroupView> {
    const name = this.validName(input.name);
    const permissions = [...new Set(input.permissions ?? [])].sort();
    this.registry.assertGrantable(permissions);
    return this.change(async (manager) => {
      await this.assertNameFree(name, manager);
      const [{ id }] = await this.insertGroup(name, manager);
      await this.grant(id, permissions, manager);
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'groups.created',
          objectType: 'group',
          objectId: id,
          data: { name, permissions },
          ip: actor.ip,
        },
        manager,
      );
      return this.get(id, manager);
    });
  }

  async rename(id: string, newName: string, actor: AuditActor): Promise<GroupView> {
    const name = this.validName(newName);
    return this.change(async (manager) => {
      const group = await this.lock(id, manager);
      if (group.name === name) return this.get(id, manager);
      await this.assertNameFree(name, manager, id);
      await this.mapUniqueViolation(name, () =>
        manager.query('UPDATE groups SET name = $2 WHERE id = $1', [id, name]),
      );
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'groups.renamed',
          objectType: 'group',
          objectId: id,
          data: { from: group.name, to: name },
          ip: actor.ip,
        },
        manager,
      );
      return this.get(id, manager);
    });
  }

  /** Deletes the group; its members lose what it granted at once. */
  async delete(id: string, actor: AuditActor): Promise<void> {
    await this.change(async (manager) => {
      await this.lock(id, manager);
      const group = await this.get(id, manager);
      await manager.query('DELETE FROM groups WHERE id = $1', [id]);
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'groups.deleted',
          objectType: 'group',
          objectId: id,
          data: {
            name: group.name,
            permissions: group.permissions,
            memberCount: group.memberCount,
          },
          ip: actor.ip,
        },
        manager,
      );
    });
  }

  /**
   * Makes `codenames` exactly what the group grants. Unknown codenames are refused
   * (UnknownPermissionError, 400) before anything changes.
   */
  async setPermissions(
    id: string,
    codenames: readonly string[],
    actor: AuditActor,
  ): Promise<GroupView> {
    this.registry.assertGrantable(codenames);
    const wanted = new Set(codenames);
    return this.change(async (manager) => {
      await this.lock(id, manager);
      const current = new Set((await this.get(id, manager)).permissions);
      const added = [...wanted].filter((codename) => !current.has(codename)).sort();
      const removed = [...current].filter((codename) => !wanted.has(codename)).sort();
      if (added.length === 0 && removed.length === 0) return this.get(id, manager);
      if (removed.length > 0) {
        await manager.query(
          'DELETE FROM group_permissions WHERE group_id = $1 AND codename = ANY($2::varchar[])',
          [id, removed],
        );
      }
      await this.grant(id, added, manager);
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'groups.permissions_changed',
          objectType: 'group',
          objectId: id,
          data: { added, removed },
          ip: actor.ip,
        },
        manager,
      );
      return this.get(id, manager);
    });
  }

  /** Puts the user in the group; nothing happens (and nothing is logged) if already there. */
  async addMember(groupId: string, userId: string, actor: AuditActor): Promise<void> {
    await this.change(async (manager) => {
      await this.lock(groupId, manager);
      await this.users.getById(this.validUserId(userId), manager);
      const inserted = await manager.query<unknown[]>(
        `INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [userId, groupId],
      );
      if (inserted.length === 0) return;
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'groups.member_added',
          objectType: 'group',
          objectId: groupId,
          data: { userId },
          ip: actor.ip,
        },
        manager,
      );
    });
  }

  /** Takes the user out of the group; nothing happens if they were not in it. */
  async removeMember(groupId: string, userId: string, actor: AuditActor): Promise<void> {
    await this.change(async (manager) => {
      await this.lock(groupId, manager);
      const deleted = await manager.query<unknown[]>(
        'DELETE FROM user_groups WHERE user_id = $1 AND group_id = $2 RETURNING user_id',
        [this.validUserId(userId), groupId],
      );
      // node-postgres answers DELETE … RETURNING through TypeORM as [rows, count].
      const count = Array.isArray(deleted[0]) ? (deleted[1] as number) : deleted.length;
      if (count === 0) return;
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'groups.member_removed',
          objectType: 'group',
          objectId: groupId,
          data: { userId },
          ip: actor.ip,
        },
        manager,
      );
    });
  }

  /** Runs `work` in a transaction, then lets the rest of this request see the change. */
  private async change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } finally {
      this.permissions.forgetLoadedGrants();
    }
  }

  private validName(name: string): string {
    const trimmed = typeof name === 'string' ? name.trim() : '';
    let message: string | undefined;
    if (!trimmed) message = 'must not be empty';
    else if ([...trimmed].length > GROUP_NAME_MAX_LENGTH) {
      message = `must be at most ${GROUP_NAME_MAX_LENGTH} characters long`;
    }
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(trimmed)) message = 'must not contain control characters';
    if (message) throw new RequestValidationError([{ path: 'name', message }]);
    return trimmed;
  }

  private validUserId(userId: string): string {
    if (!UUID.test(userId)) {
      throw new RequestValidationError([{ path: 'userId', message: 'must be a user id (a UUID)' }]);
    }
    return userId;
  }

  /** Group names are unique regardless of case: "editors" would be confused with "Editors". */
  private async assertNameFree(name: string, manager: EntityManager, except?: string) {
    const taken = await manager.query<unknown[]>(
      'SELECT 1 FROM groups WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2',
      [name, except ?? null],
    );
    if (taken.length > 0) throw new GroupNameTakenError(name);
  }

  private insertGroup(name: string, manager: EntityManager): Promise<Array<{ id: string }>> {
    return this.mapUniqueViolation(name, () =>
      manager.query<Array<{ id: string }>>('INSERT INTO groups (name) VALUES ($1) RETURNING id', [
        name,
      ]),
    );
  }

  private async mapUniqueViolation<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new GroupNameTakenError(name);
      }
      throw error;
    }
  }

  private async grant(groupId: string, codenames: readonly string[], manager: EntityManager) {
    if (codenames.length === 0) return;
    await manager.query(
      `INSERT INTO group_permissions (group_id, codename)
       SELECT $1, codename FROM unnest($2::varchar[]) AS codename
       ON CONFLICT DO NOTHING`,
      [groupId, codenames],
    );
  }

  /** Locks the group row until the transaction ends, so concurrent changes queue up. */
  private async lock(id: string, manager: EntityManager): Promise<{ name: string }> {
    if (!UUID.test(id)) throw new GroupNotFoundError(id);
    const rows = await manager.query<Array<{ name: string }>>(
      'SELECT name FROM groups WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (rows.length === 0) throw new GroupNotFoundError(id);
    return rows[0];
  }
}
