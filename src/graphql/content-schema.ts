import {
  GraphQLBoolean,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  type GraphQLInputType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  Kind,
  type SelectionNode,
} from 'graphql';
import type {
  BlockDefinition,
  ContentKind,
  ContentTypeDefinition,
  FieldDefinition,
  NumberField,
} from '#src/content-types/content-type-definition.js';
import {
  BLOCK_BASE_FIELDS,
  baseOrderValues,
  fieldNameOf,
  fieldOrderValuesOf,
  pluralOf,
  graphqlNameErrors,
  queryNamesOf,
  typeNameOf,
  type GraphqlNameError,
} from '#src/graphql/graphql-names.js';
import type { ItemRow } from '#src/delivery/delivery-serializer.js';

/**
 * The content part of the GraphQL schema, generated from the content types: the `Page` and
 * `Snippet` interfaces, an object type per content type, its list, filter and order types,
 * a union per stream field with an object type per block, and the queries. See
 * graphql-names.ts for how keys become names, and docs/graphql.md for the result.
 *
 * Resolvers hold no state: everything a request reads comes from `context.finch`, a
 * ContentSource (see content-source.ts) whose loaders batch every relation.
 */

/**
 * A page or snippet as the content queries select it: delivery-sql.ts's item columns, with
 * `kind` set on search results, whose union needs to know.
 */
export type ContentRow = ItemRow & { kind?: ContentKind; content?: Record<string, unknown> | null };

export interface ListResult {
  items: ContentRow[];
  totalCount: number;
}

/** A listing's arguments, as GraphQL coerced them; the source checks and maps them. */
export interface ListingArguments {
  /** Whether the query asks for `totalCount` (counting every match costs a scan). */
  withTotal?: boolean;
  /** The content type key (fixed by per-type queries, the `type` argument of `pages`). */
  type?: string;
  childOf?: string;
  descendantOf?: string;
  search?: string;
  order?: string;
  limit: number;
  offset: number;
  locale?: string;
  filter?: Record<string, Record<string, unknown> | null> | null;
}

export interface PageLookupArguments {
  type?: string;
  id?: string;
  urlPath?: string;
  slug?: string;
  parent?: string;
}

export interface TreeArguments {
  type?: string;
  limit: number;
  offset: number;
}

/** What the resolvers read through: one per request (content-source.ts). */
export interface ContentSource {
  list(kind: ContentKind, args: ListingArguments): Promise<ListResult>;
  findPage(args: PageLookupArguments): Promise<ContentRow | null>;
  findSnippet(type: string, id: string): Promise<ContentRow | null>;
  search(args: {
    query: string;
    types?: string[];
    limit: number;
    offset: number;
  }): Promise<ListResult>;
  /** A linked page or snippet by id: null when the request may not see it. */
  page(id: string): Promise<ContentRow | null>;
  snippet(id: string): Promise<ContentRow | null>;
  parent(page: ContentRow): Promise<ContentRow | null>;
  children(page: ContentRow, args: TreeArguments): Promise<ContentRow[]>;
  descendants(page: ContentRow, args: TreeArguments): Promise<ContentRow[]>;
  ancestors(page: ContentRow): Promise<ContentRow[]>;
  siblings(page: ContentRow, args: TreeArguments): Promise<ContentRow[]>;
  /** The page's path on its site (`/blog/hello/`); the tree path when no site serves it. */
  urlPath(page: ContentRow): string | Promise<string>;
  /** The path when the page is on the request's site, `//host/path` on another, else null. */
  url(page: ContentRow): string | null | Promise<string | null>;
  richTextHtml(doc: unknown): Promise<string>;
  /** The feeds the page owns, for `<link rel="alternate">` (see docs/feeds.md). */
  feeds(page: ContentRow): Promise<unknown[]>;
}

export interface ContentContext {
  finch: ContentSource;
}

type Resolver = GraphQLFieldConfig<unknown, ContentContext>['resolve'];

/** Limits the schema states in argument defaults; the source enforces them. */
export interface ContentSchemaOptions {
  /** The default `limit` of listings. */
  defaultLimit: number;
}

const RELATION_COST = 2;
const DEFAULT_TREE_LIMIT = 20;

