import type { PermissionDefinition } from '#src/accounts/permission-registry.js';
import type { PagePermissionType } from '#src/pages/page-permission.entity.js';

export const ADD_PAGE = 'add_page';
export const CHANGE_PAGE = 'change_page';
export const PUBLISH_PAGE = 'publish_page';
export const DELETE_PAGE = 'delete_page';
export const LOCK_PAGE = 'lock_page';
export const UNLOCK_PAGE = 'unlock_page';
export const MANAGE_SITES = 'manage_sites';

/** The codename a `page_permissions` grant of each type stands for. */
export const PAGE_PERMISSION_CODENAMES: Record<PagePermissionType, string> = {
  add: ADD_PAGE,
  change: CHANGE_PAGE,
  publish: PUBLISH_PAGE,
  delete: DELETE_PAGE,
  lock: LOCK_PAGE,
  unlock: UNLOCK_PAGE,
};

/** The grant type behind a page codename (`change_page` → `change`), or undefined. */
export function pagePermissionTypeOf(codename: string): PagePermissionType | undefined {
  for (const [type, name] of Object.entries(PAGE_PERMISSION_CODENAMES)) {
    if (name === codename) return type as PagePermissionType;
  }
  return undefined;
}

/**
 * The permissions the pages module owns. A group holding a page codename model-wide holds
 * it on every page; a `page_permissions` grant holds it on one page and its subtree.
 */
export const PAGES_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: ADD_PAGE,
    label: 'Add pages',
    description: 'Create pages below a page (at the root of the tree when granted model-wide).',
  },
  {
    codename: CHANGE_PAGE,
    label: 'Change pages',
    description: 'Edit pages and save drafts, move, copy and reorder them, revert to a revision.',
  },
  {
    codename: PUBLISH_PAGE,
    label: 'Publish pages',
    description: 'Publish, schedule and unpublish pages.',
  },
  {
    codename: DELETE_PAGE,
    label: 'Delete pages',
    description: 'Delete pages with their subtrees.',
  },
  { codename: LOCK_PAGE, label: 'Lock pages', description: 'Lock pages against editing.' },
  {
    codename: UNLOCK_PAGE,
    label: 'Unlock pages',
    description: 'Unlock pages locked by someone else (anyone may lift their own lock).',
  },
  {
    codename: MANAGE_SITES,
    label: 'Manage sites',
    description: 'Create, change and delete sites: host names and their root pages.',
  },
];
