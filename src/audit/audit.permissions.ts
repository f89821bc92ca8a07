import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const VIEW_AUDIT_LOG = 'view_audit_log';

/** The permissions the audit module owns. */
export const AUDIT_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: VIEW_AUDIT_LOG,
    label: 'View the audit log',
    description:
      'Read the log of who signed in, who changed users, groups and permissions, and from where.',
  },
];
