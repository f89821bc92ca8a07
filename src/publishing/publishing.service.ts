import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import type { ContentValues } from '#src/content-types/content-type-definition.js';
import {
  type ContentTypeRecord,
  ContentTypesService,
} from '#src/content-types/content-types.service.js';
import type { FieldError } from '#src/errors/domain-error.js';
import { JobsService } from '#src/jobs/jobs.service.js';
import { Page } from '#src/pages/page.entity.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { type FieldChange, diffContent } from '#src/content-types/content-diff.js';
import { extractReferences } from '#src/content-types/content-references.js';
import { searchableText } from '#src/content-types/content-search-text.js';
import { CONTENT_MAX_BYTES, validateContent } from '#src/content-types/content-validation.js';
import { ContentValidationError } from '#src/content-types/content-validation.errors.js';
import {
  expireLiveContentJob,
  publishScheduledRevisionJob,
} from '#src/publishing/jobs/publishing.jobs.js';
import {
  auditAction,
  describe,
  type PublicationColumns,
  type PublicationState,
  type PublicationStatus,
  type PublishTarget,
  statusOf,
} from '#src/publishing/publication-state.js';
import type { PublishableColumns, PublishableType } from '#src/publishing/publishable-columns.js';
import {
  ContentTooLargeError,
  InvalidScheduleError,
  NotLiveError,
  NothingScheduledError,
  ObjectLockedError,
  PublishableNotFoundError,
  RevisionNotFoundError,
} from '#src/publishing/publishing.errors.js';
import { Revision } from '#src/publishing/revision.entity.js';
import { typedLinks } from '#src/publishing/typed-links.js';
import { ReferenceIndexService } from '#src/references/reference-index.service.js';
import { SearchIndexService } from '#src/search/search-index.service.js';
import { Snippet } from '#src/snippets/snippet.entity.js';

export type {
  PublicationState,
  PublicationStatus,
  PublishTarget,
} from '#src/publishing/publication-state.js';

/** Content larger than this (as JSON, about 1 MB) is refused on every save. */
export const MAX_CONTENT_BYTES = CONTENT_MAX_BYTES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REVISION_ID = /^[1-9][0-9]{0,17}$/;

export interface SaveRevisionInput {
  title: string;
  /** Pages: the slug as saved in this revision. */
  slug?: string | null;
  content: unknown;
  message?: string;
}

export interface PublishOptions {
  /** Which revision; the latest when absent. */
  revisionId?: string;
  /** In the future: schedule instead of publishing now. */
  goLiveAt?: Date | null;
  /** When the published version is taken offline again. */
  expireAt?: Date | null;
  /**
   * The last approval of a moderation workflow publishes: guards that refuse publishing
   * outside the workflow let it through. Never set from a request.
   */
  approvedByWorkflow?: boolean;
}

/** What a change to a page or snippet is, as guards see it. */
export type GuardedAction = 'edit' | 'publish' | 'unpublish' | 'delete' | 'move' | 'lock';

/**
 * Another feature's say in changes to pages and snippets (the moderation workflow locks
 * pages in review and may forbid publishing outside it), without publishing depending on
 * it. Called inside the change's transaction, after the row lock; throw a DomainError to refuse.
 */
export interface PublishingGuard {
  beforeChange(
    tx: EntityManager,
    target: PublishTarget,
    action: GuardedAction,
    actorId: string,
  ): Promise<void>;
  /** As beforeChange, for many objects at once (a subtree being deleted or unpublished). */
  beforeChangeMany?(
    tx: EntityManager,
    kind: PublishableType,
    ids: readonly string[],
    action: GuardedAction,
    actorId: string,
  ): Promise<void>;
  /**
   * A fixed SQL condition on a revision `r` that keeps it from revision retention (a
   * revision under review, say). No parameters: it is pasted into the prune statement.
   */
  readonly retainsRevisionSql?: string;
  /** The objects are being deleted, in `tx`: remove what belongs to them. */
  objectsDeleted?(tx: EntityManager, kind: PublishableType, ids: readonly string[]): Promise<void>;
}

export interface RevisionSummary {
  id: string;
  objectType: PublishableType;
  objectId: string;
  title: string;
  slug: string | null;
  authorId: string | null;
  message: string;
  contentTypeVersion: number;
  createdAt: string;
  /** Set while this revision is scheduled to go live. */
  approvedGoLiveAt: string | null;
  approvedExpireAt: string | null;
  isLive: boolean;
  isLatest: boolean;
}

export interface RevisionView extends RevisionSummary {
  content: ContentValues;
}

export interface PublishOutcome {
  /** True when the revision was scheduled (a future `goLiveAt`) rather than published. */
  scheduled: boolean;
  revision: RevisionView;
  state: PublicationState;
}

