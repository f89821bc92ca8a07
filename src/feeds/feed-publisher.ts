import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '#src/config/app-config.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { DeliveryCache, etagOf } from '#src/delivery/delivery-cache.js';
import { DeliveryService, type FeedLinkPage, htmlPathOf } from '#src/delivery/delivery.service.js';
import { FeedItemBuilder, tagUri } from '#src/feeds/feed-content.js';
import {
  FEED_FORMATS,
  FEED_MEDIA_TYPES,
  type FeedDocument,
  type FeedEntry,
  type FeedFormat,
  RENDERERS,
} from '#src/feeds/feed-render.js';
import {
  type FeedItemsSpec,
  type FeedQuerySpec,
  type FeedResultRow,
  buildFeedQuery,
} from '#src/feeds/feed-sql.js';
import type { Feed } from '#src/feeds/feed.entity.js';
import { FeedNotFoundError } from '#src/feeds/feeds.errors.js';
import { FeedsService } from '#src/feeds/feeds.service.js';
import { type SiteView, SitesService, siteBaseUrl } from '#src/pages/sites.service.js';
import { ContentChanges } from '#src/publishing/content-changes.js';

/** A rendered feed, ready to send (and to send again from the cache). */
export interface FeedResponse {
  body: string;
  etag: string;
  /** HTTP date of the newest change the feed shows. */
  lastModified: string;
  contentType: string;
}

/** What a request for a feed names. */
export type FeedTarget =
  | {
      kind: 'page';
      htmlPath: string;
      format: FeedFormat;
      site?: string;
      host?: string;
      /** The items' locale, when not the owner's (`?locale=`). */
      locale?: string;
    }
  | { kind: 'slug'; slug: string; format: FeedFormat };

/** An entry of a page's `meta.feeds` (delivery API): what a `<link rel="alternate">` needs. */
export interface FeedLink {
  format: FeedFormat;
  type: string;
  url: string;
  title: string;
}

const DEFAULT_LIMIT = 20;

/** The settings of the feed a content type declares, with the defaults filled in. */
function declaredBranch(definition: ContentTypeDefinition): FeedItemsSpec {
  const feed = definition.feed ?? {};
  return {
    ownerType: definition.key,
    source: feed.source ?? 'children',
    itemTypes: feed.itemTypes ?? [],
    linkFilter: null,
    order: feed.order ?? '-first_published_at',
    limit: feed.limit ?? DEFAULT_LIMIT,
    locale: null,
  };
}

/**
 * Serves feeds: finds the feed a URL names, reads it in one statement (feed-sql.ts), builds
 * its entries (feed-content.ts) and writes the format asked for (feed-render.ts). Rendered
 * feeds are kept in an in-process cache, emptied after every committed content change from
 * any process, so a reader polling a feed costs no query until something changes.
 */