/** Values are stored as JSON: anything goes out as it is. */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'A JSON value, as stored (rich text documents are ProseMirror/Tiptap JSON).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: () => {
    throw new TypeError('JSON values cannot be given as arguments.');
  },
});

function stringScalar(name: string, description: string, pattern: RegExp, example: string) {
  const check = (value: unknown): string => {
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new TypeError(`${name} expects a string such as ${example}.`);
    }
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => value,
    parseValue: check,
    parseLiteral: (node) => {
      if (node.kind !== Kind.STRING)
        throw new TypeError(`${name} expects a string such as ${example}.`);
      return check(node.value);
    },
  });
}

export const DateScalar = stringScalar(
  'Date',
  'A calendar date, `YYYY-MM-DD`.',
  /^\d{4}-\d{2}-\d{2}$/,
  '2026-01-31',
);

export const DateTimeScalar = stringScalar(
  'DateTime',
  'An ISO 8601 date and time with a time zone; Finch sends UTC (`2026-01-31T09:00:00.000Z`).',
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/,
  '2026-01-31T09:00:00Z',
);

const nonNull = <T extends GraphQLOutputType | GraphQLInputType>(type: T) =>
  new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType>(type: T) => new GraphQLList(new GraphQLNonNull(type));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INT32 = 2 ** 31;

/** Integers whose bounds fit GraphQL's 32-bit `Int` are `Int`; other numbers are `Float`. */
export function isIntField(field: NumberField): boolean {
  return (
    field.numberType !== 'decimal' &&
    field.min !== undefined &&
    field.max !== undefined &&
    field.min >= -INT32 &&
    field.max < INT32
  );
}

function idOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.id === 'string' ? value.id : undefined;
}

/**
 * Whether the field being resolved selects `name` directly, through fragments included:
 * `{ totalCount }`, `{ ...Paging }`, `{ ... on BlogPostList { totalCount } }`.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const visit = (selections: readonly SelectionNode[]): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet.selections);
      const fragmentName = selection.name.value;
      if (seen.has(fragmentName)) return false;
      seen.add(fragmentName);
      const fragment = info.fragments[fragmentName];
      return fragment ? visit(fragment.selectionSet.selections) : false;
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet?.selections ?? []));
}

/** One stream block as served: `value` is resolved by the block type's field. */
interface BlockValue {
  id: string;
  blockType: string;
  raw: unknown;
}

/** Builds the types shared by every schema, then those of each content type. */
class SchemaBuilder {
  readonly types = new Map<string, GraphQLNamedType>();
  readonly pageTypes = new Map<string, GraphQLObjectType>();
  readonly snippetTypes = new Map<string, GraphQLObjectType>();
  readonly queryFields: GraphQLFieldConfigMap<unknown, ContentContext> = {};

  readonly richText: GraphQLObjectType;
  readonly image: GraphQLObjectType;
  readonly document: GraphQLObjectType;
  readonly feedLink: GraphQLObjectType;
  readonly pageInterface: GraphQLInterfaceType;
  readonly snippetInterface: GraphQLInterfaceType;
  readonly genericPage: GraphQLObjectType;
  readonly genericSnippet: GraphQLObjectType;
  readonly streamBlock: GraphQLInterfaceType;
  private readonly filters: Record<string, GraphQLInputObjectType>;

