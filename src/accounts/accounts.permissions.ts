import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const MANAGE_USERS = 'manage_users';
export const MANAGE_GROUPS = 'manage_groups';

/** The permissions the accounts module owns. */
export const ACCOUNTS_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: MANAGE_USERS,
    label: 'Manage users',
    description:
      'Invite, edit, deactivate and delete users, put them in groups, and see why a user may or may not do something.',
  },
  {
    codename: MANAGE_GROUPS,
    label: 'Manage groups',
    description: 'Create, rename and delete groups and choose the permissions each group grants.',
  },
];
