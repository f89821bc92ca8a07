import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const MANAGE_WORKFLOWS = 'manage_workflows';

/** The permissions the workflows module owns. Reviewing is decided by each task, not here. */
export const WORKFLOWS_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: MANAGE_WORKFLOWS,
    label: 'Manage workflows',
    description:
      'Create and change moderation workflows and their tasks, and choose which pages they hold for.',
  },
];
