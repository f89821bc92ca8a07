import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import type {
  ContentTypeDefinition,
  ContentValues,
} from '#src/content-types/content-type-definition.js';
import { ContentValidationError } from '#src/content-types/content-validation.errors.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import type { PublicationState, PublishTarget } from '#src/publishing/publication-state.js';
import {
  PublishingService,
  type PublishOptions,
  type PublishOutcome,
  type RevisionComparison,
  type RevisionSummary,
  type RevisionView,
} from '#src/publishing/publishing.service.js';
import { PublishableNotFoundError } from '#src/publishing/publishing.errors.js';
import { ReferenceIndexService, type UsagePage } from '#src/references/reference-index.service.js';
import { Snippet } from '#src/snippets/snippet.entity.js';
import { SnippetInUseError, SnippetTypeNotFoundError } from '#src/snippets/snippets.errors.js';

/** A snippet in a listing: its state, not its content. */
export interface SnippetSummary extends PublicationState {
  id: string;
  type: string;
  /** The title of the latest draft (the live title is in `liveTitle` when it differs). */
  title: string;
  liveTitle: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One snippet as an editor opens it: the latest draft's content and the state. */
export interface SnippetDetail extends SnippetSummary {
  /** The latest draft's field values. */
  content: ContentValues;
  /** The live version's field values (null while not live). */
  liveContent: ContentValues | null;
  latestRevision: RevisionSummary | null;
}

const TITLE_MAX_LENGTH = 255;

/**
 * Snippets: flat collections of reusable content per snippet type, with the drafts,
 * revisions, publishing, schedules and locks PublishingService gives pages too. Permission
 * checks are the controller's.
 */
@Injectable()
export class SnippetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contentTypes: ContentTypesService,
    private readonly publishing: PublishingService,
    private readonly references: ReferenceIndexService,
    private readonly audit: AuditService,
    private readonly changes: ContentChanges,
  ) {}

  /** The snippet type's definition; a page type or an unknown key is a 404. */
  definitionOf(type: string): ContentTypeDefinition {
    const record = this.contentTypes.find(type);
    if (!record || record.kind !== 'snippet') throw new SnippetTypeNotFoundError(type);
    return record.definition;
  }

  async list(
    type: string,
    query: { limit: number; offset: number; search?: string },
  ): Promise<{ items: SnippetSummary[]; meta: { total_count: number } }> {
    this.definitionOf(type);
    const builder = this.dataSource.manager
      .createQueryBuilder(Snippet, 's')
      .where('s.contentTypeKey = :type', { type })
      .orderBy('s.title', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .take(query.limit)
      .skip(query.offset);
    const search = query.search?.trim();
    if (search) {
      const escaped = search.replace(/[\\%_]/g, (character) => `\\${character}`);
      builder.andWhere('s.title ILIKE :search', { search: `%${escaped}%` });
    }
    const [rows, total] = await builder.getManyAndCount();
    const titles = await this.latestTitles(rows);
    return {
      items: rows.map((row) => this.summaryOf(row, titles.get(row.id) ?? row.title)),
      meta: { total_count: total },
    };
  }

  async get(type: string, id: string): Promise<SnippetDetail> {
    const row = await this.findRow(type, id);
    const latest = row.latestRevisionId
      ? await this.publishing.latestRevisionOf({ type: 'snippet', id })
      : null;
    return this.detailOf(row, latest);
  }

  /**
   * Creates a snippet of `type` from `content` (its title is the type's title field), saves
   * it as the first revision (a draft) and, with `publish`, publishes it: one transaction.
   */
  async create(
    type: string,
    input: { content: Record<string, unknown>; message?: string; publish?: boolean },
    actor: AuditActor,
  ): Promise<SnippetDetail> {
    const definition = this.definitionOf(type);
    const title = titleOf(definition, input.content);
    const id = await this.dataSource.transaction(async (tx) => {
      const inserted = await tx.insert(Snippet, {
        contentTypeKey: type,
        title,
        content: {},
        ownerId: actor.actorId,
      });
      const snippetId = (inserted.identifiers[0] as { id: string }).id;
      const target: PublishTarget = { type: 'snippet', id: snippetId };
      const revision = await this.publishing.saveRevision(
        target,
        { title, content: input.content, message: input.message },
        actor,
        tx,
      );
      await this.audit.record(
        {
          ...actor,
          action: 'snippets.created',
          objectType: 'snippet',
          objectId: snippetId,
          data: { title, type, revisionId: revision.id },
        },
        tx,
      );
      if (input.publish) await this.publishing.publish(target, {}, actor, tx);
      return snippetId;
    });
    return this.get(type, id);
  }

  /** Saves a new revision (a draft) of the snippet. */
  async save(
    type: string,
    id: string,
    input: { content: Record<string, unknown>; message?: string },
    actor: AuditActor,
  ): Promise<SnippetDetail> {
    const definition = this.definitionOf(type);
    await this.findRow(type, id);
    const title = titleOf(definition, input.content);
    await this.publishing.saveRevision(
      { type: 'snippet', id },
      { title, content: input.content, message: input.message },
      actor,
    );
    return this.get(type, id);
  }

  /**
   * Deletes the snippet with its revisions and references. Refused (409, naming each use)
   * while live content uses it, unless `force`.
   */
  async delete(type: string, id: string, force: boolean, actor: AuditActor): Promise<void> {
    await this.findRow(type, id);
    const target: PublishTarget = { type: 'snippet', id };
    await this.dataSource.transaction(async (tx) => {
      const row = await tx
        .getRepository(Snippet)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .where('s.id = :id', { id })
        .getOne();
      if (!row) throw new PublishableNotFoundError('snippet', id);
      await this.publishing.assertNotLockedFor(target, actor.actorId, tx);
      const usages = (await this.references.liveReferencesTo([target], tx)).filter(
        (usage) => !(usage.source.type === 'snippet' && usage.source.id === id),
      );
      if (usages.length > 0 && !force) throw new SnippetInUseError(usages);
      await this.references.removeSource(tx, target);
      await this.publishing.deleteRevisionsOf('snippet', [id], tx);
      await tx.delete(Snippet, { id });
      if (row.live) {
        await this.changes.record(tx, { objectType: 'snippet', objectId: id, action: 'deleted' });
      }
      await this.audit.record(
        {
          ...actor,
          action: 'snippets.deleted',
          objectType: 'snippet',
          objectId: id,
          data: {
            title: row.title,
            type,
            wasLive: row.live,
            forced: force,
            liveUsages: usages.length,
          },
        },
        tx,
      );
    });
  }

  async publish(
    type: string,
    id: string,
    options: PublishOptions,
    actor: AuditActor,
  ): Promise<PublishOutcome> {
    await this.findRow(type, id);
    return this.publishing.publish({ type: 'snippet', id }, options, actor);
  }

  async unpublish(type: string, id: string, actor: AuditActor): Promise<PublicationState> {
    await this.findRow(type, id);
    return this.publishing.unpublish({ type: 'snippet', id }, actor);
  }

  async revisions(
    type: string,
    id: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: RevisionSummary[]; meta: { total_count: number } }> {
    await this.findRow(type, id);
    const { items, total_count } = await this.publishing.listRevisions(
      { type: 'snippet', id },
      page,
    );
    return { items, meta: { total_count } };
  }

  async revision(type: string, id: string, revisionId: string): Promise<RevisionView> {
    await this.findRow(type, id);
    return this.publishing.getRevision({ type: 'snippet', id }, revisionId);
  }

  async revert(
    type: string,
    id: string,
    revisionId: string,
    actor: AuditActor,
  ): Promise<SnippetDetail> {
    await this.findRow(type, id);
    await this.publishing.revert({ type: 'snippet', id }, revisionId, actor);
    return this.get(type, id);
  }

  async compare(type: string, id: string, a: string, b: string): Promise<RevisionComparison> {
    await this.findRow(type, id);
    return this.publishing.compare({ type: 'snippet', id }, a, b);
  }

  async lock(type: string, id: string, actor: AuditActor): Promise<PublicationState> {
    await this.findRow(type, id);
    return this.publishing.lock({ type: 'snippet', id }, actor);
  }

  async unlock(
    type: string,
    id: string,
    actor: AuditActor,
    mayUnlockOthers: boolean,
  ): Promise<PublicationState> {
    await this.findRow(type, id);
    return this.publishing.unlock({ type: 'snippet', id }, actor, { mayUnlockOthers });
  }

  async cancelSchedule(type: string, id: string, actor: AuditActor): Promise<PublicationState> {
    await this.findRow(type, id);
    return this.publishing.cancelSchedule({ type: 'snippet', id }, actor);
  }

  async usage(
    type: string,
    id: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: UsagePage['items']; meta: { total_count: number } }> {
    await this.findRow(type, id);
    const { items, total_count } = await this.references.usage({ type: 'snippet', id }, page);
    return { items, meta: { total_count } };
  }

  /** The snippet, which must be of `type` (another type's snippet is a 404 here). */
  async findRow(type: string, id: string, manager?: EntityManager): Promise<Snippet> {
    this.definitionOf(type);
    const row = await (manager ?? this.dataSource.manager).findOne(Snippet, {
      where: { id, contentTypeKey: type },
    });
    if (!row) throw new PublishableNotFoundError('snippet', id);
    return row;
  }

  /** The latest draft's title of each row, in one query. */
  private async latestTitles(rows: readonly Snippet[]): Promise<Map<string, string>> {
    const ids = rows
      .filter((row) => row.live && row.hasUnpublishedChanges)
      .map((row) => row.latestRevisionId);
    if (ids.length === 0) return new Map();
    const found: Array<{ objectId: string; title: string }> = await this.dataSource.query(
      `SELECT object_id AS "objectId", title FROM revisions WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    return new Map(found.map((revision) => [revision.objectId, revision.title]));
  }

  private summaryOf(row: Snippet, draftTitle: string): SnippetSummary {
    return {
      id: row.id,
      type: row.contentTypeKey,
      title: draftTitle,
      liveTitle: row.live ? row.title : null,
      ...this.publishing.describe(row),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private detailOf(row: Snippet, latest: RevisionView | null): SnippetDetail {
    const { content, ...latestRevision } = latest ?? { content: row.content };
    return {
      ...this.summaryOf(row, latest?.title ?? row.title),
      content,
      liveContent: row.live ? row.content : null,
      latestRevision: latest ? (latestRevision as RevisionSummary) : null,
    };
  }
}

/**
 * A snippet is titled by its type's `titleField` (the first text field when unset): that
 * value must be present even in a draft.
 */
export function titleOf(
  definition: ContentTypeDefinition,
  content: Record<string, unknown>,
): string {
  const key =
    definition.titleField ?? definition.fields.find((field) => field.type === 'text')?.key;
  if (!key) return definition.label;
  const value = content[key];
  const title = typeof value === 'string' ? value.trim() : '';
  if (!title) {
    throw new ContentValidationError([
      { path: `content.${key}`, message: 'is required: it is the title of the snippet' },
    ]);
  }
  if (title.length > TITLE_MAX_LENGTH) {
    throw new ContentValidationError([
      {
        path: `content.${key}`,
        message: `must be at most ${TITLE_MAX_LENGTH} characters: it is the title`,
      },
    ]);
  }
  return title;
}
