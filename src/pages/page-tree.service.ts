import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ContentValues } from '#src/content-types/content-type-definition.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { initialContent } from '#src/content-types/initial-content.js';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import { Page } from '#src/pages/page.entity.js';
import {
  childUrlPath,
  isValidSlug,
  MAX_DEPTH,
  MAX_URL_PATH_LENGTH,
  nextChildPath,
  parentPathOf,
  slugify,
  STEP_LENGTH,
  encodeStep,
  MAX_STEP,
} from '#src/pages/page-paths.js';
import {
  DeleteConfirmationError,
  PageInUseError,
  PageMoveCycleError,
  PageNotFoundError,
  PageTreeLimitError,
  PageTypeNotAllowedError,
  ReferencedPageMissingError,
  SiteRootInSubtreeError,
  SiteRootMoveError,
  SlugTakenError,
} from '#src/pages/pages.errors.js';
import { RequestValidationError } from '#src/errors/domain-error.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { PublishingService } from '#src/publishing/publishing.service.js';
import {
  ReferenceIndexService,
  type TargetedReferenceUsage,
} from '#src/references/reference-index.service.js';

/**
 * One key for every structural change of the page tree (pages of every site): changes take
 * it with `pg_advisory_xact_lock`, so two moves, or a move and a create, never compute paths
 * from the same snapshot. A move may cross from one site's tree to another's, so one lock
 * for the whole forest is the simple correct choice; structural changes are rare and short.
 */
const PAGE_TREE_LOCK_KEY = 0x66696e6368_01; // "finch" + 1

export interface NewPage {
  /** Absent or null: a root page (the home page of a site). */
  parentId?: string | null;
  type: string;
  title: string;
  /** Made from the title when absent (and then made unique among the siblings). */
  slug?: string;
  content?: ContentValues;
  /** A language tag; the parent's locale when absent (`en` for a root page). */
  locale?: string;
}

export interface PageDraft {
  title?: string;
  slug?: string;
  content?: ContentValues;
}

export interface CopyOptions {
  parentId: string | null;
  slug?: string;
  title?: string;
  includeSubtree: boolean;
}

export interface DeletePreview {
  /** Pages below this one that go with it. */
  descendants: number;
  /** How many of the pages that go (this one included) are live. */
  live: number;
  /** Live content elsewhere that still links to a page that would go. */
  usages: TargetedReferenceUsage[];
}

interface TreeRow {
  id: string;
  path: string;
  depth: number;
  numchild: number;
  slug: string;
  url_path: string;
  content_type_key: string;
  live: boolean;
  locale: string;
}

const TREE_COLUMNS = 'id, path, depth, numchild, slug, url_path, content_type_key, live, locale';

/**
 * Changes to the shape of the page tree: create, edit (slug), move, copy, delete and
 * reorder. Each runs in one transaction holding the tree lock, rewrites paths with a few
 * set-based statements (never one per page), audits itself in the same transaction, and
 * records a ContentChange when live content moves or goes. Content goes through
 * PublishingService (revisions, validation, references).
 */
