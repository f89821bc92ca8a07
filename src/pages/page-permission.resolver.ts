import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  type ObjectPermissionDecision,
  type ObjectPermissionQuestion,
  type ObjectPermissionResolver,
  type PermissionReason,
  ResolvesPermissionsFor,
} from '#src/accounts/object-permissions.js';
import type { PagePermissionType } from '#src/pages/page-permission.entity.js';
import { pagePermissionTypeOf } from '#src/pages/pages.permissions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface GrantRow {
  permission: PagePermissionType;
  group_id: string;
  group_name: string;
  page_id: string;
  url_path: string;
}

/**
 * The grants of `page_permissions` that hold on one page: those on the page itself or any
 * of its ancestors. The ancestors are the prefixes of the page's path, so this is one
 * indexed query (a unique-index lookup per level, then the `(page_id, permission)` index),
 * whatever the number of grants the groups hold elsewhere. `$1` is the page id; the caller
 * adds its own conditions after `WHERE`.
 */
const GRANTS_ON_PAGE_AND_ANCESTORS = `
  SELECT pp.permission, pp.group_id, g.name AS group_name, p.id AS page_id, p.url_path
    FROM pages target
    JOIN pages p
      ON p.path = ANY (ARRAY(
           SELECT substr(target.path, 1, 4 * level) FROM generate_series(1, target.depth) AS level))
    JOIN page_permissions pp ON pp.page_id = p.id
    JOIN groups g ON g.id = pp.group_id
   WHERE target.id = $1`;

/**
 * Decides page permissions as Wagtail does: a group holding the codename model-wide holds
 * it on every page; a group granted it on a page (`page_permissions`) holds it on that page
 * and its whole subtree. PermissionsService asks this for every `{ type: 'page' }` object.
 */
@Injectable()
@ResolvesPermissionsFor('page')
export class PagePermissionResolver implements ObjectPermissionResolver {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async resolve(question: ObjectPermissionQuestion): Promise<ObjectPermissionDecision> {
    const { codename, object, groups } = question;
    const modelWide = groups.filter((group) => group.codenames.has(codename));
    if (modelWide.length > 0) {
      return {
        allowed: true,
        reasons: modelWide.map((group) => ({
          code: 'granted_by_group',
          message: `Granted on every page by the group "${group.name}".`,
          group: { id: group.id, name: group.name },
        })),
      };
    }
    const type = pagePermissionTypeOf(codename);
    if (!type) {
      return {
        allowed: false,
        reasons: [
          {
            code: 'no_group_grants',
            message: `"${codename}" is not a page permission, and none of the user's groups grants it.`,
          },
        ],
      };
    }
    if (groups.length === 0 || !UUID.test(object.id)) {
      return { allowed: false, reasons: [this.notGranted(codename, groups.length)] };
    }
    const rows = await this.dataSource.query<GrantRow[]>(
      `${GRANTS_ON_PAGE_AND_ANCESTORS} AND pp.permission = $2 AND pp.group_id = ANY($3::uuid[])
       ORDER BY p.depth, g.name`,
      [object.id, type, groups.map((group) => group.id)],
    );
    if (rows.length === 0) {
      return { allowed: false, reasons: [this.notGranted(codename, groups.length)] };
    }
    return {
      allowed: true,
      reasons: rows.map((row) => ({
        code: 'object_rule',
        message:
          row.page_id === object.id
            ? `The group "${row.group_name}" is granted "${type}" on this page.`
            : `The group "${row.group_name}" is granted "${type}" on ${row.url_path}, an ancestor of this page.`,
        group: { id: row.group_id, name: row.group_name },
      })),
    };
  }

  /**
   * The page permission types the user's groups are granted on `pageId` or an ancestor
   * (model-wide grants not included): one query, for "what may the caller do here".
   */
  async grantedTypesOn(userId: string, pageId: string): Promise<Set<PagePermissionType>> {
    const rows = await this.dataSource.query<GrantRow[]>(
      `${GRANTS_ON_PAGE_AND_ANCESTORS}
         AND pp.group_id IN (SELECT group_id FROM user_groups WHERE user_id = $2)`,
      [pageId, userId],
    );
    return new Set(rows.map((row) => row.permission));
  }

  private notGranted(codename: string, groupCount: number): PermissionReason {
    return {
      code: 'no_group_grants',
      message:
        groupCount === 0
          ? `Not granted: the user belongs to no group, and "${codename}" is granted only through groups.`
          : `Not granted: none of the user's groups holds "${codename}" model-wide or on this page or any page above it.`,
    };
  }
}
