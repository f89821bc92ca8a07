import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const MANAGE_CONTENT_TYPES = 'manage_content_types';

/** The permissions the content-types module owns. */
export const CONTENT_TYPES_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: MANAGE_CONTENT_TYPES,
    label: 'Manage content types',
    description:
      'Create, change and delete content types (the fields of pages and snippets), through the management API or a schema file.',
  },
];
