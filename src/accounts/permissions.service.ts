import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PermissionDeniedError } from '#src/accounts/accounts.errors.js';
import {
  type GroupGrants,
  OBJECT_PERMISSION_RESOLVER,
  type ObjectPermissionResolver,
  type PermissionObject,
  type PermissionReason,
  type PermissionSubject,
} from '#src/accounts/object-permissions.js';
import { PermissionRegistry } from '#src/accounts/permission-registry.js';
import { requestContext, type RequestContext } from '#src/logging/request-context.js';

export interface PermissionExplanation {
  allowed: boolean;
  permission: string;
  object?: PermissionObject;
  reasons: PermissionReason[];
}

interface GrantRow {
  group_id: string;
  group_name: string;
  codename: string | null;
}

/**
 * The one answer to "may user U do A (on object O)?", and why. A user's permissions are
 * the union of their groups' grants; superusers hold every registered permission;
 * deactivated users hold none.
 *
 * Grants are read from the database once per request (one query, whatever the number of
 * checks) and never cached beyond it, so every replica sees a change at once.
 */
@Injectable()
export class PermissionsService implements OnModuleInit {
  private readonly resolvers = new Map<string, ObjectPermissionResolver>();
  /** Grants loaded during each request, dropped with the request. */
  private readonly grantsByRequest = new WeakMap<
    RequestContext,
    Map<string, Promise<GroupGrants[]>>
  >();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: PermissionRegistry,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as unknown;
      const metatype = wrapper.metatype;
      if (!instance || !metatype) continue;
      const objectType = this.reflector.get<string | undefined>(
        OBJECT_PERMISSION_RESOLVER,
        metatype,
      );
      if (objectType) this.registerResolver(objectType, instance as ObjectPermissionResolver);
    }
  }

  /** Adds the resolver for `objectType` (providers marked @ResolvesPermissionsFor are found at boot). */
  registerResolver(objectType: string, resolver: ObjectPermissionResolver): void {
    const known = this.resolvers.get(objectType);
    if (known && known !== resolver) {
      throw new Error(
        `Two resolvers decide permissions on "${objectType}" objects; one type has one resolver.`,
      );
    }
    this.resolvers.set(objectType, resolver);
  }

  async can(
    user: PermissionSubject,
    codename: string,
    object?: PermissionObject,
  ): Promise<boolean> {
    return (await this.explain(user, codename, object)).allowed;
  }

  /** True when `user` holds every one of `codenames` (what `@RequirePermissions` asks). */
  async canAll(user: PermissionSubject, codenames: readonly string[]): Promise<boolean> {
    for (const codename of codenames) if (!(await this.can(user, codename))) return false;
    return true;
  }

  /** Throws PermissionDeniedError (403) unless `user` may. */
  async assertCan(
    user: PermissionSubject,
    codename: string,
    object?: PermissionObject,
  ): Promise<void> {
    if (!(await this.can(user, codename, object))) {
      throw new PermissionDeniedError(codename, this.registry.get(codename)?.label);
    }
  }

  /** Whether `user` may, and every reason why or why not. */
  async explain(
    user: PermissionSubject,
    codename: string,
    object?: PermissionObject,
  ): Promise<PermissionExplanation> {
    const answer = (allowed: boolean, reasons: PermissionReason[]): PermissionExplanation => ({
      allowed,
      permission: codename,
      ...(object ? { object } : {}),
      reasons,
    });
    if (!this.registry.has(codename)) {
      return answer(false, [
        {
          code: 'unknown_permission',
          message: `"${codename}" is not a registered permission: no module defines it, so nobody holds it, superusers included.`,
        },
      ]);
    }
    if (!user.isActive) {
      return answer(false, [
        {
          code: 'inactive',
          message: 'The user is deactivated: a deactivated user may do nothing.',
        },
      ]);
    }
    if (user.isSuperuser) {
      return answer(true, [
        {
          code: 'superuser',
          message: 'The user is a superuser: superusers hold every permission.',
        },
      ]);
    }

    const groups = await this.grantsOf(user.id);
    const resolver = object ? this.resolvers.get(object.type) : undefined;
    if (object && resolver) {
      const decision = await resolver.resolve({ user, codename, object, groups });
      return answer(decision.allowed, decision.reasons);
    }

    const reasons: PermissionReason[] = [];
    if (object) {
      reasons.push({
        code: 'no_object_rules',
        message: `There are no per-object rules for "${object.type}": the permission granted by groups decides.`,
      });
    }
    const granting = groups.filter((group) => group.codenames.has(codename));
    for (const group of granting) {
      reasons.push({
        code: 'granted_by_group',
        message: `Granted by the group "${group.name}".`,
        group: { id: group.id, name: group.name },
      });
    }
    if (granting.length === 0) {
      reasons.push({
        code: 'no_group_grants',
        message:
          groups.length === 0
            ? `Not granted: the user belongs to no group, and "${codename}" is granted only through groups.`
            : `Not granted: none of the user's groups (${groups.map((group) => group.name).join(', ')}) grants "${codename}".`,
      });
    }
    return answer(granting.length > 0, reasons);
  }

  /** Every registered codename `user` holds model-wide, sorted. */
  async permissionsOf(user: PermissionSubject): Promise<string[]> {
    if (!user.isActive) return [];
    const registered = this.registry.all().map((permission) => permission.codename);
    if (user.isSuperuser) return registered;
    const held = new Set((await this.grantsOf(user.id)).flatMap((group) => [...group.codenames]));
    return registered.filter((codename) => held.has(codename));
  }

  /**
   * Forgets the grants loaded so far in this request: called after a change to groups,
   * memberships or grants, so the rest of the request sees it.
   */
  forgetLoadedGrants(): void {
    const store = requestContext.getStore();
    if (store) this.grantsByRequest.delete(store);
  }

  /** The user's groups and their grants: one query, shared by every check in the request. */
  private grantsOf(userId: string): Promise<GroupGrants[]> {
    const store = requestContext.getStore();
    if (!store) return this.loadGrants(userId);
    const loaded = this.grantsByRequest.get(store) ?? new Map<string, Promise<GroupGrants[]>>();
    this.grantsByRequest.set(store, loaded);
    let grants = loaded.get(userId);
    if (!grants) {
      grants = this.loadGrants(userId);
      // A failed load is not remembered: the next check asks again.
      void grants.catch(() => loaded.delete(userId));
      loaded.set(userId, grants);
    }
    return grants;
  }

  private async loadGrants(userId: string): Promise<GroupGrants[]> {
    const rows = await this.dataSource.query<GrantRow[]>(
      `SELECT g.id AS group_id, g.name AS group_name, gp.codename
         FROM user_groups ug
         JOIN groups g ON g.id = ug.group_id
         LEFT JOIN group_permissions gp ON gp.group_id = g.id
        WHERE ug.user_id = $1
        ORDER BY g.name, gp.codename`,
      [userId],
    );
    const groups = new Map<string, { id: string; name: string; codenames: Set<string> }>();
    for (const row of rows) {
      let group = groups.get(row.group_id);
      if (!group) {
        group = { id: row.group_id, name: row.group_name, codenames: new Set() };
        groups.set(row.group_id, group);
      }
      if (row.codename) group.codenames.add(row.codename);
    }
    return [...groups.values()];
  }
}
