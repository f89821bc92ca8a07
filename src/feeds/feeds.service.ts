import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import type { AppConfig } from '#src/config/app-config.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import { FEED_ITEM_PARTS, type FeedItemPart } from '#src/content-types/content-type-definition.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { type FieldError, RequestValidationError } from '#src/errors/domain-error.js';
import type { CreateFeedDto, UpdateFeedDto } from '#src/feeds/dto/feed.dto.js';
import { Feed, type FeedLinkFilter } from '#src/feeds/feed.entity.js';
import { FEED_FORMATS, type FeedFormat } from '#src/feeds/feed-render.js';
import { FeedDefinitionNotFoundError, FeedSlugTakenError } from '#src/feeds/feeds.errors.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { KeptUntilChange } from '#src/publishing/kept-until-change.js';

/** A hand-made feed as the management API shows it. */
export interface FeedView {
  id: string;
  slug: string;
  title: string;
  description: string;
  sourcePageId: string | null;
  source: Feed['source'];
  itemTypes: string[];
  linkFilter: FeedLinkFilter | null;
  order: Feed['order'];
  limit: number;
  fields: Feed['fields'];
  locale: string | null;
  urls: Record<FeedFormat, string>;
  createdAt: string;
  updatedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Hand-made feeds: their management, and the list every feed request and delivery response
 * reads. The list is small and kept in memory, dropped after any committed content change
 * (a feed changed, or a source page went), from any process.
 */
@Injectable()
export class FeedsService implements OnModuleInit {
  private readonly handMade = new KeptUntilChange(() =>
    this.dataSource.manager.find(Feed, { order: { slug: 'ASC' } }),
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contentTypes: ContentTypesService,
    private readonly changes: ContentChanges,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    // A feed changed, or a source page went (its feeds' sourcePageId became null).
    this.handMade.listen(
      this.changes,
      (change) => change.objectType === 'feed' || change.action === 'deleted',
    );
  }

  /** Every hand-made feed, by slug. */
  all(): Promise<Feed[]> {
    return this.handMade.get();
  }

  async bySlug(slug: string): Promise<Feed | undefined> {
    return (await this.all()).find((feed) => feed.slug === slug);
  }

  /** The URL of a hand-made feed in each format. */
  urlsOf(slug: string): Record<FeedFormat, string> {
    return Object.fromEntries(
      FEED_FORMATS.map((format) => [format, `${this.config.publicUrl}/feeds/${slug}.${format}`]),
    ) as Record<FeedFormat, string>;
  }

  view(feed: Feed): FeedView {
    return {
      id: feed.id,
      slug: feed.slug,
      title: feed.title,
      description: feed.description,
      sourcePageId: feed.sourcePageId,
      source: feed.source,
      itemTypes: feed.itemTypes,
      linkFilter: feed.linkFilter,
      order: feed.order,
      limit: feed.limit,
      fields: feed.fields,
      locale: feed.locale,
      urls: this.urlsOf(feed.slug),
      createdAt: feed.createdAt.toISOString(),
      updatedAt: feed.updatedAt.toISOString(),
    };
  }

  async list(): Promise<FeedView[]> {
    const feeds = await this.dataSource.manager.find(Feed, { order: { slug: 'ASC' } });
    return feeds.map((feed) => this.view(feed));
  }

  async get(id: string): Promise<FeedView> {
    return this.view(await this.find(this.dataSource.manager, id));
  }

  async create(input: CreateFeedDto, actor: AuditActor): Promise<FeedView> {
    return this.dataSource.transaction(async (manager) => {
      const feed = manager.create(Feed, {
        slug: input.slug,
        title: input.title.trim(),
        description: input.description ?? '',
        sourcePageId: input.sourcePageId.toLowerCase(),
        source: input.source ?? 'descendants',
        itemTypes: input.itemTypes ?? [],
        linkFilter: input.linkFilter ?? null,
        order: input.order ?? '-first_published_at',
        limit: input.limit ?? 20,
        fields: input.fields ?? {},
        locale: input.locale ?? null,
      });
      await this.assertValid(manager, feed);
      await this.assertSlugFree(manager, feed.slug);
      const saved = await manager.save(Feed, feed);
      await this.recorded(manager, actor, 'feeds.created', saved);
      return this.view(saved);
    });
  }

  async update(id: string, input: UpdateFeedDto, actor: AuditActor): Promise<FeedView> {
    return this.dataSource.transaction(async (manager) => {
      const feed = await this.find(manager, id, true);
      const before = this.view(feed);
      if (input.slug !== undefined && input.slug !== feed.slug) {
        await this.assertSlugFree(manager, input.slug);
        feed.slug = input.slug;
      }
      if (input.title !== undefined) feed.title = input.title.trim();
      if (input.description !== undefined) feed.description = input.description;
      if (input.sourcePageId !== undefined) feed.sourcePageId = input.sourcePageId.toLowerCase();
      if (input.source !== undefined) feed.source = input.source;
      if (input.itemTypes !== undefined) feed.itemTypes = input.itemTypes;
      if (input.linkFilter !== undefined) feed.linkFilter = input.linkFilter;
      if (input.order !== undefined) feed.order = input.order;
      if (input.limit !== undefined) feed.limit = input.limit;
      if (input.fields !== undefined) feed.fields = input.fields;
      if (input.locale !== undefined) feed.locale = input.locale;
      await this.assertValid(manager, feed);
      const saved = await manager.save(Feed, feed);
      await this.recorded(manager, actor, 'feeds.changed', saved, before);
      return this.view(saved);
    });
  }

