/**
 * The shape of a content type definition: the JSON document editors write in a schema
 * file, store through the management API and see in the admin. The published JSON Schema
 * (`docs/content-type.schema.json`) describes the same shape; `content-type-validation.ts`
 * checks a definition against it and against the rules a schema cannot express.
 *
 * Field values of every type are stored as JSON in `content` (see `FieldValue` below).
 */

export type ContentKind = 'page' | 'snippet';

/** Keys of content types, fields and blocks: `blog_post`, `hero_image`. */
export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export interface FieldBase {
  /** Stable key under which the value is stored in `content`. */
  key: string;
  label?: string;
  helpText?: string;
  /** Publishing needs a value; draft saves may leave it empty. */
  required?: boolean;
  /** Filled in when a new page or snippet is made. Must itself be valid for the field. */
  default?: unknown;
  /** Reserved for translations (a later issue): the value differs per locale. */
  localized?: boolean;
  /** The key this field had before: `schema apply` moves stored values across. */
  renamedFrom?: string;
  /** Delivery API: `?<key>=`, `?<key>__contains=`, `?<key>__in=` may filter on it. */
  filterable?: boolean;
  /** Delivery API: `order=<key>` may sort on it. */
  sortable?: boolean;
}

export interface TextField extends FieldBase {
  type: 'text';
  minLength?: number;
  maxLength?: number;
  /** A JavaScript regular expression (no flags) the whole value must match. */
  pattern?: string;
  /** No two pages (or snippets) of this type hold the same value. */
  unique?: boolean;
}

export interface LongTextField extends FieldBase {
  type: 'long_text';
  minLength?: number;
  maxLength?: number;
}

/** What a rich text field may contain: ProseMirror/Tiptap node and mark names. */
export type RichTextFeature =
  | 'paragraph'
  | 'heading'
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strike'
  | 'code'
  | 'link'
  | 'bullet_list'
  | 'ordered_list'
  | 'blockquote'
  | 'code_block'
  | 'horizontal_rule'
  | 'hard_break'
  | 'image';

export interface RichTextField extends FieldBase {
  type: 'rich_text';
  /** Defaults to paragraph, heading, bold, italic, link, lists and hard breaks. */
  features?: RichTextFeature[];
  /** Heading levels allowed when `heading` is a feature; defaults to 2–4. */
  headingLevels?: number[];
  maxLength?: number;
}

export interface NumberField extends FieldBase {
  type: 'number';
  /** `integer` (the default) or `decimal`. */
  numberType?: 'integer' | 'decimal';
  min?: number;
  max?: number;
  unique?: boolean;
}

export interface BooleanField extends FieldBase {
  type: 'boolean';
}

/** Stored as `YYYY-MM-DD`. */
export interface DateField extends FieldBase {
  type: 'date';
}

/** Stored as an ISO 8601 string with a time zone offset, normalised to UTC (`…Z`). */
export interface DateTimeField extends FieldBase {
  type: 'datetime';
}

export interface ChoiceOption {
  value: string;
  label?: string;
}

export interface ChoiceField extends FieldBase {
  type: 'choice';
  choices: ChoiceOption[];
  /** Several values (stored as an array) instead of one. */
  multiple?: boolean;
}

export interface SlugField extends FieldBase {
  type: 'slug';
  unique?: boolean;
}

export interface UrlField extends FieldBase {
  type: 'url';
  unique?: boolean;
}

export interface EmailField extends FieldBase {
  type: 'email';
  unique?: boolean;
}

/** Stored as `{ "id": "<image uuid>" }`. */
export interface ImageField extends FieldBase {
  type: 'image';
}

/** Stored as `{ "id": "<document uuid>" }`. */
export interface DocumentField extends FieldBase {
  type: 'document';
}

/** Stored as `{ "id": "<page uuid>" }`. */
export interface PageLinkField extends FieldBase {
  type: 'page_link';
  /** Keys of the page types that may be linked; any page when absent. */
  pageTypes?: string[];
}

/** Stored as `{ "id": "<snippet uuid>" }`, or an array of those when `multiple`. */
export interface SnippetLinkField extends FieldBase {
  type: 'snippet_link';
  /** Key of the snippet type. */
  snippetType: string;
  multiple?: boolean;
  /** With `multiple`: at most this many. */
  maxItems?: number;
}

/**
 * A Wagtail StreamField: an ordered list of typed blocks, stored as
 * `[{ "type": "<block key>", "id": "<uuid>", "value": … }]`.
 */
export interface StreamField extends FieldBase {
  type: 'stream';
  blocks: BlockDefinition[];
  minItems?: number;
  maxItems?: number;
}

/** Any field type but `stream` may be a block of a stream. */
export type ScalarFieldDefinition =
  | TextField
  | LongTextField
  | RichTextField
  | NumberField
  | BooleanField
  | DateField
  | DateTimeField
  | ChoiceField
  | SlugField
  | UrlField
  | EmailField
  | ImageField
  | DocumentField
  | PageLinkField
  | SnippetLinkField;

