import DataLoader from 'dataloader';
import type { AuthPrincipal } from '#src/auth/auth-principal.js';
import type { ContentKind, FieldDefinition } from '#src/content-types/content-type-definition.js';
import { renderRichText, richTextReferences } from '#src/content-types/rich-text.js';
import {
  type ContentTypeLookup,
  type DeliveryContentType,
  type FilterOperator,
  LOCALE_PATTERN,
  MAX_OFFSET,
  MAX_SEARCH_LENGTH,
  UUID_PATTERN,
  baseOrderOf,
  columnFilterOf,
  defaultOrder,
  filterOf,
  randomOrder,
  refuseNul,
} from '#src/delivery/delivery-params.js';
import {
  type ContentFilter,
  type DeliveryOrder,
  type DraftScope,
  ITEM_COLUMNS,
  Parameters,
  type SqlQuery,
  buildDeliveryQuery,
  sourceOf,
  visibleSql,
} from '#src/delivery/delivery-sql.js';
import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';
import {
  type DeliveryService,
  type RequestScope,
  htmlPathOf,
} from '#src/delivery/delivery.service.js';
import type { DeliveryResultRow } from '#src/delivery/delivery-serializer.js';
import type {
  ContentRow,
  ContentSource,
  ListResult,
  ListingArguments,
  PageLookupArguments,
  TreeArguments,
} from '#src/graphql/content-schema.js';
import { fieldNameOf, fieldOrderValuesOf } from '#src/graphql/graphql-names.js';
import type { SitesService } from '#src/pages/sites.service.js';

/** What every request's source shares: the services it reads through, and limits. */
export interface ContentSourceServices {
  delivery: DeliveryService;
  sites: SitesService;
  lookup: ContentTypeLookup;
  searchLanguage: string;
  maxLimit: number;
}

/** Who is asking, and how: read once from the HTTP request. */
export interface ContentRequest {
  host: string | undefined;
  /** `X-Preview-Token`. */
  previewToken: string | undefined;
  principal: AuthPrincipal | undefined;
}

/** Drafts are seen with a preview token, or with an API token that has the `read` scope. */
export function seesDrafts(request: ContentRequest): boolean {
  return (
    request.previewToken !== undefined ||
    (request.principal?.method === 'api-token' && request.principal.scopes.includes('read'))
  );
}

const MAX_SEARCH_TYPES = 50;

/** What the loaders select of a snippet; pages add their place in the tree. */
export const ROW_COLUMNS = [...ITEM_COLUMNS, 'p.content'].join(', ');
const PAGE_ROW_COLUMNS = `${ROW_COLUMNS}, p.slug, p.url_path, p.path`;

/**
 * The rows of `kind` the request may see where `condition` holds (written with the
 * statement's parameters), then `tail` (`ORDER BY …`).
 */
function rowsQuery(
  kind: ContentKind,
  draft: DraftScope,
  condition: (params: Parameters) => string,
  tail = '',
): SqlQuery {
  const params = new Parameters();
  const draftPage = draft.kind === 'page' ? `${params.add(draft.pageId)}::uuid` : undefined;
  const columns = kind === 'page' ? PAGE_ROW_COLUMNS : ROW_COLUMNS;
  return {
    text: `SELECT ${columns} FROM ${sourceOf(kind, draft, draftPage)}
              WHERE ${condition(params)} AND ${visibleSql(draft)}${tail}`,
    values: params.values,
  };
}

/**
 * The data behind one GraphQL request: the access it has (site, drafts), and loaders that
 * batch every relation the resolvers ask for into one statement per kind and level — so
 * the number of SQL statements a query sends does not grow with the number of items.
 */
export class RequestContentSource implements ContentSource {
  private pageScope?: Promise<RequestScope>;
  private resolvedPageScope?: RequestScope;
  private feedLinks?: Promise<(page: ContentRow) => unknown[]>;
  private snippetScope?: Promise<DraftScope>;
  private readonly pages: DataLoader<string, ContentRow | null>;
  private readonly pagesByPath: DataLoader<string, ContentRow | null>;
  private readonly snippets: DataLoader<string, ContentRow | null>;
  private readonly treeLoaders = new Map<string, DataLoader<string, ContentRow[]>>();