@Injectable()
export class PageTreeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contentTypes: ContentTypesService,
    private readonly publishing: PublishingService,
    private readonly references: ReferenceIndexService,
    private readonly contentChanges: ContentChanges,
    private readonly audit: AuditService,
  ) {}

  /** Runs `work` in `manager`'s transaction or a new one, holding the tree lock. */
  async inTreeTransaction<T>(
    work: (manager: EntityManager) => Promise<T>,
    manager?: EntityManager,
  ): Promise<T> {
    const run = async (transaction: EntityManager) => {
      await transaction.query('SELECT pg_advisory_xact_lock($1)', [PAGE_TREE_LOCK_KEY]);
      return work(transaction);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /**
   * Creates a page under `parentId` (or a root page) with its first revision. `afterCreate`
   * runs in the same transaction (the controller publishes there when asked), so a failure
   * leaves nothing behind.
   */
  async create(
    input: NewPage,
    actor: AuditActor,
    afterCreate?: (page: Page, manager: EntityManager) => Promise<void>,
  ): Promise<Page> {
    return this.inTreeTransaction(async (manager) => {
      const parent = input.parentId
        ? await this.rowOrMissing(manager, input.parentId, 'parentId')
        : null;
      this.assertTypeAllowed(input.type, parent, 'type');
      if (input.slug !== undefined) this.assertSlug(input.slug);
      const parentPath = parent?.path ?? '';
      const depth = (parent?.depth ?? 0) + 1;
      this.assertDepth(depth, 'parentId');
      const slug =
        input.slug ?? (await this.freeSlug(manager, parentPath, depth, slugify(input.title)));
      await this.assertSlugFree(manager, parentPath, depth, slug);
      const urlPath = childUrlPath(parent?.url_path ?? '/', slug);
      this.assertUrlLength(urlPath.length, 'slug');
      const path = await this.nextPath(manager, parentPath, depth);
      // A new page starts from the type's field defaults, as Wagtail's do.
      const content = input.content ?? initialContent(this.contentTypes.get(input.type).definition);
      const [inserted] = await manager.query<Array<{ id: string }>>(
        `INSERT INTO pages (content_type_key, title, content, path, depth, slug, url_path, owner_id,
                            locale)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          input.type,
          input.title,
          JSON.stringify(content),
          path,
          depth,
          slug,
          urlPath,
          actor.actorId,
          input.locale ?? parent?.locale ?? 'en',
        ],
      );
      const id = inserted.id;
      if (parent) await this.adjustNumchild(manager, [parent.id], 1);
      await this.publishing.saveRevision(
        { type: 'page', id },
        { title: input.title, slug, content },
        actor,
        manager,
      );
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'pages.created',
          objectType: 'page',
          objectId: id,
          data: { type: input.type, title: input.title, parentId: parent?.id ?? null, urlPath },
          ip: actor.ip,
        },
        manager,
      );
      const page = await manager.findOneByOrFail(Page, { id });
      if (afterCreate) await afterCreate(page, manager);
      return page;
    });
  }

  /**
   * Saves a draft: a new revision with the title and content, through PublishingService.
   * A new slug takes effect at once, even on a live page, because a slug is structural:
   * it decides the URL of the page and its whole subtree and must stay unique among the
   * siblings now, not at some later publish (Wagtail does the same). The subtree's
   * `url_path`s are rewritten in one statement.
   */
  async saveDraft(id: string, draft: PageDraft, actor: AuditActor): Promise<Page> {
    return this.inTreeTransaction(async (manager) => {
      const row = await this.rowOrNotFound(manager, id);
      await this.publishing.assertNotLockedFor({ type: 'page', id }, actor.actorId, manager);
      const latest = await this.latestDraft(manager, id);
      let slug = row.slug;
      if (draft.slug !== undefined && draft.slug !== row.slug) {
        this.assertSlug(draft.slug);
        const parentPath = parentPathOf(row.path);
        await this.assertSlugFree(manager, parentPath, row.depth, draft.slug, id);
        const oldUrl = row.url_path;
        const newUrl = childUrlPath(
          oldUrl.slice(0, oldUrl.length - row.slug.length - 1),
          draft.slug,
        );
        await this.assertSubtreeFits(manager, row, newUrl.length - oldUrl.length, 0, 'slug');
        await manager.query(
          `UPDATE pages SET url_path = $2 || substr(url_path, $3 + 1)
            WHERE path LIKE $1 || '%'`,
          [row.path, newUrl, oldUrl.length],
        );
        await manager.query('UPDATE pages SET slug = $2 WHERE id = $1', [id, draft.slug]);
        slug = draft.slug;
        // Readers see the change when the subtree is live, and sites when it is a site root.
        if (
          (await this.subtreeHasLive(manager, row.path)) ||
          (await this.isSiteRoot(manager, id))
        ) {
          await this.contentChanges.record(manager, {
            objectType: 'page',
            objectId: id,
            action: 'moved',
          });
        }
      }
      await this.publishing.saveRevision(
        { type: 'page', id },
        {
          title: draft.title ?? latest.title,
          slug,
          content: draft.content ?? latest.content,
        },
        actor,
        manager,
      );
      return manager.findOneByOrFail(Page, { id });
    });
  }

  /**
   * Moves a page and its subtree under `parentId` (null: to the root level), at `position`
   * among its new siblings (the end when absent). Paths, depths and url paths of the whole
   * subtree change in one UPDATE; numchild of both parents in another.
   */
  async move(
    id: string,
    target: { parentId: string | null; position?: number },
    actor: AuditActor,
  ): Promise<Page> {
    return this.inTreeTransaction(async (manager) => {
      const row = await this.rowOrNotFound(manager, id);
      const parent = target.parentId
        ? await this.rowOrMissing(manager, target.parentId, 'parentId')
        : null;
      if (parent && parent.path.startsWith(row.path)) throw new PageMoveCycleError();
      const oldParentPath = parentPathOf(row.path);
      const newParentPath = parent?.path ?? '';
      if (parent && (await this.isSiteRoot(manager, id))) {
        throw new SiteRootMoveError();
      }
      if (oldParentPath === newParentPath) {
        // Same parent: a move is a reorder (or nothing at all without a position).
        if (target.position !== undefined) {
          await this.placeAt(manager, row, target.position);
          await this.auditMove(manager, actor, row, row, parent);
        }
        return manager.findOneByOrFail(Page, { id });
      }
      this.assertTypeAllowed(row.content_type_key, parent, 'parentId');
      const depth = (parent?.depth ?? 0) + 1;
      await this.assertSlugFree(manager, newParentPath, depth, row.slug, id);
      const newUrl = childUrlPath(parent?.url_path ?? '/', row.slug);
      await this.assertSubtreeFits(
        manager,
        row,
        newUrl.length - row.url_path.length,
        depth - row.depth,
        'parentId',
      );
      const newPath = await this.nextPath(manager, newParentPath, depth);
      // The new path is a fresh sibling and the new url path is free (its slug is unique
      // there), so no row of the subtree can collide with another during the update.
      await manager.query(
        `UPDATE pages
            SET path = $2 || substr(path, $3 + 1),
                depth = depth + $4,
                url_path = $5 || substr(url_path, $6 + 1)
          WHERE path LIKE $1 || '%'`,
        [row.path, newPath, row.path.length, depth - row.depth, newUrl, row.url_path.length],
      );
      const oldParent = oldParentPath ? await this.rowByPath(manager, oldParentPath) : null;
      if (oldParent) await this.adjustNumchild(manager, [oldParent.id], -1);
      if (parent) await this.adjustNumchild(manager, [parent.id], 1);
      const moved = await this.rowOrNotFound(manager, id);
      if (target.position !== undefined) await this.placeAt(manager, moved, target.position);
      if (await this.subtreeHasLive(manager, moved.path)) {
        await this.contentChanges.record(manager, {
          objectType: 'page',
          objectId: id,
          action: 'moved',
        });
      }
      await this.auditMove(manager, actor, row, moved, parent, oldParent);
      return manager.findOneByOrFail(Page, { id });
    });
  }

  /** Puts the page at `position` (0 = first) among its siblings. */
  async reorder(id: string, position: number, actor: AuditActor): Promise<Page> {
    return this.inTreeTransaction(async (manager) => {
      const row = await this.rowOrNotFound(manager, id);
      const before = await this.siblingIds(manager, parentPathOf(row.path), row.depth);
      await this.placeAt(manager, row, position);
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'pages.reordered',
          objectType: 'page',
          objectId: id,
          data: { from: before.indexOf(id), to: position },
          ip: actor.ip,
        },
        manager,
      );
      if (row.live) {
        await this.contentChanges.record(manager, {
          objectType: 'page',
          objectId: id,
          action: 'reordered',
        });
      }
      return manager.findOneByOrFail(Page, { id });
    });
  }

  /**
   * Copies a page (and its subtree when asked) under `parentId`. Copies are never live;
   * they get new ids, the source's latest draft as content, a slug free among their new
   * siblings and a first revision each (through PublishingService, which also records
   * their references). The rows are inserted by one INSERT … SELECT.
   */
  async copy(id: string, options: CopyOptions, actor: AuditActor): Promise<Page> {
    return this.inTreeTransaction(async (manager) => {
      const row = await this.rowOrNotFound(manager, id);
      const parent = options.parentId
        ? await this.rowOrMissing(manager, options.parentId, 'parentId')
        : null;
      if (options.includeSubtree && parent && parent.path.startsWith(row.path)) {
        throw new PageMoveCycleError();
      }
      this.assertTypeAllowed(row.content_type_key, parent, 'parentId');
      if (options.slug !== undefined) this.assertSlug(options.slug);
      const parentPath = parent?.path ?? '';
      const depth = (parent?.depth ?? 0) + 1;
      const slug = options.slug ?? (await this.freeSlug(manager, parentPath, depth, row.slug));
      await this.assertSlugFree(manager, parentPath, depth, slug);
      const newUrl = childUrlPath(parent?.url_path ?? '/', slug);
      if (options.includeSubtree) {
        await this.assertSubtreeFits(
          manager,
          row,
          newUrl.length - row.url_path.length,
          depth - row.depth,
          'parentId',
        );
      } else {
        this.assertDepth(depth, 'parentId');
        this.assertUrlLength(newUrl.length, 'slug');
      }
      const newPath = await this.nextPath(manager, parentPath, depth);
      const copies = await manager.query<
        Array<{
          id: string;
          source_id: string;
          title: string;
          slug: string;
          content: ContentValues;
        }>
      >(
        `WITH source AS (
           SELECT s.*, COALESCE(r.title, s.title) AS draft_title,
                  COALESCE(r.content, s.content) AS draft_content
             FROM pages s
             LEFT JOIN revisions r ON r.id = s.latest_revision_id
            WHERE s.path LIKE $1 || '%' AND ($8::boolean OR s.id = $9::uuid)
         ), inserted AS (
           INSERT INTO pages (content_type_key, title, content, locale, path, depth, numchild,
                              slug, url_path, owner_id)
           SELECT content_type_key,
                  CASE WHEN id = $9::uuid THEN COALESCE($10::varchar, draft_title) ELSE draft_title END,
                  draft_content, locale,
                  $2 || substr(path, $3 + 1), depth + $4,
                  CASE WHEN $8::boolean THEN numchild ELSE 0 END,
                  CASE WHEN id = $9::uuid THEN $11::varchar ELSE slug END,
                  $5 || substr(url_path, $6 + 1), $7
             FROM source
           RETURNING id, path, title, slug, content
         )
         SELECT i.id, s.id AS source_id, i.title, i.slug, i.content
           FROM inserted i JOIN source s ON $2 || substr(s.path, $3 + 1) = i.path
          ORDER BY i.path`,
        [
          row.path,
          newPath,
          row.path.length,
          depth - row.depth,
          newUrl,
          row.url_path.length,
          actor.actorId,
          options.includeSubtree,
          id,
          options.title ?? null,
          slug,
        ],
      );
      if (parent) await this.adjustNumchild(manager, [parent.id], 1);
      for (const copy of copies) {
        await this.publishing.saveRevision(
          { type: 'page', id: copy.id },
          {
            title: copy.title,
            slug: copy.slug,
            content: copy.content,
            message: `Copied from page ${copy.source_id}`,
          },
          actor,
          manager,
        );
      }
      const root = copies[0];
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'pages.copied',
          objectType: 'page',
          objectId: root.id,
          data: {
            sourceId: id,
            parentId: parent?.id ?? null,
            pages: copies.length,
            includeSubtree: options.includeSubtree,
          },
          ip: actor.ip,
        },
        manager,
      );
      return manager.findOneByOrFail(Page, { id: root.id });
    });
  }

  /** What deleting the page would take with it: the confirmation step of a delete. */
  async deletePreview(id: string, manager?: EntityManager): Promise<DeletePreview> {
    const db = manager ?? this.dataSource.manager;
    const row = await this.rowOrNotFound(db, id);
    const subtree = await this.subtreeOf(db, row.path);
    return {
      descendants: subtree.length - 1,
      live: subtree.filter((page) => page.live).length,
      usages: await this.outsideUsages(db, subtree),
    };
  }

  /**
   * Deletes the page and its subtree with their revisions and reference rows. `confirm` must
   * be the number of pages that go; pages still used by live content elsewhere are kept
   * unless `force`.
   */
  async delete(
    id: string,
    options: { confirm?: number; force: boolean },
    actor: AuditActor,
  ): Promise<{ deleted: number }> {
    return this.inTreeTransaction(async (manager) => {
      const row = await this.rowOrNotFound(manager, id);
      const subtree = await this.subtreeOf(manager, row.path);
      if (options.confirm !== subtree.length) throw new DeleteConfirmationError(subtree.length);
      const ids = subtree.map((page) => page.id);
      const sites = await manager.query<Array<{ hostname: string }>>(
        'SELECT hostname FROM sites WHERE root_page_id = ANY($1::uuid[]) ORDER BY hostname',
        [ids],
      );
      if (sites.length > 0) throw new SiteRootInSubtreeError(sites.map((site) => site.hostname));
      const usages = await this.outsideUsages(manager, subtree);
      if (usages.length > 0 && !options.force) throw new PageInUseError(usages);
      await this.references.removeSources(manager, 'page', ids);
      await this.publishing.deleteRevisionsOf('page', ids, manager);
      await manager.query(`DELETE FROM pages WHERE path LIKE $1 || '%'`, [row.path]);
      const parentPath = parentPathOf(row.path);
      if (parentPath) {
        await manager.query('UPDATE pages SET numchild = numchild - 1 WHERE path = $1', [
          parentPath,
        ]);
      }
      for (const page of subtree) {
        if (page.live) {
          await this.contentChanges.record(manager, {
            objectType: 'page',
            objectId: page.id,
            action: 'deleted',
          });
        }
      }
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'pages.deleted',
          objectType: 'page',
          objectId: id,
          data: {
            urlPath: row.url_path,
            pages: subtree.length,
            forced: usages.length > 0,
            descendantIds: ids.slice(1, 100),
          },
          ip: actor.ip,
        },
        manager,
      );
      return { deleted: subtree.length };
    });
  }

  /** The rows of a subtree (the page first), for `unpublish` of descendants and the like. */
  async subtreeIds(id: string, manager?: EntityManager): Promise<string[]> {
    const db = manager ?? this.dataSource.manager;
    const row = await this.rowOrNotFound(db, id);
    return (await this.subtreeOf(db, row.path)).map((page) => page.id);
  }

  // --- helpers -----------------------------------------------------------------------

  private async rowOrNotFound(manager: EntityManager, id: string): Promise<TreeRow> {
    const [row] = await manager.query<TreeRow[]>(
      `SELECT ${TREE_COLUMNS} FROM pages WHERE id = $1`,
      [id],
    );
    if (!row) throw new PageNotFoundError(id);
    return row;
  }

  private async rowOrMissing(manager: EntityManager, id: string, field: string): Promise<TreeRow> {
    const [row] = await manager.query<TreeRow[]>(
      `SELECT ${TREE_COLUMNS} FROM pages WHERE id = $1`,
      [id],
    );
    if (!row) throw new ReferencedPageMissingError(field, id);
    return row;
  }

  private async rowByPath(manager: EntityManager, path: string): Promise<TreeRow | null> {
    const [row] = await manager.query<TreeRow[]>(
      `SELECT ${TREE_COLUMNS} FROM pages WHERE path = $1`,
      [path],
    );
    return row ?? null;
  }

  private async subtreeOf(manager: EntityManager, path: string): Promise<TreeRow[]> {
    return manager.query<TreeRow[]>(
      `SELECT ${TREE_COLUMNS} FROM pages WHERE path LIKE $1 || '%' ORDER BY path`,
      [path],
    );
  }

  private async isSiteRoot(manager: EntityManager, id: string): Promise<boolean> {
    const [row] = await manager.query<Array<{ root: boolean }>>(
      'SELECT EXISTS (SELECT 1 FROM sites WHERE root_page_id = $1) AS root',
      [id],
    );
    return row?.root ?? false;
  }

  private async subtreeHasLive(manager: EntityManager, path: string): Promise<boolean> {
    const [row] = await manager.query<Array<{ live: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM pages WHERE path LIKE $1 || '%' AND live) AS live`,
      [path],
    );
    return row?.live ?? false;
  }

  /** Live references to pages of `subtree` from content outside it (what a delete breaks). */
  private async outsideUsages(
    manager: EntityManager,
    subtree: readonly TreeRow[],
  ): Promise<TargetedReferenceUsage[]> {
    const ids = new Set(subtree.map((page) => page.id));
    const usages = await this.references.liveReferencesTo(
      subtree.map((page) => ({ type: 'page' as const, id: page.id })),
      manager,
    );
    return usages.filter((usage) => !(usage.source.type === 'page' && ids.has(usage.source.id)));
  }

  private async latestDraft(
    manager: EntityManager,
    id: string,
  ): Promise<{ title: string; content: ContentValues }> {
    const [row] = await manager.query<Array<{ title: string; content: ContentValues }>>(
      `SELECT COALESCE(r.title, p.title) AS title, COALESCE(r.content, p.content) AS content
         FROM pages p LEFT JOIN revisions r ON r.id = p.latest_revision_id
        WHERE p.id = $1`,
      [id],
    );
    return row;
  }

  private async nextPath(
    manager: EntityManager,
    parentPath: string,
    depth: number,
  ): Promise<string> {
    const [row] = await manager.query<Array<{ last: string | null }>>(
      `SELECT max(path) AS last FROM pages WHERE path LIKE $1 || '%' AND depth = $2`,
      [parentPath, depth],
    );
    const last = row?.last ?? null;
    if (last && last.slice(-STEP_LENGTH) === encodeStep(MAX_STEP)) {
      throw new PageTreeLimitError(
        'This page has as many children as a level can hold; reorder its children to compact them.',
        [{ path: 'parentId', message: 'has no room for another child' }],
      );
    }
    return nextChildPath(parentPath, last);
  }

  private async siblingIds(
    manager: EntityManager,
    parentPath: string,
    depth: number,
  ): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `SELECT id FROM pages WHERE path LIKE $1 || '%' AND depth = $2 ORDER BY path`,
      [parentPath, depth],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Puts `row` at `position` among its siblings and renumbers the siblings' steps 1..n.
   * Two set-based UPDATEs: the subtrees whose step changes first move to a temporary path
   * (`~` + the final path; no real path starts with `~`), then drop the `~`, so the unique
   * index on `path` never sees two rows with the same path mid-statement.
   */
  private async placeAt(manager: EntityManager, row: TreeRow, position: number): Promise<void> {
    const parentPath = parentPathOf(row.path);
    const siblings = await manager.query<Array<{ id: string; path: string }>>(
      `SELECT id, path FROM pages WHERE path LIKE $1 || '%' AND depth = $2 ORDER BY path`,
      [parentPath, row.depth],
    );
    if (!Number.isInteger(position) || position < 0 || position >= siblings.length) {
      throw new RequestValidationError([
        {
          path: 'position',
          message: `must be between 0 and ${siblings.length - 1} (the page has ${siblings.length} sibling${siblings.length === 1 ? '' : 's'}, itself included)`,
        },
      ]);
    }
    const order = siblings.filter((sibling) => sibling.id !== row.id);
    order.splice(position, 0, { id: row.id, path: row.path });
    const oldPaths: string[] = [];
    const newPaths: string[] = [];
    order.forEach((sibling, index) => {
      const path = parentPath + encodeStep(index + 1);
      if (path !== sibling.path) {
        oldPaths.push(sibling.path);
        newPaths.push(path);
      }
    });
    if (oldPaths.length === 0) return;
    await manager.query(
      `UPDATE pages p
          SET path = '~' || m.new_path || substr(p.path, length(m.old_path) + 1)
         FROM unnest($1::varchar[], $2::varchar[]) AS m(old_path, new_path)
        WHERE p.path LIKE m.old_path || '%'`,
      [oldPaths, newPaths],
    );
    await manager.query(`UPDATE pages SET path = substr(path, 2) WHERE path LIKE '~%'`);
  }

  private async adjustNumchild(
    manager: EntityManager,
    ids: string[],
    delta: number,
  ): Promise<void> {
    await manager.query('UPDATE pages SET numchild = numchild + $2 WHERE id = ANY($1::uuid[])', [
      ids,
      delta,
    ]);
  }

  private async auditMove(
    manager: EntityManager,
    actor: AuditActor,
    before: TreeRow,
    after: TreeRow,
    parent: TreeRow | null,
    oldParent?: TreeRow | null,
  ): Promise<void> {
    await this.audit.record(
      {
        actorId: actor.actorId,
        action: 'pages.moved',
        objectType: 'page',
        objectId: before.id,
        data: {
          fromParentId: oldParent === undefined ? (parent?.id ?? null) : (oldParent?.id ?? null),
          toParentId: parent?.id ?? null,
          fromUrlPath: before.url_path,
          toUrlPath: after.url_path,
        },
        ip: actor.ip,
      },
      manager,
    );
  }

  /** A free slug among the siblings: `base`, else `base-2`, `base-3`, … (for derived slugs). */
  private async freeSlug(
    manager: EntityManager,
    parentPath: string,
    depth: number,
    base: string,
  ): Promise<string> {
    const rows = await manager.query<Array<{ slug: string }>>(
      `SELECT slug FROM pages WHERE path LIKE $1 || '%' AND depth = $2
          AND (slug = $3 OR slug LIKE $4)`,
      [parentPath, depth, base, `${base.replace(/[\\%_]/g, '\\$&')}-%`],
    );
    const taken = new Set(rows.map((row) => row.slug));
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) {
      const candidate = `${base}-${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  private async assertSlugFree(
    manager: EntityManager,
    parentPath: string,
    depth: number,
    slug: string,
    exceptId?: string,
  ): Promise<void> {
    const [clash] = await manager.query<Array<{ id: string }>>(
      `SELECT id FROM pages WHERE path LIKE $1 || '%' AND depth = $2 AND slug = $3
          AND ($4::uuid IS NULL OR id <> $4::uuid) LIMIT 1`,
      [parentPath, depth, slug, exceptId ?? null],
    );
    if (clash) throw new SlugTakenError(slug);
  }

  private assertSlug(slug: string): void {
    if (!isValidSlug(slug)) {
      throw new RequestValidationError([
        {
          path: 'slug',
          message:
            'must be 1 to 255 letters, digits, "-" or "_" (one URL segment: no "/", "." or spaces)',
        },
      ]);
    }
  }

  private assertDepth(depth: number, field: string): void {
    if (depth > MAX_DEPTH) {
      throw new PageTreeLimitError(`Pages can be nested at most ${MAX_DEPTH} levels deep.`, [
        { path: field, message: `would put a page deeper than ${MAX_DEPTH} levels` },
      ]);
    }
  }

  private assertUrlLength(length: number, field: string): void {
    if (length > MAX_URL_PATH_LENGTH) {
      throw new PageTreeLimitError(
        `A page's URL path may be at most ${MAX_URL_PATH_LENGTH} characters long.`,
        [
          {
            path: field,
            message: `would make a URL path longer than ${MAX_URL_PATH_LENGTH} characters`,
          },
        ],
      );
    }
  }

  /** The deepest and longest page of the subtree still fit after the change. */
  private async assertSubtreeFits(
    manager: EntityManager,
    row: TreeRow,
    urlDelta: number,
    depthDelta: number,
    field: string,
  ): Promise<void> {
    const [limits] = await manager.query<Array<{ depth: number; url: number }>>(
      `SELECT max(depth) AS depth, max(length(url_path)) AS url FROM pages WHERE path LIKE $1 || '%'`,
      [row.path],
    );
    this.assertDepth(Number(limits.depth) + depthDelta, field);
    this.assertUrlLength(Number(limits.url) + urlDelta, field);
  }

  /**
   * The content type rules, as Wagtail's `parent_page_types`/`subpage_types`: the child's
   * `parentTypes` must admit the parent's type (absent: any; a root page needs `parentTypes`
   * absent or empty), and the parent's `childTypes` must admit the child's (absent: any).
   */
  private assertTypeAllowed(type: string, parent: TreeRow | null, field: string): void {
    const child = this.contentTypes.find(type);
    if (!child || child.kind !== 'page') {
      throw new RequestValidationError([
        { path: 'type', message: `"${type}" is not a page content type` },
      ]);
    }
    const parentTypes = child.definition.parentTypes;
    if (!parent) {
      if (parentTypes && parentTypes.length > 0) {
        throw new PageTypeNotAllowedError(
          `A "${type}" page cannot be a root page: it goes under ${parentTypes.join(', ')}.`,
          field,
        );
      }
      return;
    }
    if (parentTypes && !parentTypes.includes(parent.content_type_key)) {
      throw new PageTypeNotAllowedError(
        `A "${type}" page cannot go under a "${parent.content_type_key}" page (allowed parents: ${parentTypes.join(', ') || 'none'}).`,
        field,
      );
    }
    const parentType = this.contentTypes.find(parent.content_type_key);
    const childTypes = parentType?.definition.childTypes;
    if (childTypes && !childTypes.includes(type)) {
      throw new PageTypeNotAllowedError(
        `A "${parent.content_type_key}" page cannot have "${type}" children (allowed: ${childTypes.join(', ') || 'none'}).`,
        field,
      );
    }
  }
}
