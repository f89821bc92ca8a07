import type {
  BlockDefinition,
  ContentTypeDefinition,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';

/**
 * How content type keys become GraphQL names. The mapping is fixed, so a frontend can tell
 * from a schema file what its queries look like (docs/graphql.md has the table):
 *
 * - type `blog_post` → object type `BlogPost`, queries `blogPost(...)` and `blogPosts(...)`,
 *   `BlogPostList`, `BlogPostFilter`, `BlogPostOrder`;
 * - field `hero_image` → `heroImage`;
 * - stream field `body` of `blog_post` → union `BlogPostBodyBlock` of `BlogPostBody<Block>Block`
 *   types; a struct block's value is `BlogPostBody<Block>Value`, deeper blocks continue the
 *   prefix (`BlogPostBodyGalleryItemValue`).
 *
 * Two keys may map to one name (`blog_2` and `blog2`, or a type whose name Finch's own schema
 * uses, such as `page`): `graphqlNameErrors` finds those, and saving such a type is refused.
 */

/** `blog_post` → `BlogPost`. */
export function typeNameOf(key: string): string {
  return key
    .split('_')
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** `hero_image` → `heroImage`. */
export function fieldNameOf(key: string): string {
  const name = typeNameOf(key);
  return name[0].toLowerCase() + name.slice(1);
}

/** English plural of a camel-case name: `blogPost` → `blogPosts`, `category` → `categories`. */
export function pluralOf(name: string): string {
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  return `${name}s`;
}

/** The query fields of a content type: `blogPost` and `blogPosts`. */
export function queryNamesOf(key: string): { single: string; list: string } {
  const single = fieldNameOf(key);
  return { single, list: pluralOf(single) };
}

/** Names of Finch's own types and scalars: no content type may take them. */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  'Query',
  'Mutation',
  'Subscription',
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'JSON',
  'Date',
  'DateTime',
  'Page',
  'Snippet',
  'GenericPage',
  'GenericSnippet',
  'PageList',
  'SnippetList',
  'PageFilter',
  'PageOrder',
  'SnippetOrder',
  'SearchResult',
  'SearchResults',
  'RichText',
  'Image',
  'Document',
  'Site',
  'Viewer',
  'StreamBlock',
  'StringFilter',
  'ChoiceFilter',
  'ChoicesFilter',
  'IntFilter',
  'FloatFilter',
  'BooleanFilter',
  'DateFilter',
  'DateTimeFilter',
  'IDFilter',
  'IDsFilter',
]);

/** Query fields of Finch's own: `me`, `site`, `page`, `pages`, `search`. */
export const RESERVED_QUERY_FIELDS: ReadonlySet<string> = new Set([
  'me',
  'site',
  'page',
  'pages',
  'search',
]);

/** Fields every page type has (the `Page` interface). */
export const PAGE_BASE_FIELDS: readonly string[] = [
  'id',
  'title',
  'slug',
  'urlPath',
  'url',
  'depth',
  'locale',
  'firstPublishedAt',
  'lastPublishedAt',
  'contentType',
  'feeds',
  'parent',
  'children',
  'ancestors',
  'descendants',
  'siblings',
];

/** Fields every snippet type has (the `Snippet` interface). */
export const SNIPPET_BASE_FIELDS: readonly string[] = [
  'id',
  'title',
  'contentType',
  'locale',
  'firstPublishedAt',
  'lastPublishedAt',
];

/** Fields of every stream block type. */
export const BLOCK_BASE_FIELDS: readonly string[] = ['id', 'blockType', 'value'];

/** Order values every listing has; sortable fields add `<KEY>` and `<KEY>_DESC`. */
export function baseOrderValues(kind: 'page' | 'snippet'): string[] {
  const values = [
    'TITLE',
    'TITLE_DESC',
    'FIRST_PUBLISHED_AT',
    'FIRST_PUBLISHED_AT_DESC',
    'LAST_PUBLISHED_AT',
    'LAST_PUBLISHED_AT_DESC',
    'ID',
    'ID_DESC',
    'RANDOM',
    'SEARCH_SCORE',
  ];
  return kind === 'page' ? ['PATH', ...values] : values;
}

/** The order enum values of a sortable field: `date` → `DATE`, `DATE_DESC`. */
export function fieldOrderValuesOf(key: string): [string, string] {
  const name = key.toUpperCase();
  return [name, `${name}_DESC`];
}

/** A name clash found in a set of content types, reported against the type being saved. */
export interface GraphqlNameError {
  /** The content type whose definition must change. */
  typeKey: string;
  /** Where in that definition: `fields[2].key`, or `key`. */
  path: string;
  message: string;
}

interface Claim {
  typeKey: string;
  path: string;
  what: string;
}

/**
 * Every GraphQL name the content types generate, with who generates it: the type names,
 * the query fields and, per object, its field names. Clashes become errors.
 */
class NamePlan {
  readonly errors: GraphqlNameError[] = [];
  private readonly types = new Map<string, Claim>();
  private readonly queries = new Map<string, Claim>();

  claimType(name: string, claim: Claim): void {
    this.claimName('type', this.types, RESERVED_TYPE_NAMES, name, claim);
  }

  claimQuery(name: string, claim: Claim): void {
    this.claimName('query', this.queries, RESERVED_QUERY_FIELDS, name, claim);
  }