  constructor(
    private readonly services: ContentSourceServices,
    private readonly request: ContentRequest,
  ) {
    this.pages = new DataLoader((ids) => this.loadByKey('page', 'id', ids));
    this.pagesByPath = new DataLoader((paths) => this.loadByKey('page', 'path', paths));
    this.snippets = new DataLoader((ids) => this.loadByKey('snippet', 'id', ids));
  }

  // ---- access -------------------------------------------------------------------------

  /** The site the request reads and the drafts it sees of pages (checked once). */
  private pageAccess(): Promise<RequestScope> {
    this.pageScope ??= (async () => {
      const { delivery, sites: sitesService } = this.services;
      const sites = await sitesService.list();
      const site = await delivery.siteOf(undefined, this.request.host, sites);
      const scope: RequestScope = seesDrafts(this.request)
        ? await delivery.previewScope(
            'page',
            { previewToken: this.request.previewToken, draft: true },
            site,
            sites,
            this.request.principal,
          )
        : { site, sites, draft: { kind: 'none' } };
      this.resolvedPageScope = scope;
      return scope;
    })();
    return this.pageScope;
  }

  private snippetAccess(): Promise<DraftScope> {
    this.snippetScope ??= (async () => {
      if (!seesDrafts(this.request)) return { kind: 'none' } as const;
      const { delivery, sites: sitesService } = this.services;
      const scope = await delivery.previewScope(
        'snippet',
        { previewToken: this.request.previewToken, draft: true },
        null,
        await sitesService.list(),
        this.request.principal,
      );
      return scope.draft;
    })();
    return this.snippetScope;
  }

  private async draftOf(kind: ContentKind): Promise<DraftScope> {
    return kind === 'page' ? (await this.pageAccess()).draft : this.snippetAccess();
  }

  // ---- queries ------------------------------------------------------------------------

  async list(kind: ContentKind, args: ListingArguments): Promise<ListResult> {
    const contentType = args.type === undefined ? undefined : this.contentType(kind, args.type);
    const limit = this.limitOf(args.limit);
    const offset = this.offsetOf(args.offset);
    const search = this.searchOf(args.search);
    if (args.locale !== undefined && args.locale !== null && !LOCALE_PATTERN.test(args.locale)) {
      throw new DeliveryParameterError('locale', 'expected a language tag such as en or pt-BR');
    }
    const scope = kind === 'page' ? await this.pageAccess() : undefined;
    const draft = await this.draftOf(kind);
    const query = buildDeliveryQuery({
      kind,
      siteRootPageId: scope?.site?.rootPageId,
      type: contentType?.key,
      locale: args.locale ?? undefined,
      childOf: this.idOf('childOf', args.childOf),
      descendantOf: this.idOf('descendantOf', args.descendantOf),
      search:
        search === undefined ? undefined : { language: this.services.searchLanguage, text: search },
      filters: this.filtersOf(contentType, args.filter),
      order: this.orderOf(kind, contentType, args.order, search !== undefined, offset),
      limit,
      offset,
      draft,
      withContent: true,
      withLinkedContent: false,
      withLinks: false,
      withCount: args.withTotal !== false,
    });
    const row = (await this.services.delivery.runQuery<DeliveryResultRow>(query))[0];
    const items = (row?.items ?? []) as ContentRow[];
    this.prime(kind, items);
    return { items, totalCount: Number(row?.total_count ?? 0) };
  }

