import { SetMetadata } from '@nestjs/common';

/** Who is asking: the flags that decide before any grant is looked at. */
export interface PermissionSubject {
  id: string;
  isActive: boolean;
  isSuperuser: boolean;
}

/** The thing a permission is asked about, e.g. `{ type: 'page', id: '42' }`. */
export interface PermissionObject {
  type: string;
  id: string;
}

/** A group the user belongs to, with the codenames it grants model-wide. */
export interface GroupGrants {
  id: string;
  name: string;
  codenames: ReadonlySet<string>;
}

export type PermissionReasonCode =
  | 'superuser'
  | 'granted_by_group'
  | 'no_group_grants'
  | 'inactive'
  | 'unknown_permission'
  | 'no_object_rules'
  | 'object_rule';

/** One reason behind an answer, for people: the explain endpoint shows them. */
export interface PermissionReason {
  code: PermissionReasonCode;
  message: string;
  /** The group the reason is about (`granted_by_group`, or a resolver's group rule). */
  group?: { id: string; name: string };
}

export interface ObjectPermissionDecision {
  allowed: boolean;
  reasons: PermissionReason[];
}

export interface ObjectPermissionQuestion {
  user: PermissionSubject;
  codename: string;
  object: PermissionObject;
  /** The user's groups and what each grants model-wide, already loaded for this request. */
  groups: readonly GroupGrants[];
}

/**
 * Decides permissions on the objects of one type, for users who are active and not
 * superusers (those are settled before a resolver is asked). The pages module will
 * provide one for `page` that walks the page's ancestors for grants to the user's groups
 * (permissions per subtree); a type without a resolver falls back to the model-wide grant.
 *
 *     @Injectable()
 *     @ResolvesPermissionsFor('page')
 *     export class PagePermissionResolver implements ObjectPermissionResolver { ... }
 *
 * The provider must be in a module the application loads; PermissionsService finds it.
 */
export interface ObjectPermissionResolver {
  resolve(question: ObjectPermissionQuestion): Promise<ObjectPermissionDecision>;
}

export const OBJECT_PERMISSION_RESOLVER = 'finch:object-permission-resolver';

export const OBJECT_TYPE_PATTERN = /^[a-z][a-z0-9_:-]{0,63}$/;

/** Marks a provider as the ObjectPermissionResolver for objects of `objectType`. */
export const ResolvesPermissionsFor = (objectType: string): ClassDecorator => {
  if (!OBJECT_TYPE_PATTERN.test(objectType)) {
    throw new Error(`Object type "${objectType}" must be lower case, e.g. page or snippet:author.`);
  }
  return SetMetadata(OBJECT_PERMISSION_RESOLVER, objectType);
};
