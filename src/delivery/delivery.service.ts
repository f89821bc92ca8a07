import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { ContentKind } from '#src/content-types/content-type-definition.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import type { AuthPrincipal } from '#src/auth/auth-principal.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import { DATABASE_TARGET, type DatabaseTarget } from '#src/database/database.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import {
  type CachedResponse,
  DeliveryCache,
  cacheKeyOf,
  etagOf,
} from '#src/delivery/delivery-cache.js';
import {
  type AccessParameters,
  type ContentTypeLookup,
  type DeliveryContentType,
  type ListingParameters,
  type RawQuery,
  UUID_PATTERN,
  parseDetailParameters,
  parseFindParameters,
  parseListingParameters,
} from '#src/delivery/delivery-params.js';
import {
  DeliverySerializer,
  type DeliveryResultRow,
  planFields,
} from '#src/delivery/delivery-serializer.js';
import {
  type DeliveryQuerySpec,
  type DraftScope,
  PAGE_FIND_PREVIEW_SQL,
  PAGE_FIND_SQL,
  type SqlQuery,
  buildDeliveryQuery,
} from '#src/delivery/delivery-sql.js';
import {
  DeliveryNotFoundError,
  DeliveryParameterError,
  DraftAccessDeniedError,
  DraftAccessRequiredError,
  PreviewTokenInvalidError,
} from '#src/delivery/delivery.errors.js';
import { PreviewTokenSigner, type PreviewScope } from '#src/delivery/preview-tokens.js';
import { type SiteView, SitesService } from '#src/pages/sites.service.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { SearchIndexService } from '#src/search/search-index.service.js';

/** What the controllers need of a request. */
export interface DeliveryRequest {
  /** Path and query string as received. */
  url: string;
  query: RawQuery;
  host: string | undefined;
  /** `X-Preview-Token`. */
  previewTokenHeader: string | undefined;
  principal: AuthPrincipal | undefined;
}

/** A response, ready to send: JSON body (or a redirect), its ETag and Cache-Control. */
export interface DeliveryAnswer extends CachedResponse {
  cacheControl: string;
  /** Served from the in-process cache. */
  cached: boolean;
}

const PRIVATE = 'private, no-store';

/** A page as `meta.feeds` needs it. */
export interface FeedLinkPage {
  id: string;
  type: string;
  title: string;
  url_path?: string;
}

/** Gives the `meta.feeds` of pages: set by the feeds module, which knows the feeds. */
export type FeedLinksProvider = (
  sites: readonly SiteView[],
) => Promise<(page: FeedLinkPage) => unknown[]>;
const PREPARED_STATEMENTS_MAX = 500;

/** Who sees what: the drafts a request may see, and the site it reads. */
export interface RequestScope {
  site: SiteView | null;
  /** Every site, for the URLs of pages of other sites. */
  sites: readonly SiteView[];
  draft: DraftScope;
}

/**
 * The read-only delivery API (`/api/v2/`): published pages and snippets, previews of drafts
 * by signed token, and an in-process cache of published responses. Content types come from
 * ContentTypesService's in-memory registry and sites from SitesService's, so a request sends
 * one SQL statement (see delivery-sql.ts).
 */