  constructor(
    private readonly definitions: readonly ContentTypeDefinition[],
    private readonly options: ContentSchemaOptions,
  ) {
    this.richText = new GraphQLObjectType<{ json: unknown }, ContentContext>({
      name: 'RichText',
      description: 'A rich text value: the stored document, and the same rendered as safe HTML.',
      fields: {
        json: { type: nonNull(JsonScalar), description: 'ProseMirror/Tiptap JSON.' },
        html: {
          type: nonNull(GraphQLString),
          description:
            'Escaped, sanitized HTML; internal page links point at the pages’ paths on their sites.',
          resolve: (value, _args, context) => context.finch.richTextHtml(value.json),
        },
      },
    });
    this.image = new GraphQLObjectType({
      name: 'Image',
      description: 'An image from the media library.',
      fields: { id: { type: nonNull(GraphQLID) } },
    });
    this.document = new GraphQLObjectType({
      name: 'Document',
      description: 'A document (file) from the media library.',
      fields: { id: { type: nonNull(GraphQLID) } },
    });
    this.feedLink = new GraphQLObjectType({
      name: 'FeedLink',
      description:
        'A feed a page owns, in one format: what a `<link rel="alternate" type="…" href="…" title="…">` needs.',
      fields: {
        format: { type: nonNull(GraphQLString), description: '`rss`, `atom` or `json`.' },
        type: {
          type: nonNull(GraphQLString),
          description: 'The media type, e.g. `application/rss+xml`.',
        },
        url: { type: nonNull(GraphQLString), description: 'The feed’s absolute URL.' },
        title: { type: nonNull(GraphQLString) },
      },
    });
    this.filters = this.sharedFilters();
    this.streamBlock = new GraphQLInterfaceType({
      name: 'StreamBlock',
      description:
        'What every block of a stream field has: select `... on StreamBlock { id blockType }` beside the fragments of the block types.',
      fields: {
        id: { type: nonNull(GraphQLID), description: 'Stable across revisions.' },
        blockType: {
          type: nonNull(GraphQLString),
          description: 'The block’s key in the content type.',
        },
      },
    });
    this.pageInterface = new GraphQLInterfaceType({
      name: 'Page',
      description: 'What every page has, whatever its type.',
      fields: () => this.pageBaseFields(),
      resolveType: (row: ContentRow) => this.pageTypes.get(row.type)?.name ?? 'GenericPage',
    });
    this.snippetInterface = new GraphQLInterfaceType({
      name: 'Snippet',
      description: 'What every snippet has, whatever its type.',
      fields: () => this.snippetBaseFields(),
      resolveType: (row: ContentRow) => this.snippetTypes.get(row.type)?.name ?? 'GenericSnippet',
    });
    this.genericPage = new GraphQLObjectType({
      name: 'GenericPage',
      description: 'A page whose content type the schema does not (yet) know.',
      interfaces: [this.pageInterface],
      fields: () => this.pageBaseFields(),
    });
    this.genericSnippet = new GraphQLObjectType({
      name: 'GenericSnippet',
      description: 'A snippet whose content type the schema does not (yet) know.',
      interfaces: [this.snippetInterface],
      fields: () => this.snippetBaseFields(),
    });
    for (const type of [
      JsonScalar,
      DateScalar,
      DateTimeScalar,
      this.richText,
      this.image,
      this.document,
      this.pageInterface,
      this.snippetInterface,
      this.genericPage,
      this.genericSnippet,
      this.streamBlock,
    ]) {
      this.add(type);
    }
  }

