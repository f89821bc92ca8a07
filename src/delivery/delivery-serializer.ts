import type {
  BlockDefinition,
  ContentKind,
  ContentTypeDefinition,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';
import { renderRichText } from '#src/content-types/rich-text.js';
import { type FieldsSelection, selectedNames } from '#src/delivery/delivery-fields.js';
import type { ContentTypeLookup, DeliveryContentType } from '#src/delivery/delivery-params.js';
import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';

/** One matched row, as the delivery SQL selects it (see delivery-sql.ts). */
export interface ItemRow {
  id: string;
  type: string;
  title: string;
  locale: string;
  first_published_at: string | null;
  last_published_at: string | null;
  search_score?: number;
  content?: Record<string, unknown>;
  slug?: string;
  url_path?: string;
  /** The materialized path: 4 characters a level. */
  path?: string;
  parent_id?: string | null;
  parent_type?: string | null;
  parent_title?: string | null;
  parent_url_path?: string | null;
}

export interface LinkedRow {
  id: string;
  type: string;
  title: string;
  url_path?: string;
  content?: Record<string, unknown>;
}

export interface DeliveryResultRow {
  items: ItemRow[] | null;
  /** Listings: how many rows match (bigint, so a string from pg). */
  total_count?: string | number;
  linked?: { snippets: LinkedRow[] | null; pages: LinkedRow[] | null } | null;
}

export type JsonObject = Record<string, unknown>;

const BASE_FIELDS = ['id', 'meta', 'title'] as const;
/** Pages may also name `parent` (always in `meta`) to choose its fields: `parent(title)`. */
const PAGE_ONLY_FIELDS = ['parent'];

export interface SerializerContext {
  kind: ContentKind;
  /** `PUBLIC_URL`, for `detail_url`. */
  publicUrl: string;
  /** The path a page has on its site (`/blog/hello/`), or null when no site serves it. */
  htmlPath: (urlPath: string) => string | null;
  lookup: ContentTypeLookup;
  selection: FieldsSelection;
  /** Detail responses show every field by default; listings show id, meta and title. */
  detail: boolean;
  /** A page's `meta.feeds`: the feeds it owns (see src/feeds); none when absent. */
  feeds?: (page: ItemRow) => unknown[];
}

function contentKeys(definition: ContentTypeDefinition | undefined): string[] {
  return definition ? definition.fields.map((field) => field.key) : [];
}

function fieldOf(definition: ContentTypeDefinition | undefined, key: string) {
  return definition?.fields.find((field) => field.key === key);
}

/** The fields a link field's target offers for a nested selection. */
function targetTypeOf(
  field: FieldDefinition,
  lookup: ContentTypeLookup,
): DeliveryContentType | undefined {
  if (field.type === 'snippet_link') return lookup(field.snippetType);
  if (field.type === 'page_link' && field.pageTypes?.length === 1)
    return lookup(field.pageTypes[0]);
  return undefined;
}

function checkNames(
  names: Iterable<string>,
  allowed: ReadonlySet<string>,
  where: string,
  hint: string,
): void {
  for (const name of names) {
    if (!allowed.has(name)) {
      throw new DeliveryParameterError('fields', `"${name}" is not a field ${where}${hint}`);
    }
  }
}

/**
 * Checks every name of a `fields` selection against the content type (and the linked types
 * of nested selections); says whether content, and the content of linked objects, must be
 * selected. Names that are not fields are refused: they never reach SQL.
 */
export function planFields(
  kind: ContentKind,
  selection: FieldsSelection,
  contentType: DeliveryContentType | undefined,
  lookup: ContentTypeLookup,
  detail: boolean,
): { withContent: boolean; withLinkedContent: boolean } {
  const definition = contentType?.definition;
  const allowed = new Set<string>([
    ...BASE_FIELDS,
    ...(kind === 'page' ? PAGE_ONLY_FIELDS : []),
    ...contentKeys(definition),
  ]);
  const where = contentType ? `of ${contentType.key}` : 'every page has';
  const hint = contentType ? '' : ' (give type= to choose content fields)';
  checkNames(selection.include.keys(), allowed, where, hint);
  checkNames(selection.exclude, allowed, where, hint);
  let withLinkedContent = false;
  for (const [name, nested] of selection.include) {
    if (!nested) continue;
    if (name === 'parent') {
      checkNames(
        [...nested.include.keys(), ...nested.exclude],
        new Set(BASE_FIELDS),
        'of a parent',
        '',
      );
      continue;
    }
    const field = fieldOf(definition, name);
    if (!field || !['snippet_link', 'page_link'].includes(field.type)) {
      throw new DeliveryParameterError(
        'fields',
        `"${name}" links to nothing whose fields could be chosen`,
      );
    }
    const target = targetTypeOf(field, lookup);
    const targetAllowed = new Set<string>([...BASE_FIELDS, ...contentKeys(target?.definition)]);
    checkNames(
      [...nested.include.keys(), ...nested.exclude],
      targetAllowed,
      `of what ${name} links to`,
      '',
    );
    for (const [nestedName, deeper] of nested.include) {
      if (deeper) {
        throw new DeliveryParameterError(
          'fields',
          `"${name}(${nestedName}(…))": one level of nesting is served`,
        );
      }
    }
    if (
      nested.all ||
      [...nested.include.keys()].some((key) => !BASE_FIELDS.includes(key as 'id'))
    ) {
      withLinkedContent = true;
    }
  }
  const keys = contentKeys(definition);
  const withContent = contentType
    ? selectedNames(selection, detail ? keys : [], keys).length > 0
    : selection.all || detail;
  return { withContent, withLinkedContent };
}

interface Links {
  snippets: Map<string, LinkedRow>;
  pages: Map<string, LinkedRow>;
}

/** Turns the rows of one delivery query into the items of the response. */
export class DeliverySerializer {
  private readonly links: Links;

  constructor(
    private readonly context: SerializerContext,
    linked: DeliveryResultRow['linked'],
  ) {
    this.links = {
      snippets: new Map((linked?.snippets ?? []).map((row) => [row.id, row])),
      pages: new Map((linked?.pages ?? []).map((row) => [row.id, row])),
    };
  }

  item(row: ItemRow): JsonObject {
    const { context } = this;
    const contentType = context.lookup(row.type);
    const definition = contentType?.definition;
    const keys = contentKeys(definition);
    const names = new Set(
      selectedNames(context.selection, context.detail ? [...BASE_FIELDS, ...keys] : BASE_FIELDS, [
        ...BASE_FIELDS,
        ...keys,
      ]),
    );
    const item: JsonObject = {};
    if (names.has('id')) item.id = row.id;
    if (names.has('meta')) item.meta = this.meta(row);
    if (names.has('title')) item.title = row.title;
    for (const field of definition?.fields ?? []) {
      if (!names.has(field.key)) continue;
      item[field.key] = this.value(
        field,
        row.content?.[field.key],
        0,
        context.selection.include.get(field.key),
      );
    }
    return item;
  }

  private meta(row: ItemRow): JsonObject {
    const { context } = this;
    if (context.kind === 'snippet') {
      return {
        type: row.type,
        detail_url: `${context.publicUrl}/api/v2/snippets/${row.type}/${row.id}/`,
        locale: row.locale,
        first_published_at: row.first_published_at,
        last_published_at: row.last_published_at,
        ...(row.search_score !== undefined ? { search_score: row.search_score } : {}),
      };
    }
    const parentSelection = context.selection.include.get('parent');
    const parent =
      row.parent_id && row.parent_type && row.parent_url_path
        ? this.pageLink(
            {
              id: row.parent_id,
              type: row.parent_type,
              title: row.parent_title ?? '',
              url_path: row.parent_url_path,
            },
            parentSelection,
            1,
          )
        : null;
    return {
      type: row.type,
      detail_url: `${context.publicUrl}/api/v2/pages/${row.id}/`,
      html_url: row.url_path === undefined ? null : context.htmlPath(row.url_path),
      slug: row.slug,
      locale: row.locale,
      first_published_at: row.first_published_at,
      last_published_at: row.last_published_at,
      parent,
      feeds: context.feeds?.(row) ?? [],
      ...(row.search_score !== undefined ? { search_score: row.search_score } : {}),
    };
  }

  private pageUrl = (id: string): string | undefined => {
    const page = this.links.pages.get(id);
    return page?.url_path ? (this.context.htmlPath(page.url_path) ?? undefined) : undefined;
  };

  private linkedFields(
    target: LinkedRow,
    selection: FieldsSelection | undefined,
    depth: number,
  ): JsonObject {
    const definition = this.context.lookup(target.type)?.definition;
    if (!selection) return {};
    const keys = contentKeys(definition);
    const names = new Set(selectedNames(selection, [], keys));
    const fields: JsonObject = {};
    for (const field of definition?.fields ?? []) {
      if (names.has(field.key)) {
        fields[field.key] = this.value(field, target.content?.[field.key], depth, undefined);
      }
    }
    return fields;
  }

  private chosenBase(selection: FieldsSelection | undefined, object: JsonObject): JsonObject {
    if (!selection) return object;
    const names = new Set(selectedNames(selection, BASE_FIELDS, BASE_FIELDS));
    return Object.fromEntries(
      Object.entries(object).filter(
        ([key]) => !BASE_FIELDS.includes(key as 'id') || names.has(key),
      ),
    );
  }

  private pageLink(
    target: LinkedRow,
    selection: FieldsSelection | undefined,
    depth: number,
  ): JsonObject {
    return this.chosenBase(selection, {
      id: target.id,
      meta: {
        type: target.type,
        detail_url: `${this.context.publicUrl}/api/v2/pages/${target.id}/`,
        html_url: target.url_path ? this.context.htmlPath(target.url_path) : null,
      },
      title: target.title,
      ...this.linkedFields(target, selection, depth),
    });
  }

  private snippetLink(
    target: LinkedRow,
    selection: FieldsSelection | undefined,
    depth: number,
  ): JsonObject {
    return this.chosenBase(selection, {
      id: target.id,
      meta: {
        type: target.type,
        detail_url: `${this.context.publicUrl}/api/v2/snippets/${target.type}/${target.id}/`,
      },
      title: target.title,
      ...this.linkedFields(target, selection, depth),
    });
  }

  /** A link as served: the linked object when live (top level), else null; `{ id }` deeper. */
  private link(
    kind: 'page' | 'snippet',
    value: unknown,
    depth: number,
    selection: FieldsSelection | undefined,
  ): JsonObject | null {
    const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
    if (!id) return null;
    if (depth > 0) return { id };
    const target = (kind === 'page' ? this.links.pages : this.links.snippets).get(id);
    if (!target) return null;
    return kind === 'page'
      ? this.pageLink(target, selection, depth + 1)
      : this.snippetLink(target, selection, depth + 1);
  }

  private value(
    field: FieldDefinition | BlockDefinition,
    value: unknown,
    depth: number,
    selection: FieldsSelection | undefined,
  ): unknown {
    if (value === undefined || value === null) return null;
    switch (field.type) {
      case 'rich_text':
        return { json: value, html: renderRichText(value, { resolvePageUrl: this.pageUrl }) };
      case 'snippet_link':
      case 'page_link': {
        const kind = field.type === 'page_link' ? 'page' : 'snippet';
        if (Array.isArray(value)) {
          return value
            .map((entry) => this.link(kind, entry, depth, selection))
            .filter((entry) => entry !== null);
        }
        return this.link(kind, value, depth, selection);
      }
      case 'image':
      case 'document':
        return isObject(value) && typeof value.id === 'string' ? { id: value.id } : null;
      case 'stream':
        if (!Array.isArray(value)) return [];
        return value.flatMap((block: unknown) => {
          if (!isObject(block)) return [];
          const blockDefinition = field.blocks.find((candidate) => candidate.key === block.type);
          if (!blockDefinition) return [];
          return [
            {
              type: block.type,
              id: block.id,
              value: this.value(blockDefinition, block.value, depth, undefined),
            },
          ];
        });
      case 'struct':
        if (!isObject(value)) return null;
        return Object.fromEntries(
          field.fields.map((child) => [
            child.key,
            this.value(child, value[child.key], depth, undefined),
          ]),
        );
      case 'list':
        if (!Array.isArray(value)) return [];
        return value.map((entry: unknown) => this.value(field.item, entry, depth, undefined));
      default:
        return value;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