@Injectable()
export class DeliveryService implements OnModuleInit {
  readonly cache: DeliveryCache;
  readonly signer: PreviewTokenSigner;
  private readonly lookup: ContentTypeLookup;
  private readonly statementNames = new Map<string, string>();
  private readonly publicCacheControl: string;
  private feedLinks?: FeedLinksProvider;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
    private readonly contentTypes: ContentTypesService,
    private readonly sites: SitesService,
    private readonly changes: ContentChanges,
    private readonly permissions: PermissionsService,
    private readonly search: SearchIndexService,
  ) {
    this.cache = new DeliveryCache(config.delivery.cacheSizeBytes);
    this.signer = new PreviewTokenSigner(config.secretKey);
    this.lookup = (key) => this.contentTypes.find(key);
    this.publicCacheControl = `public, max-age=${config.delivery.cacheMaxAgeSeconds}`;
  }

  onModuleInit(): void {
    // Every committed change to published content, sites or content types (from any
    // process) empties the cache: see DeliveryCache for why everything goes.
    this.changes.onChange(() => this.cache.clear());
  }

  /** Lets the feeds module give each page its `meta.feeds`. */
  setFeedLinks(provider: FeedLinksProvider): void {
    this.feedLinks = provider;
  }

  /** The `meta.feeds` of pages on `sites`: none until the feeds module is loaded. */
  async pageFeedLinks(sites: readonly SiteView[]): Promise<(page: FeedLinkPage) => unknown[]> {
    return this.feedLinks ? this.feedLinks(sites) : () => [];
  }

  /** `GET /api/v2/pages`. */
  listPages(request: DeliveryRequest): Promise<DeliveryAnswer> {
    return this.answer('page', request, async (scope) => {
      const params = parseListingParameters('page', request.query, this.lookup, {
        maxLimit: this.config.delivery.maxLimit,
      });
      return this.listing('page', params, scope);
    });
  }

  /** `GET /api/v2/snippets/{type}`. */
  listSnippets(type: string, request: DeliveryRequest): Promise<DeliveryAnswer> {
    return this.answer('snippet', request, async (scope) => {
      const snippetType = this.snippetType(type);
      const params = parseListingParameters('snippet', request.query, this.lookup, {
        maxLimit: this.config.delivery.maxLimit,
        snippetType,
      });
      return this.listing('snippet', params, scope);
    });
  }

  /** `GET /api/v2/pages/{id}`. */
  pageDetail(id: string, request: DeliveryRequest): Promise<DeliveryAnswer> {
    return this.answer('page', request, async (scope) => {
      const params = parseDetailParameters('page', request.query);
      return this.detail('page', id, undefined, params, scope);
    });
  }

  /** `GET /api/v2/snippets/{type}/{id}`. */
  snippetDetail(type: string, id: string, request: DeliveryRequest): Promise<DeliveryAnswer> {
    return this.answer('snippet', request, async (scope) => {
      const snippetType = this.snippetType(type);
      const params = parseDetailParameters('snippet', request.query);
      return this.detail('snippet', id, snippetType, params, scope);
    });
  }

  /** `GET /api/v2/pages/find?html_path=`: a redirect to the page's detail. */
  findPage(request: DeliveryRequest): Promise<DeliveryAnswer> {
    return this.answer('page', request, async (scope) => {
      const params = parseFindParameters(request.query);
      const urlPath = scope.site
        ? `${scope.site.rootUrlPath}${params.htmlPath.slice(1)}`
        : params.htmlPath;
      const query: SqlQuery =
        scope.draft.kind === 'none'
          ? { text: PAGE_FIND_SQL, values: [urlPath] }
          : {
              text: PAGE_FIND_PREVIEW_SQL,
              values: [
                urlPath,
                scope.draft.kind === 'page' ? scope.draft.pageId : null,
                scope.draft.kind === 'all',
              ],
            };
      const rows = await this.runQuery<{ id: string }>(query);
      const id = rows[0]?.id;
      if (!id) {
        throw new DeliveryNotFoundError(`No published page has the path ${params.htmlPath}.`);
      }
      const search = params.forwarded.toString();
      return {
        status: 302,
        body: '',
        location: `/api/v2/pages/${id}/${search ? `?${search}` : ''}`,
      };
    });
  }

  /** Runs `compute` for a request, through the cache when the request is a public one. */
  private async answer(
    kind: ContentKind,
    request: DeliveryRequest,
    compute: (scope: RequestScope) => Promise<{ status: number; body: string; location?: string }>,
  ): Promise<DeliveryAnswer> {
    const access = this.accessOf(request);
    const sites = await this.sites.list();
    const site = await this.siteOf(access.site, request.host, sites);
    const publicRequest = access.previewToken === undefined && !access.draft;
    const cacheable =
      publicRequest && this.cache.enabled && !/[?&]order=random(&|$)/.test(request.url);
    const key = cacheable ? cacheKeyOf(site?.id ?? '-', request.url) : undefined;
    if (key) {
      const hit = this.cache.get(key);
      if (hit) return { ...hit, cacheControl: this.publicCacheControl, cached: true };
    }
    const generation = this.cache.generation;
    const scope = publicRequest
      ? { site, sites, draft: { kind: 'none' } as const }
      : await this.previewScope(kind, access, site, sites, request.principal);
    const result = await compute(scope);
    const response: CachedResponse = {
      ...result,
      etag: etagOf(
        result.location === undefined ? result.body : `${result.status} ${result.location}`,
      ),
    };
    if (key) this.cache.set(key, response, generation);
    return {
      ...response,
      cacheControl: publicRequest ? this.publicCacheControl : PRIVATE,
      cached: false,
    };
  }

  /** The access parameters, read before anything else so the cache can be consulted. */
  private accessOf(request: DeliveryRequest): AccessParameters {
    const pick = (name: string): string | undefined => {
      const value = request.query[name];
      if (Array.isArray(value)) throw new DeliveryParameterError(name, 'given more than once');
      return value;
    };
    const fromQuery = pick('preview_token');
    const fromHeader = request.previewTokenHeader;
    if (fromQuery !== undefined && fromHeader !== undefined && fromQuery !== fromHeader) {
      throw new DeliveryParameterError(
        'preview_token',
        'differs from the X-Preview-Token header; send one of them',
      );
    }
    const draft = pick('draft');
    if (draft !== undefined && draft !== 'true' && draft !== 'false') {
      throw new DeliveryParameterError('draft', 'expected true or false');
    }
    return { previewToken: fromQuery ?? fromHeader, draft: draft === 'true', site: pick('site') };
  }

  /** `?site=` (an id or host name), else the site of the Host header, else the default site. */
  async siteOf(
    site: string | undefined,
    host: string | undefined,
    sites: readonly SiteView[],
  ): Promise<SiteView | null> {
    if (site === undefined) return this.sites.forHost(host);
    const wanted = site.toLowerCase();
    const found = sites.find(
      (candidate) => candidate.id === wanted || candidate.hostname === wanted,
    );
    if (!found)
      throw new DeliveryParameterError('site', `no site has the id or host name "${site}"`);
    return found;
  }

  /**
   * The drafts a preview token, or `draft=true` with a read token, lets the request see.
   * Throws (401, 403) when the token or the principal's permissions do not allow it.
   */
  async previewScope(
    kind: ContentKind,
    access: AccessParameters,
    site: SiteView | null,
    sites: readonly SiteView[],
    principal: AuthPrincipal | undefined,
  ): Promise<RequestScope> {
    if (access.previewToken !== undefined) {
      const claims = this.signer.verify(access.previewToken);
      if (claims === 'invalid') {
        throw new PreviewTokenInvalidError(
          'The preview token is malformed or was not issued by this server. Ask for a new one (POST /api/admin/preview-tokens).',
        );
      }
      if (claims === 'expired') {
        throw new PreviewTokenInvalidError(
          'The preview token has expired. Ask for a new one (POST /api/admin/preview-tokens).',
        );
      }
      // Preview tokens are for pages: snippets stay live for them.
      if (kind === 'snippet') return { site, sites, draft: { kind: 'none' } };
      return this.scopeOfToken(claims.scope, site, sites);
    }
    if (!principal || !principal.scopes.includes('read')) throw new DraftAccessRequiredError();
    if (kind === 'snippet') {
      if (!(await this.permissions.can(principal.user, 'change_snippet'))) {
        throw new DraftAccessDeniedError(
          'Seeing snippet drafts (draft=true on REST, a read token on GraphQL) needs the change_snippet permission. Send no credentials to read published content.',
        );
      }
      return { site, sites, draft: { kind: 'all' } };
    }
    const allowed = site
      ? await this.permissions.can(principal.user, 'change_page', {
          type: 'page',
          id: site.rootPageId,
        })
      : await this.permissions.can(principal.user, 'change_page');
    if (!allowed) {
      throw new DraftAccessDeniedError(
        'Seeing drafts (draft=true on REST, a read token on GraphQL) shows every draft of the site: it needs the change_page permission on the whole site. Send no credentials to read published content.',
      );
    }
    return { site, sites, draft: { kind: 'all' } };
  }

  private scopeOfToken(
    scope: PreviewScope,
    site: SiteView | null,
    sites: readonly SiteView[],
  ): RequestScope {
    if (scope.kind === 'page') return { site, sites, draft: { kind: 'page', pageId: scope.id } };
    const tokenSite = sites.find((candidate) => candidate.id === scope.id);
    if (!tokenSite) {
      throw new PreviewTokenInvalidError(
        'The site this preview token was issued for no longer exists.',
      );
    }
    return { site: tokenSite, sites, draft: { kind: 'all' } };
  }

  private snippetType(type: string): DeliveryContentType {
    const contentType = this.lookup(type);
    if (!contentType || contentType.kind !== 'snippet') {
      throw new DeliveryNotFoundError(`There is no snippet type "${type}".`);
    }
    return contentType;
  }

  private async listing(
    kind: ContentKind,
    params: ListingParameters,
    scope: RequestScope,
  ): Promise<{ status: number; body: string }> {
    const plan = planFields(kind, params.fields, params.contentType, this.lookup, false);
    const spec: DeliveryQuerySpec = {
      kind,
      siteRootPageId: kind === 'page' ? scope.site?.rootPageId : undefined,
      type: params.contentType?.key,
      locale: params.locale,
      childOf: params.childOf,
      descendantOf: params.descendantOf,
      ancestorOf: params.ancestorOf,
      search: params.search ? { language: this.search.language, text: params.search } : undefined,
      filters: params.filters,
      order: params.order,
      limit: params.limit,
      offset: params.offset,
      draft: scope.draft,
      ...plan,
    };
    const row = await this.single(buildDeliveryQuery(spec));
    const items = row.items ?? [];
    if (items.length === 0) await this.assertTreeTargetsExist(params);
    const serializer = await this.serializer(kind, params.fields, false, row, scope);
    return {
      status: 200,
      body: JSON.stringify({
        meta: { total_count: Number(row.total_count ?? 0) },
        items: items.map((item) => serializer.item(item)),
      }),
    };
  }

  private async detail(
    kind: ContentKind,
    id: string,
    snippetType: DeliveryContentType | undefined,
    params: { fields: ListingParameters['fields'] },
    scope: RequestScope,
  ): Promise<{ status: number; body: string }> {
    if (!UUID_PATTERN.test(id)) {
      throw new DeliveryParameterError('id', `expected the id of a ${kind} (a UUID), not "${id}"`);
    }
    const selection = params.fields;
    if (snippetType) planFields(kind, selection, snippetType, this.lookup, true);
    const nestedContent = [...selection.include.values()].some(
      (nested) =>
        nested &&
        (nested.all ||
          [...nested.include.keys()].some((name) => !['id', 'meta', 'title'].includes(name))),
    );
    const row = await this.single(
      buildDeliveryQuery({
        kind,
        id: id.toLowerCase(),
        siteRootPageId: kind === 'page' ? scope.site?.rootPageId : undefined,
        type: snippetType?.key,
        filters: [],
        order: { kind: 'path' },
        limit: 1,
        offset: 0,
        draft: scope.draft,
        withContent: true,
        withLinkedContent: nestedContent,
      }),
    );
    const item = row.items?.[0];
    if (!item) {
      throw new DeliveryNotFoundError(
        kind === 'page'
          ? `No published page has the id ${id}${scope.site ? ` on the site ${scope.site.hostname}` : ''}.`
          : `No published ${snippetType?.key ?? 'snippet'} has the id ${id}.`,
      );
    }
    if (!snippetType) planFields(kind, selection, this.lookup(item.type), this.lookup, true);
    const serializer = await this.serializer(kind, selection, true, row, scope);
    return { status: 200, body: JSON.stringify(serializer.item(item)) };
  }

  private async serializer(
    kind: ContentKind,
    selection: ListingParameters['fields'],
    detail: boolean,
    row: DeliveryResultRow,
    scope: RequestScope,
  ): Promise<DeliverySerializer> {
    const feeds = kind === 'page' && this.feedLinks ? await this.feedLinks(scope.sites) : undefined;
    return new DeliverySerializer(
      {
        kind,
        publicUrl: this.config.publicUrl,
        htmlPath: (urlPath) => htmlPathOf(urlPath, scope.site, scope.sites),
        lookup: this.lookup,
        selection,
        detail,
        feeds,
      },
      row.linked,
    );
  }

  /** child_of / descendant_of / ancestor_of naming no page is a bad parameter, not an empty list. */
  private async assertTreeTargetsExist(params: ListingParameters): Promise<void> {
    const targets = (
      [
        ['child_of', params.childOf],
        ['descendant_of', params.descendantOf],
        ['ancestor_of', params.ancestorOf],
      ] as const
    ).filter(
      (entry): entry is readonly ['child_of' | 'descendant_of' | 'ancestor_of', string] =>
        entry[1] !== undefined,
    );
    if (targets.length === 0) return;
    const rows = await this.runQuery<{ id: string }>({
      text: 'SELECT id FROM pages WHERE id = ANY($1::uuid[])',
      values: [targets.map(([, id]) => id)],
    });
    const found = new Set(rows.map((row) => row.id));
    for (const [name, id] of targets) {
      if (!found.has(id)) throw new DeliveryParameterError(name, `no page has the id ${id}`);
    }
  }

  private async single(query: SqlQuery): Promise<DeliveryResultRow> {
    const rows = await this.runQuery<DeliveryResultRow>(query);
    return rows[0] ?? { items: null };
  }

  /**
   * Runs one statement on a pooled connection of the application's pool, without TypeORM's
   * query runner: the delivery API's hot path (REST and GraphQL) needs nothing of it.
   */
  async runQuery<T>(query: SqlQuery): Promise<T[]> {
    const pool = (this.dataSource.driver as unknown as { master: pg.Pool }).master;
    const client = await pool.connect();
    try {
      const name = this.statementNameOf(query.text);
      const result = await client.query<pg.QueryResultRow>(
        name ? { name, text: query.text, values: query.values } : query,
      );
      return result.rows as T[];
    } finally {
      client.release();
    }
  }

  /**
   * A name for the statement, so each pooled connection parses and plans it once (requests
   * of one shape send the same text). Not on the embedded database, whose connections share
   * one session (a name prepared by one would clash in the next); and only for the first
   * PREPARED_STATEMENTS_MAX texts, so odd filter combinations cannot grow it without bound.
   */
  private statementNameOf(text: string): string | undefined {
    if (this.target.embedded) return undefined;
    let name = this.statementNames.get(text);
    if (!name && this.statementNames.size < PREPARED_STATEMENTS_MAX) {
      name = `finch_delivery_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.statementNames.set(text, name);
    }
    return name;
  }
}

/**
 * The path a page has on its site: `url_path` without the site root's (`/home/blog/x/` →
 * `/blog/x/`). Pages of another site get that site's path; with no site at all, the first
 * segment (the root page's slug) is dropped.
 */
export function htmlPathOf(
  urlPath: string,
  site: SiteView | null,
  sites: readonly SiteView[],
): string | null {
  const owner =
    site && urlPath.startsWith(site.rootUrlPath)
      ? site
      : sites.find((candidate) => urlPath.startsWith(candidate.rootUrlPath));
  if (owner) return `/${urlPath.slice(owner.rootUrlPath.length)}`;
  if (sites.length > 0 || site) return null;
  const second = urlPath.indexOf('/', 1);
  return second < 0 ? '/' : urlPath.slice(second);
}