  async delete(id: string, actor: AuditActor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const feed = await this.find(manager, id, true);
      await manager.delete(Feed, { id: feed.id });
      await this.recorded(manager, actor, 'feeds.deleted', feed);
    });
  }

  private async find(manager: EntityManager, id: string, forUpdate = false): Promise<Feed> {
    const feed = UUID.test(id)
      ? await manager.findOne(Feed, {
          where: { id: id.toLowerCase() },
          ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        })
      : null;
    if (!feed) throw new FeedDefinitionNotFoundError(id);
    return feed;
  }

  private async assertSlugFree(manager: EntityManager, slug: string): Promise<void> {
    // Serializes creations and renames: two requests cannot both find a slug free.
    await manager.query('LOCK TABLE feeds IN SHARE ROW EXCLUSIVE MODE');
    const taken = await manager.exists(Feed, { where: { slug } });
    if (taken) throw new FeedSlugTakenError(slug);
  }

  private async recorded(
    manager: EntityManager,
    actor: AuditActor,
    action: string,
    feed: Feed,
    before?: FeedView,
  ): Promise<void> {
    await this.audit.record(
      {
        actorId: actor.actorId,
        action,
        objectType: 'feed',
        objectId: feed.id,
        data: { slug: feed.slug, title: feed.title, ...(before ? { before } : {}) },
        ip: actor.ip,
      },
      manager,
    );
    await this.changes.record(manager, { objectType: 'feed', objectId: feed.id, action });
  }

  /** What a feed names must exist and fit: page, types, link filter, fields. */
  private async assertValid(manager: EntityManager, feed: Feed): Promise<void> {
    const errors: FieldError[] = [];
    if (feed.sourcePageId) {
      const [page] = await manager.query<unknown[]>('SELECT 1 FROM pages WHERE id = $1', [
        feed.sourcePageId,
      ]);
      if (!page)
        errors.push({ path: 'sourcePageId', message: `no page has the id ${feed.sourcePageId}` });
    }
    const itemTypes = feed.itemTypes.map((key, index) => {
      const definition = this.contentTypes.find(key)?.definition;
      if (!definition || definition.kind !== 'page') {
        errors.push({ path: `itemTypes[${index}]`, message: `"${key}" is not a page type` });
      }
      return definition;
    });
    if (new Set(feed.itemTypes).size !== feed.itemTypes.length) {
      errors.push({ path: 'itemTypes', message: 'lists a type twice' });
    }
    const candidates = (
      feed.itemTypes.length > 0
        ? itemTypes
        : this.contentTypes.list().map((type) => type.definition)
    ).filter((definition) => definition?.kind === 'page');
    if (feed.linkFilter !== null) {
      await this.checkLinkFilter(manager, feed, itemTypes, errors);
    }
    for (const [part, key] of Object.entries(feed.fields as Record<string, unknown>)) {
      const types = FEED_ITEM_PARTS[part as FeedItemPart] as readonly string[] | undefined;
      if (!types) {
        errors.push({
          path: `fields.${part}`,
          message: `is not a part of an item: choose among ${Object.keys(FEED_ITEM_PARTS).join(', ')}`,
        });
        continue;
      }
      if (typeof key !== 'string') {
        errors.push({ path: `fields.${part}`, message: 'must be the key of a field' });
        continue;
      }
      const fits = candidates.some((definition) =>
        definition?.fields.some((field) => field.key === key && types.includes(field.type)),
      );
      if (!fits) {
        errors.push({
          path: `fields.${part}`,
          message: `no listed page type has a field "${key}" that is ${types.join(', ')}`,
        });
      }
    }
    if (errors.length > 0) throw new RequestValidationError(errors);
  }

  private async checkLinkFilter(
    manager: EntityManager,
    feed: Feed,
    itemTypes: ReadonlyArray<
      { key: string; fields: Array<{ key: string; type: string }> } | undefined
    >,
    errors: FieldError[],
  ): Promise<void> {
    const filter = feed.linkFilter as unknown as Record<string, unknown>;
    const unknown = Object.keys(filter).filter((key) => key !== 'field' && key !== 'snippetId');
    if (unknown.length > 0) {
      errors.push({ path: `linkFilter.${unknown[0]}`, message: 'is not a property of linkFilter' });
    }
    if (typeof filter.field !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(filter.field)) {
      errors.push({ path: 'linkFilter.field', message: 'must be the key of a snippet link field' });
      return;
    }
    if (typeof filter.snippetId !== 'string' || !UUID.test(filter.snippetId)) {
      errors.push({ path: 'linkFilter.snippetId', message: 'must be a snippet id (a UUID)' });
      return;
    }
    if (feed.itemTypes.length === 0) {
      errors.push({
        path: 'linkFilter.field',
        message: 'a link filter needs itemTypes: the types whose field it reads',
      });
      return;
    }
    const snippetTypes = new Set<string>();
    for (const definition of itemTypes) {
      if (!definition) continue;
      const field = definition.fields.find((candidate) => candidate.key === filter.field);
      if (!field || field.type !== 'snippet_link') {
        errors.push({
          path: 'linkFilter.field',
          message: `"${filter.field}" is not a snippet link field of ${definition.key}`,
        });
        return;
      }
      snippetTypes.add((field as unknown as { snippetType: string }).snippetType);
    }
    const [snippet] = await manager.query<Array<{ content_type_key: string }>>(
      'SELECT content_type_key FROM snippets WHERE id = $1',
      [filter.snippetId.toLowerCase()],
    );
    if (!snippet || !snippetTypes.has(snippet.content_type_key)) {
      errors.push({
        path: 'linkFilter.snippetId',
        message: `no ${[...snippetTypes].join(' or ')} snippet has the id ${filter.snippetId}`,
      });
      return;
    }
    feed.linkFilter = { field: filter.field, snippetId: filter.snippetId.toLowerCase() };
  }
}
