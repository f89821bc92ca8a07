import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const MANAGE_JOBS = 'manage_jobs';

/** The permissions the jobs module owns. */
export const JOBS_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: MANAGE_JOBS,
    label: 'Manage background jobs',
    description: 'See the job queues and failed jobs, and retry or discard them.',
  },
];