  build(): GraphQLSchema {
    for (const definition of this.definitions) this.contentType(definition);
    this.rootQueries();
    return new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: this.queryFields }),
      types: [...this.types.values()],
    });
  }

  private add<T extends GraphQLNamedType>(type: T): T {
    if (this.types.has(type.name)) throw new Error(`GraphQL type ${type.name} is built twice.`);
    this.types.set(type.name, type);
    return type;
  }

  // ---- shared fields ------------------------------------------------------------------

  private treeArgs(): GraphQLFieldConfigArgumentMap {
    return {
      type: { type: GraphQLString, description: 'Only pages of this content type (its key).' },
      limit: { type: GraphQLInt, defaultValue: DEFAULT_TREE_LIMIT },
      offset: { type: GraphQLInt, defaultValue: 0 },
    };
  }

  private pageBaseFields(): GraphQLFieldConfigMap<ContentRow, ContentContext> {
    const tree = (
      load: (source: ContentSource, row: ContentRow, args: TreeArguments) => Promise<ContentRow[]>,
      description: string,
    ): GraphQLFieldConfig<ContentRow, ContentContext, TreeArguments> => ({
      type: nonNull(listOf(this.pageInterface)),
      description,
      args: this.treeArgs(),
      extensions: { cost: RELATION_COST, defaultLimit: DEFAULT_TREE_LIMIT },
      resolve: (row, args, context) => load(context.finch, row, args),
    });
    return {
      id: { type: nonNull(GraphQLID) },
      title: { type: nonNull(GraphQLString) },
      slug: { type: nonNull(GraphQLString), resolve: (row) => row.slug ?? '' },
      urlPath: {
        type: nonNull(GraphQLString),
        description:
          'The path on its site, as a frontend routes it (`/blog/hello/`): what `page(urlPath:)` takes.',
        resolve: (row, _args, context) => context.finch.urlPath(row),
      },
      url: {
        type: GraphQLString,
        description:
          'A link to the page: its path when it belongs to the site the request reads, `//host/path` when it belongs to another site, null when no site serves it.',
        resolve: (row, _args, context) => context.finch.url(row),
      },
      depth: {
        type: nonNull(GraphQLInt),
        description: 'The root page is at depth 1.',
        resolve: (row) => (row.path ?? '').length / 4,
      },
      locale: { type: nonNull(GraphQLString) },
      firstPublishedAt: { type: DateTimeScalar, resolve: (row) => row.first_published_at },
      lastPublishedAt: { type: DateTimeScalar, resolve: (row) => row.last_published_at },
      contentType: {
        type: nonNull(GraphQLString),
        description: 'The key of the page’s content type.',
        resolve: (row) => row.type,
      },
      feeds: {
        type: nonNull(listOf(this.feedLink)),
        description:
          'The feeds this page owns (RSS, Atom, JSON Feed), for the `<head>` of its HTML; empty for most pages.',
        resolve: (row, _args, context) => context.finch.feeds(row),
      },
      parent: {
        type: this.pageInterface,
        extensions: { cost: RELATION_COST },
        resolve: (row, _args, context) => context.finch.parent(row),
      },
      children: tree((source, row, args) => source.children(row, args), 'In tree order.'),
      ancestors: {
        type: nonNull(listOf(this.pageInterface)),
        description: 'From the root down to the parent.',
        extensions: { cost: RELATION_COST, defaultLimit: 10 },
        resolve: (row, _args, context) => context.finch.ancestors(row),
      },
      descendants: tree(
        (source, row, args) => source.descendants(row, args),
        'Every page below, in tree order.',
      ),
      siblings: tree(
        (source, row, args) => source.siblings(row, args),
        'The other children of the parent, in tree order.',
      ),
    };
  }

  private snippetBaseFields(): GraphQLFieldConfigMap<ContentRow, ContentContext> {
    return {
      id: { type: nonNull(GraphQLID) },
      title: { type: nonNull(GraphQLString) },
      contentType: {
        type: nonNull(GraphQLString),
        description: 'The key of the snippet’s content type.',
        resolve: (row) => row.type,
      },
      locale: { type: nonNull(GraphQLString) },
      firstPublishedAt: { type: DateTimeScalar, resolve: (row) => row.first_published_at },
      lastPublishedAt: { type: DateTimeScalar, resolve: (row) => row.last_published_at },
    };
  }

  private sharedFilters(): Record<string, GraphQLInputObjectType> {
    const make = (
      name: string,
      description: string,
      fields: Record<string, GraphQLInputType>,
    ): GraphQLInputObjectType =>
      this.add(
        new GraphQLInputObjectType({
          name,
          description,
          fields: Object.fromEntries(Object.entries(fields).map(([key, type]) => [key, { type }])),
        }),
      );
    const many = (type: GraphQLInputType) => new GraphQLList(new GraphQLNonNull(type));
    /** `{ eq, in }`: equal to one value, or to any of several. */
    const oneOf = (name: string, description: string, type: GraphQLInputType) =>
      make(name, description, { eq: type, in: many(type) });
    return {
      String: make('StringFilter', 'Equal to, one of, or containing (case-insensitive).', {
        eq: GraphQLString,
        in: many(GraphQLString),
        contains: GraphQLString,
      }),
      Choice: oneOf('ChoiceFilter', 'The choice is this one, or one of these.', GraphQLString),
      Choices: make('ChoicesFilter', 'Of several choices: has this one, or any of these.', {
        has: GraphQLString,
        hasAny: many(GraphQLString),
      }),
      Int: oneOf('IntFilter', 'Equal to, or one of.', GraphQLInt),
      Float: oneOf('FloatFilter', 'Equal to, or one of.', GraphQLFloat),
      Boolean: make('BooleanFilter', 'Equal to.', { eq: GraphQLBoolean }),
      Date: oneOf('DateFilter', 'On this date, or one of these.', DateScalar),
      DateTime: oneOf('DateTimeFilter', 'At this time, or one of these.', DateTimeScalar),
      ID: oneOf('IDFilter', 'Links to this object, or one of these.', GraphQLID),
      IDs: make('IDsFilter', 'Of several links: has this one, or any of these.', {
        has: GraphQLID,
        hasAny: many(GraphQLID),
      }),
    };
  }

  private filterFor(field: FieldDefinition): GraphQLInputObjectType | undefined {
    switch (field.type) {
      case 'text':
      case 'long_text':
      case 'slug':
      case 'url':
      case 'email':
        return this.filters.String;
      case 'choice':
        return field.multiple ? this.filters.Choices : this.filters.Choice;
      case 'number':
        return isIntField(field) ? this.filters.Int : this.filters.Float;
      case 'boolean':
        return this.filters.Boolean;
      case 'date':
        return this.filters.Date;
      case 'datetime':
        return this.filters.DateTime;
      case 'snippet_link':
        return field.multiple ? this.filters.IDs : this.filters.ID;
      case 'page_link':
      case 'image':
      case 'document':
        return this.filters.ID;
      default:
        return undefined;
    }
  }

  // ---- content types ------------------------------------------------------------------

  private contentType(definition: ContentTypeDefinition): void {
    const name = typeNameOf(definition.key);
    const page = definition.kind === 'page';
    const type = this.add(
      new GraphQLObjectType<ContentRow, ContentContext>({
        name,
        description:
          definition.description ??
          `${page ? 'Page' : 'Snippet'} type "${definition.key}" (${definition.label}).`,
        interfaces: [page ? this.pageInterface : this.snippetInterface],
        fields: () => ({
          ...(page ? this.pageBaseFields() : this.snippetBaseFields()),
          ...Object.fromEntries(
            definition.fields.map((field) => [
              fieldNameOf(field.key),
              this.contentField(field, `${name}${typeNameOf(field.key)}`),
            ]),
          ),
        }),
      }),
    );
    (page ? this.pageTypes : this.snippetTypes).set(definition.key, type);

    const list = this.add(
      new GraphQLObjectType<ListResult>({
        name: `${name}List`,
        fields: {
          items: { type: nonNull(listOf(type)) },
          totalCount: { type: nonNull(GraphQLInt), description: 'How many match, in all.' },
        },
      }),
    );
    const filterable = definition.fields.filter(
      (field) => field.filterable && this.filterFor(field),
    );
    const filter =
      filterable.length > 0
        ? this.add(
            new GraphQLInputObjectType({
              name: `${name}Filter`,
              description: 'Every condition given must hold.',
              fields: Object.fromEntries(
                filterable.map((field) => [
                  fieldNameOf(field.key),
                  { type: this.filterFor(field) as GraphQLInputObjectType },
                ]),
              ),
            }),
          )
        : undefined;
    const order = this.add(this.orderEnum(`${name}Order`, definition.kind, definition.fields));
    const queries = queryNamesOf(definition.key);
    const listArgs = this.listingArgs(definition.kind, order, filter, false);
    this.queryFields[queries.list] = {
      type: nonNull(list),
      description: `${definition.pluralLabel ?? pluralOf(definition.label)}: published, or drafts with a preview token.`,
      args: listArgs,
      extensions: { defaultLimit: this.options.defaultLimit },
      resolve: (_root, args: ListingArguments, context, info) =>
        context.finch.list(definition.kind, {
          ...args,
          type: definition.key,
          withTotal: selectsField(info, 'totalCount'),
        }),
    };
    this.queryFields[queries.single] = page
      ? {
          type,
          description: `One ${definition.label}, by id, by path on the site, or by slug (and parent).`,
          args: this.pageLookupArgs(),
          resolve: (_root, args: PageLookupArguments, context) =>
            context.finch.findPage({ ...args, type: definition.key }),
        }
      : {
          type,
          description: `One ${definition.label}, by id.`,
          args: { id: { type: nonNull(GraphQLID) } },
          resolve: (_root, args: { id: string }, context) =>
            context.finch.findSnippet(definition.key, args.id),
        };
  }

  private orderEnum(
    name: string,
    kind: ContentKind,
    fields: readonly FieldDefinition[],
  ): GraphQLEnumType {
    const values: string[] = baseOrderValues(kind);
    for (const field of fields) {
      if (field.sortable) values.push(...fieldOrderValuesOf(field.key));
    }
    return new GraphQLEnumType({
      name,
      description:
        'Ascending, or descending with `_DESC`. The default is tree order (PATH) for pages, TITLE for snippets, and SEARCH_SCORE when searching.',
      values: Object.fromEntries(values.map((value) => [value, { value }])),
    });
  }

  private listingArgs(
    kind: ContentKind,
    order: GraphQLEnumType,
    filter: GraphQLInputObjectType | undefined,
    withType: boolean,
  ): GraphQLFieldConfigArgumentMap {
    return {
      ...(withType
        ? { type: { type: GraphQLString, description: 'Only this content type (its key).' } }
        : {}),
      ...(kind === 'page'
        ? {
            childOf: { type: GraphQLID, description: 'Only children of this page.' },
            descendantOf: { type: GraphQLID, description: 'Only pages below this page.' },
          }
        : {}),
      search: { type: GraphQLString, description: 'Full-text search (web search syntax).' },
      order: { type: order },
      limit: { type: GraphQLInt, defaultValue: this.options.defaultLimit },
      offset: { type: GraphQLInt, defaultValue: 0 },
      locale: { type: GraphQLString, description: 'Only this locale, e.g. `en`.' },
      ...(filter ? { filter: { type: filter } } : {}),
    };
  }

  private pageLookupArgs(): GraphQLFieldConfigArgumentMap {
    return {
      id: { type: GraphQLID },
      urlPath: {
        type: GraphQLString,
        description: 'The path on the site, as a frontend routes it: `/blog/hello/`.',
      },
      slug: { type: GraphQLString, description: 'With `parent`, or unique on the site.' },
      parent: { type: GraphQLID, description: 'The parent page of `slug`.' },
    };
  }

  private rootQueries(): void {
    const pageOrder = this.add(this.orderEnum('PageOrder', 'page', []));
    const pageFilter = this.add(
      new GraphQLInputObjectType({
        name: 'PageFilter',
        description: 'Every condition given must hold.',
        fields: { slug: { type: this.filters.String }, title: { type: this.filters.String } },
      }),
    );
    const pageList = this.add(
      new GraphQLObjectType<ListResult>({
        name: 'PageList',
        fields: {
          items: { type: nonNull(listOf(this.pageInterface)) },
          totalCount: { type: nonNull(GraphQLInt), description: 'How many match, in all.' },
        },
      }),
    );
    const members = [
      ...this.pageTypes.values(),
      this.genericPage,
      ...this.snippetTypes.values(),
      this.genericSnippet,
    ];
    const searchResult = this.add(
      new GraphQLUnionType({
        name: 'SearchResult',
        description: 'A page or a snippet.',
        types: members,
        resolveType: (row: ContentRow) =>
          row.kind === 'snippet'
            ? (this.snippetTypes.get(row.type)?.name ?? 'GenericSnippet')
            : (this.pageTypes.get(row.type)?.name ?? 'GenericPage'),
      }),
    );
    const searchResults = this.add(
      new GraphQLObjectType<ListResult>({
        name: 'SearchResults',
        fields: {
          items: { type: nonNull(listOf(searchResult)) },
          totalCount: { type: nonNull(GraphQLInt) },
        },
      }),
    );
    this.queryFields.page = {
      type: this.pageInterface,
      description: 'One page, by id, by path on the site, or by slug (and parent).',
      args: this.pageLookupArgs(),
      resolve: (_root, args: PageLookupArguments, context) => context.finch.findPage(args),
    };
    this.queryFields.pages = {
      type: nonNull(pageList),
      description: 'Pages of the site, of any type (or of `type`).',
      args: this.listingArgs('page', pageOrder, pageFilter, true),
      extensions: { defaultLimit: this.options.defaultLimit },
      resolve: (_root, args: ListingArguments, context, info) =>
        context.finch.list('page', { ...args, withTotal: selectsField(info, 'totalCount') }),
    };
    this.queryFields.search = {
      type: nonNull(searchResults),
      description: 'Pages and snippets matching `query`, best first.',
      args: {
        query: { type: nonNull(GraphQLString) },
        types: {
          type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
          description: 'Only these content types (keys).',
        },
        limit: { type: GraphQLInt, defaultValue: this.options.defaultLimit },
        offset: { type: GraphQLInt, defaultValue: 0 },
      },
      extensions: { defaultLimit: this.options.defaultLimit },
      resolve: (
        _root,
        args: { query: string; types?: string[]; limit: number; offset: number },
        context,
      ) => context.finch.search(args),
    };
  }

  // ---- fields and blocks --------------------------------------------------------------

  /** A content field of a page or snippet: the value stored under its key. */
  private contentField(
    field: FieldDefinition,
    prefix: string,
  ): GraphQLFieldConfig<ContentRow, ContentContext> {
    const { type, resolve, extensions } = this.valueField(field, prefix);
    return {
      type,
      description: field.helpText ?? field.label,
      extensions,
      resolve: (row, args, context, info) =>
        resolve?.(row.content?.[field.key], args, context, info),
    };
  }

  /** The GraphQL type of a field or block's value, and how a stored value becomes it. */
  private valueField(
    field: FieldDefinition | BlockDefinition,
    prefix: string,
  ): GraphQLFieldConfig<unknown, ContentContext> {
    const plain = (type: GraphQLOutputType, check: (value: unknown) => boolean) => ({
      type,
      resolve: ((value: unknown) => (check(value) ? value : null)) as Resolver,
    });
    const isString = (value: unknown) => typeof value === 'string';
    switch (field.type) {
      case 'text':
      case 'long_text':
      case 'slug':
      case 'url':
      case 'email':
        return plain(GraphQLString, isString);
      case 'date':
        return plain(DateScalar, isString);
      case 'datetime':
        return plain(DateTimeScalar, isString);
      case 'boolean':
        return plain(GraphQLBoolean, (value) => typeof value === 'boolean');
      case 'number':
        return isIntField(field)
          ? plain(
              GraphQLInt,
              (value) => Number.isInteger(value) && Math.abs(value as number) < INT32,
            )
          : plain(GraphQLFloat, (value) => typeof value === 'number' && Number.isFinite(value));
      case 'choice':
        return field.multiple
          ? {
              type: nonNull(listOf(GraphQLString)),
              resolve: (value) => (Array.isArray(value) ? value.filter(isString) : []),
            }
          : plain(GraphQLString, isString);
      case 'rich_text':
        return {
          type: this.richText,
          resolve: (value) => (isObject(value) ? { json: value } : null),
        };
      case 'image':
      case 'document':
        return {
          type: field.type === 'image' ? this.image : this.document,
          resolve: (value) => {
            const id = idOf(value);
            return id ? { id } : null;
          },
        };
      case 'page_link': {
        const only =
          field.pageTypes?.length === 1 ? this.pageTypes.get(field.pageTypes[0]) : undefined;
        return {
          type: only ?? this.pageInterface,
          extensions: { cost: RELATION_COST },
          resolve: (value, _args, context) => {
            const id = idOf(value);
            return id ? context.finch.page(id) : null;
          },
        };
      }
      case 'snippet_link': {
        const target = this.snippetTypes.get(field.snippetType) ?? this.snippetInterface;
        if (field.multiple) {
          return {
            type: nonNull(listOf(target)),
            extensions: { cost: RELATION_COST, defaultLimit: field.maxItems ?? 10 },
            resolve: async (value, _args, context) => {
              const ids = (Array.isArray(value) ? value : [])
                .map(idOf)
                .filter((id): id is string => id !== undefined);
              const rows = await Promise.all(ids.map((id) => context.finch.snippet(id)));
              return rows.filter((row): row is ContentRow => row !== null);
            },
          };
        }
        return {
          type: target,
          extensions: { cost: RELATION_COST },
          resolve: (value, _args, context) => {
            const id = idOf(value);
            return id ? context.finch.snippet(id) : null;
          },
        };
      }
      case 'stream':
        return {
          type: nonNull(listOf(this.streamUnion(field, prefix))),
          extensions: { defaultLimit: field.maxItems ?? 20 },
          resolve: (value) => {
            if (!Array.isArray(value)) return [];
            const known = new Set(field.blocks.map((block) => block.key));
            return value.flatMap((block: unknown): BlockValue[] =>
              isObject(block) && typeof block.type === 'string' && known.has(block.type)
                ? [
                    {
                      id: typeof block.id === 'string' ? block.id : '',
                      blockType: block.type,
                      raw: block.value,
                    },
                  ]
                : [],
            );
          },
        };
      case 'struct': {
        const type = this.add(
          new GraphQLObjectType<Record<string, unknown>, ContentContext>({
            name: `${prefix}Value`,
            fields: () =>
              Object.fromEntries(
                field.fields.map((child) => {
                  const config = this.valueField(child, `${prefix}${typeNameOf(child.key)}`);
                  return [
                    fieldNameOf(child.key),
                    {
                      ...config,
                      description: child.helpText ?? child.label,
                      resolve: (value: Record<string, unknown>, args, context, info) =>
                        config.resolve?.(value[child.key], args, context, info),
                    } satisfies GraphQLFieldConfig<Record<string, unknown>, ContentContext>,
                  ];
                }),
              ),
          }),
        );
        return { type, resolve: (value) => (isObject(value) ? value : null) };
      }
      case 'list': {
        const item = this.valueField(field.item, `${prefix}${typeNameOf(field.item.key)}`);
        return {
          type: nonNull(new GraphQLList(item.type)),
          extensions: { ...item.extensions, defaultLimit: field.maxItems ?? 20 },
          resolve: (value, args, context, info) =>
            Array.isArray(value)
              ? value.map((entry: unknown) => item.resolve?.(entry, args, context, info))
              : [],
        };
      }
    }
  }

  /** The union of a stream's block types: `BlogPostBodyBlock`. */
  private streamUnion(
    field: Extract<FieldDefinition | BlockDefinition, { type: 'stream' }>,
    prefix: string,
  ): GraphQLUnionType {
    const blockTypes = new Map<string, GraphQLObjectType>();
    for (const block of field.blocks) {
      const blockPrefix = `${prefix}${typeNameOf(block.key)}`;
      const value = this.valueField(block, blockPrefix);
      blockTypes.set(
        block.key,
        this.add(
          new GraphQLObjectType<BlockValue, ContentContext>({
            name: `${blockPrefix}Block`,
            description: block.label ?? block.helpText,
            interfaces: [this.streamBlock],
            fields: {
              [BLOCK_BASE_FIELDS[0]]: { type: nonNull(GraphQLID) },
              [BLOCK_BASE_FIELDS[1]]: {
                type: nonNull(GraphQLString),
                description: 'The block’s key in the content type.',
              },
              [BLOCK_BASE_FIELDS[2]]: {
                ...value,
                resolve: (block, args, context, info) =>
                  value.resolve?.(block.raw, args, context, info),
              },
            },
          }),
        ),
      );
    }
    return this.add(
      new GraphQLUnionType({
        name: `${prefix}Block`,
        types: [...blockTypes.values()],
        resolveType: (block: BlockValue) => blockTypes.get(block.blockType)?.name,
      }),
    );
  }
}

/** What building the schema left out: types whose names clash (stored before the rule). */
export interface ContentSchemaResult {
  schema: GraphQLSchema;
  skipped: GraphqlNameError[];
}

/**
 * The content schema for `definitions`. Types whose GraphQL names clash (saving them is
 * refused, but older databases may hold some) are left out and reported, so the rest is
 * still served.
 */
export function buildContentSchema(
  definitions: readonly ContentTypeDefinition[],
  options: ContentSchemaOptions,
): ContentSchemaResult {
  const skipped = graphqlNameErrors(definitions);
  const bad = new Set(skipped.map((error) => error.typeKey));
  const usable = definitions.filter((definition) => !bad.has(definition.key));
  const sorted = [...usable].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { schema: new SchemaBuilder(sorted, options).build(), skipped };
}
