import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { GroupNotFoundError } from '#src/accounts/accounts.errors.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import { RequestValidationError } from '#src/errors/domain-error.js';
import {
  PAGE_PERMISSION_TYPES,
  type PagePermissionType,
} from '#src/pages/page-permission.entity.js';

/** What a group may do on one page and its subtree. */
export interface PageGrant {
  pageId: string;
  permissions: PagePermissionType[];
}

export interface PageGrantView extends PageGrant {
  page: { title: string; urlPath: string };
}

/** The page permissions granted to groups (Wagtail's GroupPagePermission), per subtree. */
@Injectable()
export class PagePermissionGrantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly permissions: PermissionsService,
    private readonly audit: AuditService,
  ) {}

  /** The group's grants, one item per page, in tree order. */
  async list(groupId: string, manager?: EntityManager): Promise<PageGrantView[]> {
    const db = manager ?? this.dataSource.manager;
    await this.assertGroup(db, groupId);
    const rows = await db.query<
      Array<{ page_id: string; title: string; url_path: string; permissions: PagePermissionType[] }>
    >(
      `SELECT pp.page_id, p.title, p.url_path, array_agg(pp.permission ORDER BY pp.permission) AS permissions
         FROM page_permissions pp JOIN pages p ON p.id = pp.page_id
        WHERE pp.group_id = $1
        GROUP BY pp.page_id, p.title, p.url_path, p.path
        ORDER BY p.path`,
      [groupId],
    );
    return rows.map((row) => ({
      pageId: row.page_id,
      permissions: row.permissions,
      page: { title: row.title, urlPath: row.url_path },
    }));
  }

  /** Makes `grants` exactly what the group holds on pages; audits what was added and removed. */
  async replace(groupId: string, grants: PageGrant[], actor: AuditActor): Promise<PageGrantView[]> {
    const wanted = new Map<string, Set<PagePermissionType>>();
    const errors: Array<{ path: string; message: string }> = [];
    grants.forEach((grant, index) => {
      const set = wanted.get(grant.pageId) ?? new Set<PagePermissionType>();
      grant.permissions.forEach((permission, position) => {
        if (!PAGE_PERMISSION_TYPES.includes(permission)) {
          errors.push({
            path: `grants[${index}].permissions[${position}]`,
            message: `must be one of ${PAGE_PERMISSION_TYPES.join(', ')}`,
          });
        }
        set.add(permission);
      });
      wanted.set(grant.pageId, set);
    });
    if (errors.length > 0) throw new RequestValidationError(errors);
    const pageIds = [...wanted.keys()];
    const result = await this.dataSource.transaction(async (manager) => {
      await this.assertGroup(manager, groupId, true);
      const found = await manager.query<Array<{ id: string }>>(
        'SELECT id FROM pages WHERE id = ANY($1::uuid[])',
        [pageIds],
      );
      const known = new Set(found.map((row) => row.id));
      grants.forEach((grant, index) => {
        if (!known.has(grant.pageId)) {
          errors.push({ path: `grants[${index}].pageId`, message: 'no such page' });
        }
      });
      if (errors.length > 0) throw new RequestValidationError(errors);
      const before = await manager.query<Array<{ page_id: string; permission: string }>>(
        'SELECT page_id, permission FROM page_permissions WHERE group_id = $1',
        [groupId],
      );
      const key = (pageId: string, permission: string) => `${pageId}:${permission}`;
      const had = new Set(before.map((row) => key(row.page_id, row.permission)));
      const want = new Set(
        [...wanted].flatMap(([pageId, set]) =>
          [...set].map((permission) => key(pageId, permission)),
        ),
      );
      const added = [...want].filter((grant) => !had.has(grant));
      const removed = [...had].filter((grant) => !want.has(grant));
      if (removed.length > 0) {
        await manager.query(
          `DELETE FROM page_permissions
            WHERE group_id = $1 AND (page_id::text || ':' || permission) = ANY($2::text[])`,
          [groupId, removed],
        );
      }
      if (added.length > 0) {
        await manager.query(
          `INSERT INTO page_permissions (group_id, page_id, permission)
           SELECT $1, split_part(g, ':', 1)::uuid, split_part(g, ':', 2)
             FROM unnest($2::text[]) AS g`,
          [groupId, added],
        );
      }
      if (added.length > 0 || removed.length > 0) {
        await this.audit.record(
          {
            actorId: actor.actorId,
            action: 'groups.page_permissions_changed',
            objectType: 'group',
            objectId: groupId,
            data: { added: added.slice(0, 200), removed: removed.slice(0, 200) },
            ip: actor.ip,
          },
          manager,
        );
      }
      return this.list(groupId, manager);
    });
    this.permissions.forgetLoadedGrants();
    return result;
  }

  private async assertGroup(manager: EntityManager, groupId: string, lock = false): Promise<void> {
    const [group] = await manager.query<unknown[]>(
      `SELECT id FROM groups WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [groupId],
    );
    if (!group) throw new GroupNotFoundError(groupId);
  }
}
