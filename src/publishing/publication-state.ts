import type { PublishableColumns, PublishableType } from '#src/publishing/publishable-columns.js';

/** A page or a snippet, as every publishing action names it. */
export interface PublishTarget {
  type: PublishableType;
  id: string;
}

/**
 * Wagtail's `status_string`: what an editor sees next to a page or snippet. `in moderation`
 * arrives with workflows.
 */
export type PublicationStatus =
  'draft' | 'live' | 'live + draft' | 'scheduled' | 'live + scheduled' | 'expired';

/** The draft/live state of a page or snippet, in the shape every API shows it. */
export interface PublicationState {
  status: PublicationStatus;
  live: boolean;
  hasUnpublishedChanges: boolean;
  firstPublishedAt: string | null;
  lastPublishedAt: string | null;
  /** When the scheduled revision goes live (only while one is scheduled). */
  goLiveAt: string | null;
  /** When the live version is taken offline (or was, for `expired`). */
  expireAt: string | null;
  lock: { lockedBy: string | null; lockedAt: string | null } | null;
  latestRevisionId: string | null;
  liveRevisionId: string | null;
}

/** The columns the state is computed from (rows read raw may carry dates as strings). */
export type PublicationColumns = Pick<
  PublishableColumns,
  | 'live'
  | 'hasUnpublishedChanges'
  | 'expired'
  | 'locked'
  | 'lockedById'
  | 'latestRevisionId'
  | 'liveRevisionId'
> & {
  firstPublishedAt: Date | string | null;
  lastPublishedAt: Date | string | null;
  goLiveAt: Date | string | null;
  expireAt: Date | string | null;
  lockedAt: Date | string | null;
};

function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The status of a row, in Wagtail's order of precedence (an expired object is `expired` even if rescheduled). */
export function statusOf(row: PublicationColumns): PublicationStatus {
  const scheduled = row.goLiveAt !== null && row.goLiveAt !== undefined;
  if (!row.live) {
    if (row.expired) return 'expired';
    return scheduled ? 'scheduled' : 'draft';
  }
  if (scheduled) return 'live + scheduled';
  return row.hasUnpublishedChanges ? 'live + draft' : 'live';
}

export function describe(row: PublicationColumns): PublicationState {
  return {
    status: statusOf(row),
    live: row.live,
    hasUnpublishedChanges: row.hasUnpublishedChanges,
    firstPublishedAt: iso(row.firstPublishedAt),
    lastPublishedAt: iso(row.lastPublishedAt),
    goLiveAt: iso(row.goLiveAt),
    expireAt: iso(row.expireAt),
    lock: row.locked ? { lockedBy: row.lockedById, lockedAt: iso(row.lockedAt) } : null,
    latestRevisionId: row.latestRevisionId === null ? null : String(row.latestRevisionId),
    liveRevisionId: row.liveRevisionId === null ? null : String(row.liveRevisionId),
  };
}

/** `pages.published`, `snippets.locked`: audit actions are named by the kind of object. */
export function auditAction(type: PublishableType, action: string): string {
  return `${type}s.${action}`;
}

/** What an error message calls the object. */
export function kindLabel(type: PublishableType): string {
  return type === 'page' ? 'page' : 'snippet';
}
