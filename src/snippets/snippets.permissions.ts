import type { PermissionDefinition } from '#src/accounts/permission-registry.js';

export const ADD_SNIPPET = 'add_snippet';
export const CHANGE_SNIPPET = 'change_snippet';
export const PUBLISH_SNIPPET = 'publish_snippet';
export const DELETE_SNIPPET = 'delete_snippet';
export const LOCK_SNIPPET = 'lock_snippet';
export const UNLOCK_SNIPPET = 'unlock_snippet';

/** The snippet permissions, held model-wide (on every snippet of every type) through groups. */
export const SNIPPETS_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    codename: ADD_SNIPPET,
    label: 'Add snippets',
    description:
      'Create snippets (saved as drafts; publishing them also needs "Publish snippets").',
  },
  {
    codename: CHANGE_SNIPPET,
    label: 'Change snippets',
    description: 'Edit snippets and revert them to earlier revisions (as new drafts).',
  },
  {
    codename: PUBLISH_SNIPPET,
    label: 'Publish snippets',
    description: 'Publish, schedule and unpublish snippets, and cancel their schedules.',
  },
  {
    codename: DELETE_SNIPPET,
    label: 'Delete snippets',
    description: 'Delete snippets, including ones still used by live content when forced.',
  },
  {
    codename: LOCK_SNIPPET,
    label: 'Lock snippets',
    description: 'Lock a snippet so that nobody else can edit or publish it until it is unlocked.',
  },
  {
    codename: UNLOCK_SNIPPET,
    label: 'Unlock snippets',
    description: "Remove anyone's lock from a snippet, not only one's own.",
  },
];

/** Holding any of these lets a user see snippets in the management API (as in Wagtail). */
export const ANY_SNIPPET_PERMISSION = SNIPPETS_PERMISSIONS.map((permission) => permission.codename);