export type FieldDefinition = ScalarFieldDefinition | StreamField;
export type FieldType = FieldDefinition['type'];

/**
 * A block of a stream. Its value is stored as the block's `value`:
 * - a field-type block (`{ key: 'heading', type: 'text' }`): the value of that field type;
 * - `struct`: an object keyed by the struct's fields (which may be any field, streams included);
 * - `list`: an array of values of its `item` block.
 */
export type BlockDefinition = ScalarFieldDefinition | StructBlock | ListBlock | StreamField;

export interface StructBlock extends FieldBase {
  type: 'struct';
  fields: FieldDefinition[];
}

export interface ListBlock extends FieldBase {
  type: 'list';
  /** The block each item is; its `key` names the item type (`item` by convention). */
  item: BlockDefinition;
  minItems?: number;
  maxItems?: number;
}

/** How a feed orders its items: a column, `-` for descending. */
export const FEED_ORDERS = [
  '-first_published_at',
  'first_published_at',
  '-last_published_at',
  'last_published_at',
  'title',
  '-title',
] as const;
export type FeedOrder = (typeof FEED_ORDERS)[number];

export const FEED_LIMIT_MAX = 100;

/**
 * Feeds (see docs/feeds.md). A page type can own a feed (`enabled`: every page of the type,
 * such as each blog index, serves `feed.rss`, `feed.atom` and `feed.json`), and says which
 * of its fields give an item's parts when its pages are listed in a feed.
 */
export interface FeedSettings {
  /** Every page of this type owns a feed of its children (or descendants). */
  enabled?: boolean;
  /** What the owned feed lists: the page's children (default) or all its descendants. */
  source?: 'children' | 'descendants';
  /** The page types the owned feed lists; any when absent. */
  itemTypes?: string[];
  /** Default `-first_published_at`: newest first by first publication. */
  order?: FeedOrder;
  /** How many items the owned feed lists (1–100, default 20). */
  limit?: number;
  /** A text or long text field of the owner: the feed's description. */
  descriptionField?: string;
  /** As an item: the summary (text, long text or rich text). */
  summaryField?: string;
  /** As an item: the full content (rich text, long text or stream). */
  contentField?: string;
  /** As an item: the author (a snippet link, named by the snippet's title, or text). */
  authorField?: string;
  /** As an item: the categories (snippet links, a choice or text). */
  categoriesField?: string;
  /** As an item: the image (an image field; written once media can be resolved). */
  imageField?: string;
}

/** The parts of a feed item that fields can give, and the field types that can give each. */
export const FEED_ITEM_PARTS = {
  summary: ['text', 'long_text', 'rich_text'],
  content: ['rich_text', 'long_text', 'stream', 'text'],
  author: ['snippet_link', 'text'],
  categories: ['snippet_link', 'choice', 'text'],
  image: ['image'],
} as const satisfies Record<string, readonly FieldDefinition['type'][]>;
export type FeedItemPart = keyof typeof FEED_ITEM_PARTS;
/** A feed's choice of fields for its items' parts, by part. */
export type FeedItemFields = Partial<Record<FeedItemPart, string>>;

export interface PreviewSettings {
  /**
   * Where the frontend renders a preview: `{url_path}`, `{id}` and `{token}` are replaced,
   * e.g. `https://www.example.com/api/preview?path={url_path}&token={token}`.
   */
  url?: string;
}

export interface SearchFieldSetting {
  key: string;
  /** PostgreSQL full-text weight: A (highest) to D. Title is always A. */
  weight?: 'A' | 'B' | 'C' | 'D';
}

export interface ContentTypeDefinition {
  key: string;
  label: string;
  /** Plural label for lists; `label` + "s" when absent. */
  pluralLabel?: string;
  description?: string;
  kind: ContentKind;
  fields: FieldDefinition[];
  /** Pages: types this type may be created under; any (and the site root) when absent. */
  parentTypes?: string[];
  /** Pages: types that may be created under this type; any when absent, none when `[]`. */
  childTypes?: string[];
  /**
   * The field shown as the title. Pages always have a `title` column of their own; for a
   * snippet this names the text field that titles it (the first text field when absent).
   */
  titleField?: string;
  /** Fields searched besides the title, with their weights. */
  searchFields?: Array<string | SearchFieldSetting>;
  feed?: FeedSettings;
  preview?: PreviewSettings;
}

/** A whole schema file: what `finch schema export` writes and `apply` reads. */
export interface SchemaFile {
  $schema?: string;
  contentTypes: ContentTypeDefinition[];
}

/** A reference to another object as stored in content. */
export interface ObjectReference {
  id: string;
}

/** One block of a stored stream value. */
export interface StreamBlockValue {
  type: string;
  /** Stable per block, so revisions can be compared block by block. */
  id: string;
  value: unknown;
}

/** What `content` holds: field key → value. */
export type ContentValues = Record<string, unknown>;