  private claimName(
    what: 'type' | 'query',
    taken: Map<string, Claim>,
    reserved: ReadonlySet<string>,
    name: string,
    claim: Claim,
  ): void {
    if (reserved.has(name)) {
      this.fail(claim, `would be the GraphQL ${what} ${name}, which Finch's own schema uses`);
      return;
    }
    const owner = taken.get(name);
    if (owner) {
      this.fail(claim, `would be the GraphQL ${what} ${name}, which ${owner.what} already is`);
      return;
    }
    taken.set(name, claim);
  }

  /** Field names within one object: base fields first, then content fields. */
  claimFields(
    typeName: string,
    base: readonly string[],
    fields: ReadonlyArray<{ key: string }>,
    claim: (index: number) => Claim,
  ): void {
    const taken = new Map<string, string>(
      base.map((name) => [name, `a field every ${typeName} has`]),
    );
    fields.forEach((field, index) => {
      const name = fieldNameOf(field.key);
      const owner = taken.get(name);
      if (owner) {
        this.fail(
          claim(index),
          `would be the GraphQL field ${typeName}.${name}, which is ${owner}; choose another key`,
        );
        return;
      }
      taken.set(name, `the field "${field.key}"`);
    });
  }

  fail(claim: Claim, message: string): void {
    this.errors.push({
      typeKey: claim.typeKey,
      path: claim.path,
      message: `"${claim.what}" ${message}`,
    });
  }
}

function planBlocks(
  plan: NamePlan,
  typeKey: string,
  prefix: string,
  field: FieldDefinition | BlockDefinition,
  path: string,
  what: string,
): void {
  const claim = (suffix: string): Claim => ({ typeKey, path, what: `${what} (${suffix})` });
  switch (field.type) {
    case 'stream':
      plan.claimType(`${prefix}Block`, claim('its block union'));
      field.blocks.forEach((block, index) => {
        const blockPrefix = `${prefix}${typeNameOf(block.key)}`;
        plan.claimType(`${blockPrefix}Block`, {
          typeKey,
          path: `${path}.blocks[${index}].key`,
          what: `${what}.${block.key}`,
        });
        planBlocks(
          plan,
          typeKey,
          blockPrefix,
          block,
          `${path}.blocks[${index}]`,
          `${what}.${block.key}`,
        );
      });
      return;
    case 'struct':
      plan.claimType(`${prefix}Value`, claim('its value'));
      plan.claimFields(`${prefix}Value`, [], field.fields, (index) => ({
        typeKey,
        path: `${path}.fields[${index}].key`,
        what: `${what}.${field.fields[index].key}`,
      }));
      field.fields.forEach((child, index) =>
        planBlocks(
          plan,
          typeKey,
          `${prefix}${typeNameOf(child.key)}`,
          child,
          `${path}.fields[${index}]`,
          `${what}.${child.key}`,
        ),
      );
      return;
    case 'list':
      planBlocks(
        plan,
        typeKey,
        `${prefix}${typeNameOf(field.item.key)}`,
        field.item,
        `${path}.item`,
        `${what}.${field.item.key}`,
      );
      return;
    default:
      return;
  }
}

function planType(plan: NamePlan, definition: ContentTypeDefinition): void {
  const typeKey = definition.key;
  const typeName = typeNameOf(typeKey);
  const at = (what: string): Claim => ({ typeKey, path: 'key', what: `${typeKey} (${what})` });
  plan.claimType(typeName, at('its object type'));
  plan.claimType(`${typeName}List`, at('its list type'));
  plan.claimType(`${typeName}Filter`, at('its filter input'));
  plan.claimType(`${typeName}Order`, at('its order enum'));
  const { single, list } = queryNamesOf(typeKey);
  plan.claimQuery(single, at('its single query'));
  plan.claimQuery(list, at('its list query'));
  if (single === list) plan.fail(at('its queries'), `has the same singular and plural (${single})`);

  const base = definition.kind === 'page' ? PAGE_BASE_FIELDS : SNIPPET_BASE_FIELDS;
  plan.claimFields(typeName, base, definition.fields, (index) => ({
    typeKey,
    path: `fields[${index}].key`,
    what: definition.fields[index].key,
  }));
  const orders = new Set(baseOrderValues(definition.kind));
  definition.fields.forEach((field, index) => {
    planBlocks(
      plan,
      typeKey,
      `${typeName}${typeNameOf(field.key)}`,
      field,
      `fields[${index}]`,
      field.key,
    );
    if (!field.sortable) return;
    for (const value of fieldOrderValuesOf(field.key)) {
      if (orders.has(value)) {
        plan.fail(
          { typeKey, path: `fields[${index}].key`, what: field.key },
          `would be the order ${typeName}Order.${value}, which every listing has`,
        );
      }
      orders.add(value);
    }
  });
}

/**
 * The clashes in the GraphQL names generated for `definitions` (every content type, as it
 * would be stored). Errors name the later type of a clashing pair, in the order given.
 */
export function graphqlNameErrors(
  definitions: readonly ContentTypeDefinition[],
): GraphqlNameError[] {
  const plan = new NamePlan();
  for (const definition of definitions) planType(plan, definition);
  return plan.errors;
}