  async findPage(args: PageLookupArguments): Promise<ContentRow | null> {
    const given = (['id', 'urlPath', 'slug'] as const).filter(
      (name) => args[name] !== undefined && args[name] !== null,
    );
    if (given.length !== 1) {
      throw new DeliveryParameterError(
        given[1] ?? 'id',
        'give exactly one of id, urlPath, or slug (with parent)',
      );
    }
    if (args.parent !== undefined && args.parent !== null && given[0] !== 'slug') {
      throw new DeliveryParameterError('parent', 'goes with slug only');
    }
    const scope = await this.pageAccess();
    let row: ContentRow | null;
    if (args.id !== undefined && args.id !== null) {
      const id = this.idOf('id', args.id) as string;
      row = await this.pages.load(id);
    } else if (args.urlPath !== undefined && args.urlPath !== null) {
      row = await this.pageAtPath(args.urlPath, scope);
    } else {
      row = await this.pageWithSlug(args.slug as string, args.parent ?? undefined, scope);
    }
    if (!row) return null;
    if (args.type !== undefined && row.type !== args.type) return null;
    if (scope.site && !(row.url_path ?? '').startsWith(scope.site.rootUrlPath)) return null;
    return row;
  }

  async findSnippet(type: string, id: string): Promise<ContentRow | null> {
    const row = await this.snippet(this.idOf('id', id) as string);
    return row && row.type === type ? row : null;
  }

  async search(args: {
    query: string;
    types?: string[] | null;
    limit: number;
    offset: number;
  }): Promise<ListResult> {
    const text = this.searchOf(args.query) as string;
    const limit = this.limitOf(args.limit);
    const offset = this.offsetOf(args.offset);
    const wanted = args.types ?? undefined;
    if (wanted && wanted.length > MAX_SEARCH_TYPES) {
      throw new DeliveryParameterError('types', `at most ${MAX_SEARCH_TYPES} types`);
    }
    const byKind = (kind: ContentKind): string[] | undefined => {
      if (!wanted) return undefined;
      return wanted.filter((key) => {
        const found = this.services.lookup(key);
        if (!found) throw new DeliveryParameterError('types', `there is no content type "${key}"`);
        return found.kind === kind;
      });
    };
    const results = await Promise.all(
      (['page', 'snippet'] as const).map(async (kind) => {
        const types = byKind(kind);
        if (types && types.length === 0) return { items: [], totalCount: 0 };
        const scope = kind === 'page' ? await this.pageAccess() : undefined;
        const row = (
          await this.services.delivery.runQuery<DeliveryResultRow>(
            buildDeliveryQuery({
              kind,
              siteRootPageId: scope?.site?.rootPageId,
              types,
              search: { language: this.services.searchLanguage, text },
              filters: [],
              order: { kind: 'score' },
              // The best offset + limit of each kind hold the page asked for.
              limit: offset + limit,
              offset: 0,
              draft: await this.draftOf(kind),
              withContent: true,
              withLinkedContent: false,
              withLinks: false,
            }),
          )
        )[0];
        const items = ((row?.items ?? []) as ContentRow[]).map((item) => ({ ...item, kind }));
        this.prime(kind, items);
        return { items, totalCount: Number(row?.total_count ?? 0) };
      }),
    );
    const merged = results
      .flatMap((result) => result.items)
      .sort(
        (a, b) =>
          ((b as { search_score?: number }).search_score ?? 0) -
          ((a as { search_score?: number }).search_score ?? 0),
      );
    return {
      items: merged.slice(offset, offset + limit),
      totalCount: results.reduce((sum, result) => sum + result.totalCount, 0),
    };
  }

  // ---- relations (batched) ------------------------------------------------------------

  page(id: string): Promise<ContentRow | null> {
    return UUID_PATTERN.test(id) ? this.pages.load(id.toLowerCase()) : Promise.resolve(null);
  }

  snippet(id: string): Promise<ContentRow | null> {
    return UUID_PATTERN.test(id) ? this.snippets.load(id.toLowerCase()) : Promise.resolve(null);
  }

  async parent(page: ContentRow): Promise<ContentRow | null> {
    const path = page.path ?? '';
    return path.length > 4 ? this.pagesByPath.load(path.slice(0, -4)) : null;
  }

  async ancestors(page: ContentRow): Promise<ContentRow[]> {
    const path = page.path ?? '';
    const paths: string[] = [];
    for (let end = 4; end < path.length; end += 4) paths.push(path.slice(0, end));
    const rows = await this.pagesByPath.loadMany(paths);
    return rows.filter((row): row is ContentRow => row !== null && !(row instanceof Error));
  }