export interface RevisionComparison {
  from: RevisionSummary;
  to: RevisionSummary;
  /** The title is a column of its own, so it is compared apart from the fields. */
  title: { changed: boolean; from: string; to: string };
  changes: FieldChange[];
}

export interface UnlockOptions {
  /** The caller holds the unlock permission: they may remove someone else's lock. */
  mayUnlockOthers?: boolean;
}

type Row = PublishableColumns;

function entityOf(type: PublishableType): EntityTarget<Row> {
  return type === 'page' ? Page : Snippet;
}

function tableOf(type: PublishableType): 'pages' | 'snippets' {
  return type === 'page' ? 'pages' : 'snippets';
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/**
 * Revisions, drafts, publishing, scheduling and locking of pages and snippets, written once
 * (Wagtail's RevisionMixin, DraftStateMixin and LockableMixin). The row holds the live
 * version; every save makes a revision; an object that is not live keeps its draft on the
 * row too. Every method takes an optional `manager` to join the caller's transaction and
 * audits what it does in that transaction. Permission checks belong to the callers.
 */
@Injectable()
export class PublishingService {
  private readonly logger = new Logger('Publishing');
  private readonly guards: PublishingGuard[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly changes: ContentChanges,
    private readonly references: ReferenceIndexService,
    private readonly search: SearchIndexService,
    private readonly contentTypes: ContentTypesService,
  ) {}

  /** Adds a guard consulted before every change a person makes (not scheduled jobs). */
  registerGuard(guard: PublishingGuard): void {
    this.guards.push(guard);
  }

  // ---------------------------------------------------------------- state

  statusOf(row: PublicationColumns): PublicationStatus {
    return statusOf(row);
  }

  describe(row: PublicationColumns): PublicationState {
    return describe(row);
  }

  // ---------------------------------------------------------------- saving

  /**
   * Saves a new revision (draft-mode validation, references checked, `unique` fields
   * checked), makes it the latest, and records its draft references. An object that is not
   * live also gets the draft's title and content on its row. Audits `<kind>s.edited`, except
   * for an object's first revision: the caller that created it audits `created`.
   */
  async saveRevision(
    target: PublishTarget,
    input: SaveRevisionInput,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<RevisionView> {
    return this.inTransaction(manager, (tx) =>
      this.saveRevisionIn(tx, target, input, actor, 'edited'),
    );
  }

  /**
   * Makes a revision live now, or schedules it (a future `goLiveAt`): publish-mode
   * validation, then the row gets the revision's title and content, the live references,
   * the search index and a content change notice. Scheduling stores `approved_go_live_at`
   * on the revision and `go_live_at` on the row, and enqueues the delayed job; the minute
   * sweep catches it if the job is lost. Either way it is published once.
   */
  async publish(
    target: PublishTarget,
    options: PublishOptions,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<PublishOutcome> {
    return this.inTransaction(manager, async (tx) => {
      const row = await this.lockRow(tx, target);
      this.assertNotLocked(target, row, actor.actorId);
      if (!options.approvedByWorkflow) await this.guard(tx, target, 'publish', actor.actorId);
      const revision = options.revisionId
        ? await this.findRevision(tx, target, options.revisionId)
        : await this.latestRevision(tx, target, row);
      const info = this.contentTypeOf(row.contentTypeKey);
      const now = new Date();
      const goLiveAt = options.goLiveAt && options.goLiveAt > now ? options.goLiveAt : null;
      const expireAt = options.expireAt ?? null;
      const scheduleErrors: FieldError[] = [];
      if (expireAt && expireAt <= now) {
        scheduleErrors.push({ path: 'expireAt', message: 'must be in the future' });
      } else if (expireAt && goLiveAt && expireAt <= goLiveAt) {
        scheduleErrors.push({ path: 'expireAt', message: 'must be after goLiveAt' });
      }
      if (scheduleErrors.length > 0) throw new InvalidScheduleError(scheduleErrors);
      await this.checkContent(tx, target, info, revision.content, 'publish');

      if (goLiveAt) {
        // One schedule per object, as in Wagtail: a new one replaces any other.
        await tx.query(
          `UPDATE revisions SET approved_go_live_at = NULL, approved_expire_at = NULL
            WHERE object_type = $1 AND object_id = $2 AND id <> $3 AND approved_go_live_at IS NOT NULL`,
          [target.type, target.id, revision.id],
        );
        await tx.update(
          Revision,
          { id: revision.id },
          {
            approvedGoLiveAt: goLiveAt,
            approvedExpireAt: expireAt,
          },
        );
        revision.approvedGoLiveAt = goLiveAt;
        revision.approvedExpireAt = expireAt;
        await this.updateRow(tx, target, { goLiveAt });
        row.goLiveAt = goLiveAt;
        await this.jobs.enqueue(
          publishScheduledRevisionJob,
          { objectType: target.type, objectId: target.id, revisionId: revision.id },
          { manager: tx, delayMs: goLiveAt.getTime() - now.getTime() },
        );
        await this.record(tx, target, actor, 'scheduled', {
          title: revision.title,
          revisionId: revision.id,
          goLiveAt: goLiveAt.toISOString(),
          expireAt: expireAt?.toISOString() ?? null,
        });
        return { scheduled: true, revision: this.viewOf(revision, row), state: describe(row) };
      }

      await this.goLive(tx, target, row, revision, info, actor, { expireAt, scheduled: false });
      return { scheduled: false, revision: this.viewOf(revision, row), state: describe(row) };
    });
  }

  /**
   * Refuses (as publishing would) a revision that could not go live: publish-mode
   * validation, references and `unique` fields. The latest revision when `revisionId` is
   * null. What a moderation workflow checks at submission, so reviewers see only drafts
   * that can be published.
   */
  async assertPublishable(
    target: PublishTarget,
    revisionId: string | null,
    manager?: EntityManager,
  ): Promise<void> {
    const em = manager ?? this.dataSource.manager;
    const row = await this.findRow(em, target);
    const revision = revisionId
      ? await this.findRevision(em, target, revisionId)
      : await this.latestRevision(em, target, row);
    await this.checkContent(
      em,
      target,
      this.contentTypeOf(row.contentTypeKey),
      revision.content,
      'publish',
    );
  }

  /** Takes a live object offline; its content stays as the draft. Audits `<kind>s.unpublished`. */
  async unpublish(
    target: PublishTarget,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<PublicationState> {
    return this.inTransaction(manager, async (tx) => {
      const row = await this.lockRow(tx, target);
      this.assertNotLocked(target, row, actor.actorId);
      await this.guard(tx, target, 'unpublish', actor.actorId);
      if (!row.live) throw new NotLiveError(target.type);
      await this.takeOffline(tx, target, row, actor, { expired: false });
      return describe(row);
    });
  }

  /**
   * Takes many objects of one kind offline at once (a page and its subtree), in the
   * caller's transaction; those not live are left as they are. Locks are not checked (the
   * caller decides). Returns the ids it unpublished.
   */
  async unpublishMany(
    kind: PublishableType,
    ids: readonly string[],
    actor: AuditActor,
    manager: EntityManager,
  ): Promise<string[]> {
    const wanted = ids.filter((id) => UUID.test(id));
    if (wanted.length === 0) return [];
    const rows = await manager
      .getRepository(entityOf(kind))
      .createQueryBuilder('o')
      .setLock('pessimistic_write')
      .where('o.id = ANY(:ids)', { ids: wanted })
      .andWhere('o.live')
      .orderBy('o.id')
      .getMany();
    for (const row of rows) {
      await this.takeOffline(manager, { type: kind, id: row.id }, row, actor, { expired: false });
    }
    return rows.map((row) => row.id);
  }

  /**
   * Makes an old revision the new draft: a new revision with its title, slug and content,
   * whose message names the revision it came from. Audits `<kind>s.reverted`.
   */
  async revert(
    target: PublishTarget,
    revisionId: string,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<RevisionView> {
    return this.inTransaction(manager, async (tx) => {
      const source = await this.findRevision(tx, target, revisionId);
      return this.saveRevisionIn(
        tx,
        target,
        {
          title: source.title,
          slug: source.slug,
          content: source.content,
          message: `Reverted to revision ${source.id} of ${source.createdAt.toISOString()}`,
        },
        actor,
        'reverted',
        source.id,
      );
    });
  }

  // ---------------------------------------------------------------- revisions

  /** Newest first, without content. */
  async listRevisions(
    target: PublishTarget,
    page: { limit: number; offset: number },
    manager?: EntityManager,
  ): Promise<{ total_count: number; items: RevisionSummary[] }> {
    const em = manager ?? this.dataSource.manager;
    const row = await this.findRow(em, target);
    const [revisions, total] = await em
      .getRepository(Revision)
      .createQueryBuilder('r')
      .select([
        'r.id',
        'r.objectType',
        'r.objectId',
        'r.title',
        'r.slug',
        'r.authorId',
        'r.message',
        'r.contentTypeVersion',
        'r.createdAt',
        'r.approvedGoLiveAt',
        'r.approvedExpireAt',
      ])
      .where('r.objectType = :type AND r.objectId = :id', target)
      .orderBy('r.id', 'DESC')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
    return {
      total_count: total,
      items: revisions.map((revision) => this.summaryOf(revision, row)),
    };
  }

  async getRevision(
    target: PublishTarget,
    revisionId: string,
    manager?: EntityManager,
  ): Promise<RevisionView> {
    const em = manager ?? this.dataSource.manager;
    const row = await this.findRow(em, target);
    return this.viewOf(await this.findRevision(em, target, revisionId), row);
  }

  /** The latest revision (the current draft) with its content. */
  async latestRevisionOf(target: PublishTarget, manager?: EntityManager): Promise<RevisionView> {
    const em = manager ?? this.dataSource.manager;
    const row = await this.findRow(em, target);
    return this.viewOf(await this.latestRevision(em, target, row), row);
  }

  /** Field-by-field (block-by-block for streams) differences from revision `a` to revision `b`. */
  async compare(
    target: PublishTarget,
    a: string,
    b: string,
    manager?: EntityManager,
  ): Promise<RevisionComparison> {
    const em = manager ?? this.dataSource.manager;
    const row = await this.findRow(em, target);
    const from = await this.findRevision(em, target, a);
    const to = await this.findRevision(em, target, b);
    const info = this.contentTypeOf(row.contentTypeKey);
    return {
      from: this.summaryOf(from, row),
      to: this.summaryOf(to, row),
      title: { changed: from.title !== to.title, from: from.title, to: to.title },
      changes: diffContent(info.definition, from.content, to.content),
    };
  }

  /**
   * Deletes revisions older than `olderThanDays` (REVISION_RETENTION_DAYS by default; 0
   * keeps every revision), always keeping each object's live and latest revision and any
   * scheduled one. Revisions of objects that no longer exist go too. Returns how many.
   */
  async pruneRevisions(
    options: { olderThanDays?: number; now?: Date } = {},
    manager?: EntityManager,
  ): Promise<number> {
    const days = options.olderThanDays ?? this.config.publishing.revisionRetentionDays;
    if (days <= 0) return 0;
    const cutoff = new Date((options.now ?? new Date()).getTime() - days * 86_400_000);
    const [, affected] = await (manager ?? this.dataSource.manager).query<[unknown, number]>(
      `DELETE FROM revisions r
        WHERE r.created_at < $1
          AND r.approved_go_live_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM pages p WHERE r.object_type = 'page' AND p.id = r.object_id
                            AND (p.live_revision_id = r.id OR p.latest_revision_id = r.id))
          AND NOT EXISTS (SELECT 1 FROM snippets s WHERE r.object_type = 'snippet' AND s.id = r.object_id
                            AND (s.live_revision_id = r.id OR s.latest_revision_id = r.id))
          ${this.guards
            .flatMap((guard) =>
              guard.retainsRevisionSql ? [`AND NOT (${guard.retainsRevisionSql})`] : [],
            )
            .join(' ')}`,
      [cutoff],
    );
    if (affected > 0) this.logger.log(`Pruned ${affected} revision(s) older than ${days} day(s).`);
    return affected;
  }

  /** Deletes every revision of these objects (they are being deleted), in the caller's transaction. */
  async deleteRevisionsOf(
    kind: PublishableType,
    ids: readonly string[],
    manager: EntityManager,
  ): Promise<void> {
    const wanted = ids.filter((id) => UUID.test(id));
    if (wanted.length === 0) return;
    for (const guard of this.guards) await guard.objectsDeleted?.(manager, kind, wanted);
    await manager.query(
      `DELETE FROM revisions WHERE object_type = $1 AND object_id = ANY($2::uuid[])`,
      [kind, wanted],
    );
  }

  // ---------------------------------------------------------------- locks

  /** Locks the object for the actor; locking one's own lock again changes nothing. */
  async lock(
    target: PublishTarget,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<PublicationState> {
    return this.inTransaction(manager, async (tx) => {
      const row = await this.lockRow(tx, target);
      this.assertNotLocked(target, row, actor.actorId);
      await this.guard(tx, target, 'lock', actor.actorId);
      if (row.locked) return describe(row);
      const lockedAt = new Date();
      await this.updateRow(tx, target, {
        locked: true,
        lockedById: actor.actorId,
        lockedAt,
      });
      Object.assign(row, { locked: true, lockedById: actor.actorId, lockedAt });
      await this.record(tx, target, actor, 'locked', { title: row.title });
      return describe(row);
    });
  }

  /**
   * Removes the lock. Someone else's lock only with `mayUnlockOthers` (the caller checked
   * the unlock permission), else ObjectLockedError. Unlocking what is not locked changes nothing.
   */
  async unlock(
    target: PublishTarget,
    actor: AuditActor,
    options: UnlockOptions = {},
    manager?: EntityManager,
  ): Promise<PublicationState> {
    return this.inTransaction(manager, async (tx) => {
      const row = await this.lockRow(tx, target);
      if (!row.locked) return describe(row);
      if (!options.mayUnlockOthers) this.assertNotLocked(target, row, actor.actorId);
      const previous = row.lockedById;
      await this.updateRow(tx, target, {
        locked: false,
        lockedById: null,
        lockedAt: null,
      });
      Object.assign(row, { locked: false, lockedById: null, lockedAt: null });
      await this.record(tx, target, actor, 'unlocked', { title: row.title, lockedBy: previous });
      return describe(row);
    });
  }

  /**
   * Throws ObjectLockedError (423) when someone other than `userId` holds the lock, or what
   * a guard throws when it refuses `action` (a page in review, say).
   */
  async assertNotLockedFor(
    target: PublishTarget,
    userId: string | null,
    manager?: EntityManager,
    action: GuardedAction = 'edit',
  ): Promise<void> {
    const em = manager ?? this.dataSource.manager;
    const row = await this.findRow(em, target);
    this.assertNotLocked(target, row, userId);
    await this.guard(em, target, action, userId);
  }

  /**
   * Asks the guards about a change to many objects at once (the pages below one being
   * deleted or unpublished with it); locks are the caller's business, as for unpublishMany.
   */
  async assertGuardsAllowMany(
    kind: PublishableType,
    ids: readonly string[],
    actorId: string | null,
    action: GuardedAction,
    manager?: EntityManager,
  ): Promise<void> {
    const wanted = ids.filter((id) => UUID.test(id));
    if (actorId === null || wanted.length === 0) return;
    const em = manager ?? this.dataSource.manager;
    for (const guard of this.guards) {
      await guard.beforeChangeMany?.(em, kind, wanted, action, actorId);
    }
  }

  // ---------------------------------------------------------------- schedules

  /** Cancels the scheduled publication and the expiry of the live version. */
  async cancelSchedule(
    target: PublishTarget,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<PublicationState> {
    return this.inTransaction(manager, async (tx) => {
      const row = await this.lockRow(tx, target);
      this.assertNotLocked(target, row, actor.actorId);
      // For UPDATE … RETURNING the pg driver answers [rows, affected count].
      const [scheduled] = await tx.query<[Array<{ id: string }>, number]>(
        `UPDATE revisions SET approved_go_live_at = NULL, approved_expire_at = NULL
          WHERE object_type = $1 AND object_id = $2 AND approved_go_live_at IS NOT NULL
          RETURNING id::text AS id`,
        [target.type, target.id],
      );
      const pendingExpiry = row.live && row.expireAt !== null;
      if (scheduled.length === 0 && row.goLiveAt === null && !pendingExpiry) {
        throw new NothingScheduledError(target.type);
      }
      const data = {
        title: row.title,
        revisionIds: scheduled.map((revision) => revision.id),
        goLiveAt: iso(row.goLiveAt),
        expireAt: pendingExpiry ? iso(row.expireAt) : null,
      };
      const changes: Partial<Row> = {
        goLiveAt: null,
        ...(pendingExpiry ? { expireAt: null } : {}),
      };
      await this.updateRow(tx, target, changes);
      Object.assign(row, changes);
      await this.record(tx, target, actor, 'schedule_cancelled', data);
      return describe(row);
    });
  }

  /**
   * The scheduled revision goes live, if it is still scheduled and due: what both the
   * delayed job and the sweep call. The row is taken FOR UPDATE and everything re-read
   * under that lock, so concurrent runs publish it once. Returns whether it published.
   */
  async publishScheduledRevision(
    target: PublishTarget,
    revisionId: string,
    now = new Date(),
  ): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.lockRow(tx, target).catch((error: unknown) => {
        if (error instanceof PublishableNotFoundError) return undefined;
        throw error;
      });
      if (!row) return false;
      const revision = await tx.findOne(Revision, {
        where: { id: revisionId, objectType: target.type, objectId: target.id },
      });
      if (!revision?.approvedGoLiveAt || revision.approvedGoLiveAt > now) return false;
      const info = this.contentTypeOf(row.contentTypeKey);
      await this.goLive(
        tx,
        target,
        row,
        revision,
        info,
        { actorId: null },
        {
          expireAt: revision.approvedExpireAt,
          scheduled: true,
        },
      );
      return true;
    });
  }

  /** Takes live content offline at its `expire_at`, if still due (job and sweep both call it). */
  async expireIfDue(target: PublishTarget, now = new Date()): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.lockRow(tx, target).catch((error: unknown) => {
        if (error instanceof PublishableNotFoundError) return undefined;
        throw error;
      });
      if (!row?.live || row.expireAt === null || row.expireAt > now) return false;
      await this.takeOffline(tx, target, row, { actorId: null }, { expired: true });
      return true;
    });
  }

  /**
   * Publishes every revision whose time has come and expires everything due: the safety
   * net under the delayed jobs, run every minute. Each object in its own transaction.
   */
  async sweepSchedules(now = new Date()): Promise<{ published: number; expired: number }> {
    let published = 0;
    let expired = 0;
    const due: Array<{ id: string; objectType: PublishableType; objectId: string }> =
      await this.dataSource.query(
        `SELECT id::text AS id, object_type AS "objectType", object_id AS "objectId"
           FROM revisions WHERE approved_go_live_at <= $1 ORDER BY approved_go_live_at LIMIT 1000`,
        [now],
      );
    for (const revision of due) {
      const target = { type: revision.objectType, id: revision.objectId };
      try {
        if (await this.publishScheduledRevision(target, revision.id, now)) published += 1;
      } catch (error) {
        this.logger.error(`Could not publish ${target.type} ${target.id}: ${String(error)}`);
      }
    }
    for (const type of ['page', 'snippet'] as const) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM ${tableOf(type)} WHERE live AND expire_at <= $1 ORDER BY expire_at LIMIT 1000`,
        [now],
      );
      for (const { id } of rows) {
        try {
          if (await this.expireIfDue({ type, id }, now)) expired += 1;
        } catch (error) {
          this.logger.error(`Could not expire ${type} ${id}: ${String(error)}`);
        }
      }
    }
    if (published + expired > 0) {
      this.logger.log(`Schedule sweep: published ${published}, expired ${expired}.`);
    }
    return { published, expired };
  }

  // ---------------------------------------------------------------- internals

  private async inTransaction<T>(
    manager: EntityManager | undefined,
    work: (tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (manager?.queryRunner?.isTransactionActive) return work(manager);
    return (manager ?? this.dataSource.manager).transaction(work);
  }

  private async updateRow(tx: EntityManager, target: PublishTarget, changes: Partial<Row>) {
    await tx.update(
      entityOf(target.type),
      { id: target.id },
      changes as QueryDeepPartialEntity<Row>,
    );
  }

  private async findRow(manager: EntityManager, target: PublishTarget): Promise<Row> {
    const row = UUID.test(target.id)
      ? await manager.findOne(entityOf(target.type), { where: { id: target.id } })
      : null;
    if (!row) throw new PublishableNotFoundError(target.type, target.id);
    return row;
  }

  /** The row, locked FOR UPDATE until the transaction ends: every change starts here. */
  private async lockRow(manager: EntityManager, target: PublishTarget): Promise<Row> {
    const row = UUID.test(target.id)
      ? await manager
          .getRepository(entityOf(target.type))
          .createQueryBuilder('o')
          .setLock('pessimistic_write')
          .where('o.id = :id', { id: target.id })
          .getOne()
      : null;
    if (!row) throw new PublishableNotFoundError(target.type, target.id);
    return row;
  }

  /** Guards judge what people do; Finch's own jobs (actor null) are not asked. */
  private async guard(
    tx: EntityManager,
    target: PublishTarget,
    action: GuardedAction,
    actorId: string | null,
  ): Promise<void> {
    if (actorId === null) return;
    for (const guard of this.guards) await guard.beforeChange(tx, target, action, actorId);
  }

  private assertNotLocked(target: PublishTarget, row: Row, userId: string | null): void {
    if (row.locked && row.lockedById !== userId) {
      throw new ObjectLockedError(target.type, row.lockedById, row.lockedAt);
    }
  }

  private async findRevision(
    manager: EntityManager,
    target: PublishTarget,
    revisionId: string,
  ): Promise<Revision> {
    const revision = REVISION_ID.test(revisionId)
      ? await manager.findOne(Revision, {
          where: { id: revisionId, objectType: target.type, objectId: target.id },
        })
      : null;
    if (!revision) throw new RevisionNotFoundError(target.type, target.id, revisionId);
    return revision;
  }

  private async latestRevision(
    manager: EntityManager,
    target: PublishTarget,
    row: Row,
  ): Promise<Revision> {
    if (!row.latestRevisionId) {
      throw new RevisionNotFoundError(target.type, target.id, 'latest (it has none)');
    }
    return this.findRevision(manager, target, String(row.latestRevisionId));
  }

  /** The type's current definition, from ContentTypesService's in-memory registry (no query). */
  private contentTypeOf(key: string): ContentTypeRecord {
    return this.contentTypes.get(key);
  }

  private async saveRevisionIn(
    tx: EntityManager,
    target: PublishTarget,
    input: SaveRevisionInput,
    actor: AuditActor,
    action: 'edited' | 'reverted',
    revertedFrom?: string,
  ): Promise<RevisionView> {
    const row = await this.lockRow(tx, target);
    this.assertNotLocked(target, row, actor.actorId);
    await this.guard(tx, target, 'edit', actor.actorId);
    const info = this.contentTypeOf(row.contentTypeKey);
    const content = await this.checkContent(tx, target, info, input.content, 'draft');
    const firstRevision = row.latestRevisionId === null;
    const saved = await tx.save(
      tx.create(Revision, {
        objectType: target.type,
        objectId: target.id,
        contentTypeKey: row.contentTypeKey,
        contentTypeVersion: info.version,
        title: input.title,
        slug: input.slug ?? null,
        content,
        authorId: actor.actorId,
        message: (input.message ?? '').slice(0, 255),
        approvedGoLiveAt: null,
        approvedExpireAt: null,
      }),
    );
    const revision = await tx.findOneOrFail(Revision, { where: { id: saved.id } });
    const changes: Partial<Row> = {
      latestRevisionId: revision.id,
      hasUnpublishedChanges: true,
      ...(row.live ? {} : { title: revision.title, content: revision.content }),
    };
    await this.updateRow(tx, target, changes);
    Object.assign(row, changes);
    await this.references.replace(
      tx,
      target,
      false,
      extractReferences(info.definition, revision.content),
    );
    if (!firstRevision || action === 'reverted') {
      await this.record(tx, target, actor, action, {
        title: revision.title,
        revisionId: revision.id,
        ...(revertedFrom ? { revertedFrom } : {}),
      });
    }
    return this.viewOf(revision, row);
  }

  /**
   * Refuses content that is too large, fails validation (`mode`), points at objects that
   * do not exist or are of a type the field does not allow, or repeats a `unique` value of
   * another object of the type. Returns the content as validation normalised it.
   */
  private async checkContent(
    manager: EntityManager,
    target: PublishTarget,
    info: ContentTypeRecord,
    content: unknown,
    mode: 'draft' | 'publish',
  ): Promise<ContentValues> {
    const bytes = Buffer.byteLength(JSON.stringify(content ?? null));
    if (bytes > MAX_CONTENT_BYTES) throw new ContentTooLargeError(bytes, MAX_CONTENT_BYTES);
    const validated = validateContent(info.definition, content, { mode });
    if (validated.errors.length > 0) throw new ContentValidationError(validated.errors);
    const errors = [
      ...(await this.referenceErrors(manager, info, validated.content)),
      ...(await this.uniqueErrors(manager, target, info, validated.content)),
    ];
    if (errors.length > 0) throw new ContentValidationError(errors);
    return validated.content;
  }

  /** One query per kind of target (pages, snippets), however many references. */
  private async referenceErrors(
    manager: EntityManager,
    info: ContentTypeRecord,
    content: ContentValues,
  ): Promise<FieldError[]> {
    const links = typedLinks(info.definition, content);
    const typedIds = new Set(links.map((link) => `${link.kind}:${link.id}`));
    const untyped = extractReferences(info.definition, content)
      .filter((ref) => ref.targetType === 'page' || ref.targetType === 'snippet')
      .filter((ref) => UUID.test(ref.targetId))
      .map((ref) => ({
        path: ref.fieldPath.startsWith('content') ? ref.fieldPath : `content.${ref.fieldPath}`,
        kind: ref.targetType as 'page' | 'snippet',
        id: ref.targetId.toLowerCase(),
        allowedTypes: undefined,
      }))
      .filter((ref) => !typedIds.has(`${ref.kind}:${ref.id}`));
    const all = [...links, ...untyped];
    const errors: FieldError[] = [];
    for (const kind of ['page', 'snippet'] as const) {
      const ofKind = all.filter((link) => link.kind === kind);
      if (ofKind.length === 0) continue;
      const ids = [...new Set(ofKind.map((link) => link.id))];
      const found: Array<{ id: string; type: string }> = await manager.query(
        `SELECT id::text AS id, content_type_key AS type FROM ${tableOf(kind)} WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const typeOf = new Map(found.map((row) => [row.id, row.type]));
      for (const link of ofKind) {
        const type = typeOf.get(link.id);
        if (type === undefined) {
          errors.push({
            path: link.path,
            message: `points at a ${kind} that does not exist (${link.id})`,
          });
        } else if (
          link.allowedTypes &&
          link.allowedTypes.length > 0 &&
          !link.allowedTypes.includes(type)
        ) {
          errors.push({
            path: link.path,
            message: `points at a ${kind} of type "${type}"; allowed: ${link.allowedTypes.join(', ')}`,
          });
        }
      }
    }
    return errors;
  }

  /** `unique` fields: no other object of the type holds the value, live or in its latest draft. */
  private async uniqueErrors(
    manager: EntityManager,
    target: PublishTarget,
    info: ContentTypeRecord,
    content: ContentValues,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    for (const field of info.definition.fields) {
      if (!('unique' in field) || !field.unique) continue;
      const value = content[field.key];
      if (value === undefined || value === null || value === '') continue;
      const [clash]: Array<{ id: string }> = await manager.query(
        `SELECT t.id FROM ${tableOf(target.type)} t
          WHERE t.content_type_key = $1 AND t.id <> $2
            AND (t.content -> $3 = $4::jsonb
                 OR EXISTS (SELECT 1 FROM revisions r WHERE r.id = t.latest_revision_id
                              AND r.content -> $3 = $4::jsonb))
          LIMIT 1`,
        [info.key, target.id, field.key, JSON.stringify(value)],
      );
      if (clash) {
        errors.push({
          path: `content.${field.key}`,
          message: `must be unique: another ${target.type} of type "${info.key}" has this value`,
        });
      }
    }
    return errors;
  }

  private async goLive(
    tx: EntityManager,
    target: PublishTarget,
    row: Row,
    revision: Revision,
    info: ContentTypeRecord,
    actor: AuditActor,
    options: { expireAt: Date | null; scheduled: boolean },
  ): Promise<void> {
    const now = new Date();
    const changes: Partial<Row> = {
      title: revision.title,
      content: revision.content,
      live: true,
      expired: false,
      hasUnpublishedChanges: String(revision.id) !== String(row.latestRevisionId),
      liveRevisionId: revision.id,
      firstPublishedAt: row.firstPublishedAt ?? now,
      lastPublishedAt: now,
      goLiveAt: null,
      expireAt: options.expireAt,
    };
    await this.updateRow(tx, target, changes);
    Object.assign(row, changes);
    // Publishing now replaces any schedule (Wagtail clears every approved_go_live_at).
    await tx.query(
      `UPDATE revisions SET approved_go_live_at = NULL, approved_expire_at = NULL
        WHERE object_type = $1 AND object_id = $2 AND approved_go_live_at IS NOT NULL`,
      [target.type, target.id],
    );
    revision.approvedGoLiveAt = null;
    revision.approvedExpireAt = null;
    if (options.expireAt) {
      await this.jobs.enqueue(
        expireLiveContentJob,
        { objectType: target.type, objectId: target.id },
        { manager: tx, delayMs: options.expireAt.getTime() - now.getTime() },
      );
    }
    await this.references.replace(
      tx,
      target,
      true,
      extractReferences(info.definition, revision.content),
    );
    await this.search.index(tx, target.type, target.id, [
      { text: revision.title, weight: 'A' },
      ...searchableText(info.definition, revision.content),
    ]);
    await this.changes.record(tx, {
      objectType: target.type,
      objectId: target.id,
      action: 'published',
    });
    await this.record(tx, target, actor, 'published', {
      title: revision.title,
      revisionId: revision.id,
      ...(options.scheduled ? { scheduled: true } : {}),
      ...(options.expireAt ? { expireAt: options.expireAt.toISOString() } : {}),
    });
  }

  private async takeOffline(
    tx: EntityManager,
    target: PublishTarget,
    row: Row,
    actor: AuditActor,
    options: { expired: boolean },
  ): Promise<void> {
    const changes: Partial<Row> = {
      live: false,
      hasUnpublishedChanges: true,
      liveRevisionId: null,
      expired: options.expired,
      ...(options.expired ? {} : { expireAt: null }),
    };
    await this.updateRow(tx, target, changes);
    Object.assign(row, changes);
    await this.references.replace(tx, target, true, []);
    await this.search.clear(tx, target.type, target.id);
    await this.changes.record(tx, {
      objectType: target.type,
      objectId: target.id,
      action: options.expired ? 'expired' : 'unpublished',
    });
    await this.record(tx, target, actor, 'unpublished', {
      title: row.title,
      ...(options.expired ? { expired: true } : {}),
    });
  }

  private record(
    tx: EntityManager,
    target: PublishTarget,
    actor: AuditActor,
    action: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      {
        actorId: actor.actorId,
        ip: actor.ip,
        action: auditAction(target.type, action),
        objectType: target.type,
        objectId: target.id,
        data,
      },
      tx,
    );
  }

  private summaryOf(revision: Revision, row: Row): RevisionSummary {
    return {
      id: String(revision.id),
      objectType: revision.objectType,
      objectId: revision.objectId,
      title: revision.title,
      slug: revision.slug,
      authorId: revision.authorId,
      message: revision.message,
      contentTypeVersion: revision.contentTypeVersion,
      createdAt: revision.createdAt.toISOString(),
      approvedGoLiveAt: iso(revision.approvedGoLiveAt),
      approvedExpireAt: iso(revision.approvedExpireAt),
      isLive: row.liveRevisionId !== null && String(row.liveRevisionId) === String(revision.id),
      isLatest: String(row.latestRevisionId) === String(revision.id),
    };
  }

  private viewOf(revision: Revision, row: Row): RevisionView {
    return { ...this.summaryOf(revision, row), content: revision.content };
  }
}