@Injectable()
export class FeedPublisher implements OnModuleInit {
  readonly cache: DeliveryCache;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly contentTypes: ContentTypesService,
    private readonly delivery: DeliveryService,
    private readonly sites: SitesService,
    private readonly feeds: FeedsService,
    private readonly changes: ContentChanges,
  ) {
    this.cache = new DeliveryCache(config.delivery.cacheSizeBytes);
  }

  onModuleInit(): void {
    this.changes.onChange(() => this.cache.clear());
    this.delivery.setFeedLinks(async (sites) => {
      const handMade = await this.feeds.all();
      return (page) => this.linksOf(page, sites, handMade);
    });
  }

  /** The feed a URL names, from the cache or rendered now. */
  async serve(target: FeedTarget): Promise<FeedResponse> {
    const sites = await this.sites.list();
    const site =
      target.kind === 'page' ? await this.delivery.siteOf(target.site, target.host, sites) : null;
    const key =
      target.kind === 'page'
        ? `page ${site?.id ?? '-'} ${target.htmlPath} ${target.format} ${target.locale ?? ''}`
        : `slug ${target.slug} ${target.format}`;
    const hit = this.cache.get(key);
    if (hit?.lastModified !== undefined && hit.contentType !== undefined) {
      return {
        body: hit.body,
        etag: hit.etag,
        lastModified: hit.lastModified,
        contentType: hit.contentType,
      };
    }
    const generation = this.cache.generation;
    const response =
      target.kind === 'page'
        ? await this.renderDeclared(target, site, sites)
        : await this.renderHandMade(target, sites);
    this.cache.set(key, { status: 200, ...response }, generation);
    return response;
  }

  private async renderDeclared(
    target: Extract<FeedTarget, { kind: 'page' }>,
    site: SiteView | null,
    sites: readonly SiteView[],
  ): Promise<FeedResponse> {
    if (!site) {
      throw new FeedNotFoundError(
        'No site serves this host name and there is no default site: create a site (POST /api/admin/sites).',
      );
    }
    const declaring = this.contentTypes
      .list('page')
      .filter((type) => type.definition.feed?.enabled === true)
      .map((type) => type.definition);
    const notFound = () =>
      new FeedNotFoundError(
        `No live page at ${target.htmlPath} on ${site.hostname} has a feed. Feeds are declared on content types ("feed": { "enabled": true }); see docs/feeds.md.`,
      );
    if (declaring.length === 0) throw notFound();
    const urlPath = `${site.rootUrlPath}${target.htmlPath.slice(1)}`;
    const row = await this.read({
      owner: { urlPath },
      branches: declaring.map((definition) => ({
        ...declaredBranch(definition),
        locale: target.locale ?? null,
      })),
    });
    const owner = row.owner;
    const definition = owner ? this.contentTypes.find(owner.type)?.definition : undefined;
    if (!owner || !owner.live || definition?.feed?.enabled !== true) throw notFound();
    const descriptionField = definition.feed.descriptionField;
    const description = descriptionField ? owner.content[descriptionField] : undefined;
    return this.render(target.format, row, site, sites, {
      title: owner.title,
      description: typeof description === 'string' ? description.trim() : '',
      feedUrl: (format) => this.declaredFeedUrl(target.htmlPath, format, site, target.locale),
      idSpecific: target.locale ? `feed:${owner.id}:${target.locale}` : `feed:${owner.id}`,
      idDate: owner.first_published_at,
      fields: {},
      extraModified: undefined,
      language: target.locale ?? owner.locale,
    });
  }

  private async renderHandMade(
    target: Extract<FeedTarget, { kind: 'slug' }>,
    sites: readonly SiteView[],
  ): Promise<FeedResponse> {
    const feed = await this.feeds.bySlug(target.slug);
    if (!feed) {
      throw new FeedNotFoundError(
        `There is no feed "${target.slug}". GET /api/admin/feeds lists the feeds made by hand.`,
      );
    }
    if (!feed.sourcePageId) throw sourceDeleted(feed);
    const row = await this.read({
      owner: { id: feed.sourcePageId },
      branches: [
        {
          source: feed.source,
          itemTypes: feed.itemTypes,
          linkFilter: feed.linkFilter,
          order: feed.order,
          limit: feed.limit,
          locale: feed.locale,
        },
      ],
    });
    const owner = row.owner;
    if (!owner) {
      // Deleted since the list of feeds was read (its sourcePageId is null by now).
      throw sourceDeleted(feed);
    }
    if (!owner.live) {
      throw new FeedNotFoundError(
        `The feed "${feed.slug}" is offline: its source page is not published.`,
      );
    }
    const site = sites.find((candidate) => owner.url_path.startsWith(candidate.rootUrlPath));
    if (!site) {
      throw new FeedNotFoundError(
        `The feed "${feed.slug}" has no site: no site's tree holds its source page.`,
      );
    }
    const urls = this.feeds.urlsOf(feed.slug);
    return this.render(target.format, row, site, sites, {
      title: feed.title,
      description: feed.description,
      feedUrl: (format) => urls[format],
      idSpecific: `feed:${feed.id}`,
      idDate: feed.createdAt.toISOString(),
      fields: feed.fields,
      extraModified: feed.updatedAt,
      language: feed.locale ?? owner.locale,
    });
  }

  private async read(spec: FeedQuerySpec): Promise<FeedResultRow> {
    const rows = await this.delivery.runQuery<FeedResultRow>(buildFeedQuery(spec));
    return rows[0] ?? { owner: null, items: null, linked: null };
  }

  private render(
    format: FeedFormat,
    row: FeedResultRow,
    site: SiteView,
    sites: readonly SiteView[],
    feed: {
      title: string;
      description: string;
      feedUrl: (format: FeedFormat) => string;
      idSpecific: string;
      idDate: string | null;
      fields: Feed['fields'];
      extraModified: Date | undefined;
      /** The items' locale. */
      language: string;
    },
  ): FeedResponse {
    const owner = row.owner!;
    const base = siteBaseUrl(site, this.config.publicUrl);
    const urlOfPath = (urlPath: string) => {
      const path = htmlPathOf(urlPath, site, sites);
      if (path === null) return undefined;
      const owning = sites.find((candidate) => urlPath.startsWith(candidate.rootUrlPath)) ?? site;
      return `${owning === site ? base : siteBaseUrl(owning, this.config.publicUrl)}${path}`;
    };
    const pages = new Map((row.linked?.pages ?? []).map((page) => [page.id, page.url_path]));
    const snippets = new Map(
      (row.linked?.snippets ?? []).map((snippet) => [snippet.id, snippet.title]),
    );
    const builder = new FeedItemBuilder({
      lookup: (type) => this.contentTypes.find(type)?.definition,
      fields: feed.fields,
      pageUrl: (id) => {
        const urlPath = pages.get(id);
        return urlPath === undefined ? undefined : urlOfPath(urlPath);
      },
      urlOfPath,
      snippetTitle: (id) => snippets.get(id),
      // Images need media (a later issue): until then an item has none.
      image: () => undefined,
      tagAuthority: site.hostname,
    });
    const entries = (row.items ?? [])
      .map((item) => builder.entry(item))
      .filter((entry): entry is FeedEntry => entry !== undefined);
    const updated = newest([
      owner.last_published_at,
      ...entries.map((entry) => entry.updated.toISOString()),
      feed.extraModified?.toISOString(),
    ]);
    const document: FeedDocument = {
      id: tagUri(site.hostname, new Date(feed.idDate ?? updated), feed.idSpecific),
      title: feed.title,
      description: feed.description,
      homeUrl: urlOfPath(owner.url_path) ?? `${base}/`,
      feedUrls: Object.fromEntries(
        FEED_FORMATS.map((candidate) => [candidate, feed.feedUrl(candidate)]),
      ) as Record<FeedFormat, string>,
      language: feed.language,
      updated,
      author: site.name,
      entries,
    };
    const body = RENDERERS[format](document);
    return {
      body,
      etag: etagOf(body),
      lastModified: updated.toUTCString(),
      contentType: `${FEED_MEDIA_TYPES[format]}; charset=utf-8`,
    };
  }

  /**
   * Finch's URL of a declared feed: `?site=` names the site unless it is the default one,
   * `?locale=` the items' locale when it is not the owner's.
   */
  private declaredFeedUrl(
    htmlPath: string,
    format: FeedFormat,
    site: SiteView,
    locale?: string,
  ): string {
    const query = new URLSearchParams();
    if (!site.isDefault) query.set('site', site.hostname);
    if (locale) query.set('locale', locale);
    const search = query.toString();
    return `${this.config.publicUrl}${htmlPath}feed.${format}${search ? `?${search}` : ''}`;
  }

  /**
   * `meta.feeds` of a page in the delivery API: its declared feed (when its type has one)
   * and the hand-made feeds it is the source of, in each format.
   */
  private linksOf(
    page: FeedLinkPage,
    sites: readonly SiteView[],
    handMade: readonly Feed[],
  ): FeedLink[] {
    const site = sites.find((candidate) => page.url_path?.startsWith(candidate.rootUrlPath));
    const links: FeedLink[] = [];
    const add = (title: string, url: (format: FeedFormat) => string) => {
      for (const format of FEED_FORMATS) {
        links.push({ format, type: FEED_MEDIA_TYPES[format], url: url(format), title });
      }
    };
    const definition = this.contentTypes.find(page.type)?.definition;
    if (definition?.feed?.enabled === true && site && page.url_path?.startsWith(site.rootUrlPath)) {
      const htmlPath = `/${page.url_path.slice(site.rootUrlPath.length)}`;
      add(page.title, (format) => this.declaredFeedUrl(htmlPath, format, site));
    }
    for (const feed of handMade) {
      if (feed.sourcePageId !== page.id) continue;
      const urls = this.feeds.urlsOf(feed.slug);
      add(feed.title, (format) => urls[format]);
    }
    return links;
  }
}

function sourceDeleted(feed: Feed): FeedNotFoundError {
  return new FeedNotFoundError(
    `The feed "${feed.slug}" lists nothing: its source page was deleted. Choose a new one (PATCH /api/admin/feeds/${feed.id} {"sourcePageId": …}).`,
  );
}

function newest(dates: ReadonlyArray<string | null | undefined>): Date {
  const times = dates
    .filter((date): date is string => typeof date === 'string')
    .map((date) => Date.parse(date))
    .filter((time) => Number.isFinite(time));
  // HTTP dates have whole seconds: round down so If-Modified-Since compares equal.
  const time = times.length > 0 ? Math.max(...times) : 0;
  return new Date(Math.floor(time / 1000) * 1000);
}