  children(page: ContentRow, args: TreeArguments): Promise<ContentRow[]> {
    return this.tree('children', args).load(page.path ?? '');
  }

  descendants(page: ContentRow, args: TreeArguments): Promise<ContentRow[]> {
    return this.tree('descendants', args).load(page.path ?? '');
  }

  async siblings(page: ContentRow, args: TreeArguments): Promise<ContentRow[]> {
    const path = page.path ?? '';
    if (path.length <= 4) return [];
    // One more than asked, as the page itself is among its parent's children.
    const children = await this.tree('children', args, 1).load(path.slice(0, -4));
    return children.filter((child) => child.id !== page.id).slice(0, args.limit);
  }

  urlPath(page: ContentRow): string | Promise<string> {
    const toPath = (scope: RequestScope) => {
      const treePath = page.url_path ?? '';
      return htmlPathOf(treePath, scope.site, scope.sites) ?? treePath;
    };
    return this.resolvedPageScope ? toPath(this.resolvedPageScope) : this.pageAccess().then(toPath);
  }

  url(page: ContentRow): string | null | Promise<string | null> {
    const toUrl = (scope: RequestScope) => linkTo(page.url_path ?? '', scope);
    return this.resolvedPageScope ? toUrl(this.resolvedPageScope) : this.pageAccess().then(toUrl);
  }

  async feeds(page: ContentRow): Promise<unknown[]> {
    this.feedLinks ??= this.pageAccess().then((scope) =>
      this.services.delivery.pageFeedLinks(scope.sites),
    );
    return (await this.feedLinks)(page);
  }

  async richTextHtml(doc: unknown): Promise<string> {
    const ids = [
      ...new Set(
        richTextReferences(doc, '')
          .filter((reference) => reference.kind === 'page')
          .map((reference) => reference.id.toLowerCase()),
      ),
    ];
    const scope = await this.pageAccess();
    const urls = new Map<string, string>();
    for (const row of await Promise.all(ids.map((id) => this.page(id)))) {
      const url = row?.url_path ? linkTo(row.url_path, scope) : null;
      if (row && url) urls.set(row.id, url);
    }
    return renderRichText(doc, { resolvePageUrl: (id) => urls.get(id.toLowerCase()) });
  }

  // ---- loading ------------------------------------------------------------------------

  /** Rows already read by a listing answer later loads of the same ids without SQL. */
  private prime(kind: ContentKind, rows: readonly ContentRow[]): void {
    for (const row of rows) {
      if (kind === 'page') {
        this.pages.prime(row.id, row);
        if (row.path) this.pagesByPath.prime(row.path, row);
      } else {
        this.snippets.prime(row.id, row);
      }
    }
  }

  /** Pages (by id or path) or snippets (by id) the request may see: one statement a batch. */
  private async loadByKey(
    kind: ContentKind,
    key: 'id' | 'path',
    keys: readonly string[],
  ): Promise<Array<ContentRow | null>> {
    const query = rowsQuery(
      kind,
      await this.draftOf(kind),
      (params) => `p.${key} = ANY(${params.add(keys)}::${key === 'id' ? 'uuid' : 'text'}[])`,
    );
    const rows = await this.services.delivery.runQuery<ContentRow>(query);
    const found = new Map(rows.map((row) => [key === 'id' ? row.id : (row.path as string), row]));
    return keys.map((value) => found.get(value) ?? null);
  }

  /** Children or descendants, batched over parents: one statement for every parent asking. */
  private tree(
    relation: 'children' | 'descendants',
    args: TreeArguments,
    extra = 0,
  ): DataLoader<string, ContentRow[]> {
    const limit = this.limitOf(args.limit) + extra;
    const offset = this.offsetOf(args.offset);
    const type =
      args.type === undefined || args.type === null
        ? undefined
        : this.contentType('page', args.type).key;
    const cacheKey = `${relation}:${type ?? ''}:${limit}:${offset}`;
    let loader = this.treeLoaders.get(cacheKey);
    if (!loader) {
      loader = new DataLoader((paths) => this.loadTree(relation, paths, type, limit, offset));
      this.treeLoaders.set(cacheKey, loader);
    }
    return loader;
  }

