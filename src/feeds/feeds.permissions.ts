import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const MANAGE_FEEDS = 'manage_feeds';

/** The permissions the feeds module owns. Reading feeds needs none: they are public. */
export const FEEDS_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: MANAGE_FEEDS,
    label: 'Manage feeds',
    description:
      'Create, change and delete the feeds made by hand (/feeds/<slug>.rss and its kin).',
  },
];