  private async loadTree(
    relation: 'children' | 'descendants',
    paths: readonly string[],
    type: string | undefined,
    limit: number,
    offset: number,
  ): Promise<ContentRow[][]> {
    const { draft } = await this.pageAccess();
    const params = new Parameters();
    const draftPage = draft.kind === 'page' ? `${params.add(draft.pageId)}::uuid` : undefined;
    const list = params.add(paths);
    const conditions = ['p.path > parent.path', "p.path < parent.path || '~'", visibleSql(draft)];
    if (relation === 'children') conditions.push('p.depth = length(parent.path) / 4 + 1');
    if (type !== undefined) conditions.push(`p.content_type_key = ${params.add(type)}::text`);
    const query: SqlQuery = {
      text: `SELECT parent.path AS parent_path, c.*
               FROM unnest(${list}::text[]) AS parent(path)
               CROSS JOIN LATERAL (
                 SELECT ${PAGE_ROW_COLUMNS}
                   FROM ${sourceOf('page', draft, draftPage)}
                  WHERE ${conditions.join(' AND ')}
                  ORDER BY p.path
                  LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}
               ) c`,
      values: params.values,
    };
    const rows = await this.services.delivery.runQuery<ContentRow & { parent_path: string }>(query);
    const byParent = new Map<string, ContentRow[]>();
    for (const { parent_path: parentPath, ...row } of rows) {
      const siblings = byParent.get(parentPath) ?? [];
      siblings.push(row);
      byParent.set(parentPath, siblings);
    }
    this.prime('page', rows);
    return paths.map((path) => byParent.get(path) ?? []);
  }

  private async pageAtPath(urlPath: string, scope: RequestScope): Promise<ContentRow | null> {
    if (!urlPath.startsWith('/') || urlPath.length > 1024 || /[?#\s]/.test(urlPath)) {
      throw new DeliveryParameterError('urlPath', 'expected a path such as /blog/hello/');
    }
    refuseNul('urlPath', urlPath);
    const path = urlPath.endsWith('/') ? urlPath : `${urlPath}/`;
    const full = scope.site ? `${scope.site.rootUrlPath}${path.slice(1)}` : path;
    const rows = await this.services.delivery.runQuery<ContentRow>(
      rowsQuery('page', scope.draft, (params) => `p.url_path = ${params.add(full)}::text`),
    );
    const row = rows[0] ?? null;
    if (row) this.prime('page', [row]);
    return row;
  }

  private async pageWithSlug(
    slug: string,
    parent: string | undefined,
    scope: RequestScope,
  ): Promise<ContentRow | null> {
    if (slug === '' || slug.length > 255) {
      throw new DeliveryParameterError('slug', 'expected a slug of 1 to 255 characters');
    }
    refuseNul('slug', slug);
    const parentId = parent === undefined ? undefined : this.idOf('parent', parent);
    const { site } = scope;
    const rows = await this.services.delivery.runQuery<ContentRow>(
      rowsQuery(
        'page',
        scope.draft,
        (params) => {
          const conditions = [`p.slug = ${params.add(slug)}::text`];
          if (parentId !== undefined) {
            conditions.push(
              `left(p.path, -4) = (SELECT path FROM pages WHERE id = ${params.add(parentId)}::uuid)`,
            );
          } else if (site) {
            conditions.push(`p.url_path LIKE ${params.add(`${site.rootUrlPath}%`)}::text`);
          }
          return conditions.join(' AND ');
        },
        ' ORDER BY p.path LIMIT 2',
      ),
    );
    if (rows.length > 1) {
      throw new DeliveryParameterError(
        'slug',
        `several pages of the site have the slug "${slug}"; give parent as well`,
      );
    }
    return rows[0] ?? null;
  }

  // ---- arguments ----------------------------------------------------------------------

  private contentType(kind: ContentKind, key: string): DeliveryContentType {
    const found = this.services.lookup(key);
    if (!found || found.kind !== kind) {
      throw new DeliveryParameterError('type', `"${key}" is not a ${kind} type`);
    }
    return found;
  }

  private idOf(name: string, value: string | null | undefined): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (!UUID_PATTERN.test(value)) {
      throw new DeliveryParameterError(
        name,
        `expected an id (a UUID), not "${value.slice(0, 100)}"`,
      );
    }
    return value.toLowerCase();
  }

  private limitOf(limit: number): number {
    const { maxLimit } = this.services;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
      throw new DeliveryParameterError('limit', `expected an integer from 1 to ${maxLimit}`);
    }
    return limit;
  }

  private offsetOf(offset: number): number {
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
      throw new DeliveryParameterError('offset', `expected an integer from 0 to ${MAX_OFFSET}`);
    }
    return offset;
  }

  private searchOf(search: string | null | undefined): string | undefined {
    if (search === undefined || search === null) return undefined;
    if (search.trim() === '' || search.length > MAX_SEARCH_LENGTH) {
      throw new DeliveryParameterError('search', `expected 1 to ${MAX_SEARCH_LENGTH} characters`);
    }
    return refuseNul('search', search);
  }

  private orderOf(
    kind: ContentKind,
    contentType: DeliveryContentType | undefined,
    value: string | null | undefined,
    searching: boolean,
    offset: number,
  ): DeliveryOrder {
    if (value === undefined || value === null) return defaultOrder(kind, searching);
    switch (value) {
      case 'PATH':
        return { kind: 'path' };
      case 'SEARCH_SCORE':
        if (!searching) throw new DeliveryParameterError('order', 'SEARCH_SCORE needs search');
        return { kind: 'score' };
      case 'RANDOM':
        return randomOrder(offset);
    }
    for (const field of contentType?.definition.fields ?? []) {
      if (!field.sortable) continue;
      const [ascending, descending] = fieldOrderValuesOf(field.key);
      if (value === ascending) return { kind: 'field', key: field.key, descending: false };
      if (value === descending) return { kind: 'field', key: field.key, descending: true };
    }
    const descending = value.endsWith('_DESC');
    const base = baseOrderOf((descending ? value.slice(0, -5) : value).toLowerCase(), descending);
    if (base) return base;
    throw new DeliveryParameterError('order', `cannot order by ${value}`);
  }

  /** `filter: { date: { eq: "2026-01-01" } }` → the delivery API's checked filters. */
  private filtersOf(
    contentType: DeliveryContentType | undefined,
    filter: ListingArguments['filter'],
  ): ContentFilter[] {
    if (!filter) return [];
    const filters: ContentFilter[] = [];
    for (const [name, conditions] of Object.entries(filter)) {
      if (!conditions) continue;
      const field = contentType?.definition.fields.find(
        (candidate: FieldDefinition) => fieldNameOf(candidate.key) === name,
      );
      for (const [operation, value] of Object.entries(conditions)) {
        if (value === undefined || value === null) continue;
        const parameter = `filter.${name}.${operation}`;
        const operator: FilterOperator =
          operation === 'contains'
            ? 'contains'
            : operation === 'in' || operation === 'hasAny'
              ? 'in'
              : 'equals';
        const values = (Array.isArray(value) ? value : [value]).map((entry) => String(entry));
        if (!field) {
          // PageFilter's own inputs: the schema offers no other.
          if (name !== 'slug' && name !== 'title') {
            throw new DeliveryParameterError(parameter, 'not a filter of pages');
          }
          filters.push(columnFilterOf(name, operator, values, parameter));
          continue;
        }
        filters.push(
          filterOf(contentType as DeliveryContentType, field.key, operator, values, parameter),
        );
      }
    }
    return filters;
  }
}

/**
 * A link to the page at `treePath`, the way Wagtail's `get_url` makes one: the path when the
 * page is on the request's site, `//host/path` when on another, null when no site serves it.
 */
function linkTo(treePath: string, scope: RequestScope): string | null {
  const path = htmlPathOf(treePath, scope.site, scope.sites);
  if (path === null) return null;
  const owner = scope.sites.find((site) => treePath.startsWith(site.rootUrlPath));
  return !owner || owner.id === scope.site?.id ? path : `//${owner.hostname}${path}`;
}
