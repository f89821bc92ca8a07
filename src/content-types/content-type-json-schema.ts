import {
  FEED_LIMIT_MAX,
  FEED_ORDERS,
  KEY_PATTERN,
  type RichTextFeature,
} from '#src/content-types/content-type-definition.js';

/**
 * The published JSON Schema of content type definitions and schema files, kept as code so it
 * cannot drift from the validator: `validateDefinition` checks definitions against it (with
 * ajv) before the rules a schema cannot express. `npm run content-type-schema` writes it to
 * docs/content-type.schema.json (a unit test fails when that file differs), and the server
 * serves it at `GET /api/schemas/content-type.json`, so a schema file's `$schema` can point
 * there and editors complete and check it.
 *
 * Draft-07, because it is what editors support best. `discriminator` (an OpenAPI keyword
 * ajv understands) picks the branch of a field by its `type`, so an error names the field
 * type's own options instead of every branch's; editors ignore it.
 */

export const CONTENT_TYPE_SCHEMA_PATH = '/api/schemas/content-type.json';

export const RICH_TEXT_FEATURES: readonly RichTextFeature[] = [
  'paragraph',
  'heading',
  'bold',
  'italic',
  'underline',
  'strike',
  'code',
  'link',
  'bullet_list',
  'ordered_list',
  'blockquote',
  'code_block',
  'horizontal_rule',
  'hard_break',
  'image',
];

/** Limits a definition may set, so no option asks for something absurd. */
export const DEFINITION_LIMITS = {
  /** Text lengths a field may allow (1 MB is the limit of a whole content document). */
  maxTextLength: 1_000_000,
  maxPatternLength: 500,
  maxFields: 200,
  maxBlocks: 100,
  maxChoices: 500,
  maxItems: 10_000,
  labelLength: 150,
  helpTextLength: 1_000,
  descriptionLength: 2_000,
} as const;

type JsonSchema = Record<string, unknown>;

const keyString = (description: string): JsonSchema => ({
  type: 'string',
  pattern: KEY_PATTERN.source,
  description,
});

const count = (description: string, maximum: number = DEFINITION_LIMITS.maxItems): JsonSchema => ({
  type: 'integer',
  minimum: 0,
  maximum,
  description,
});

const textLength = (description: string): JsonSchema =>
  count(description, DEFINITION_LIMITS.maxTextLength);

const FIELD_BASE_PROPERTIES: Record<string, JsonSchema> = {
  key: keyString(
    'Stable key under which the value is stored: lower case letters, digits and underscores, starting with a letter.',
  ),
  label: { type: 'string', maxLength: DEFINITION_LIMITS.labelLength },
  helpText: { type: 'string', maxLength: DEFINITION_LIMITS.helpTextLength },
  required: {
    type: 'boolean',
    description: 'Publishing needs a value; drafts may leave it empty.',
  },
  default: { description: 'The value of a new page or snippet; must be valid for the field.' },
  localized: { type: 'boolean', description: 'Reserved for translations.' },
  renamedFrom: keyString(
    'The key this field had before: `finch schema apply` moves stored values to the new key.',
  ),
  filterable: {
    type: 'boolean',
    description: 'The delivery API may filter on it (`?key=`, `?key__contains=`, `?key__in=`).',
  },
  sortable: { type: 'boolean', description: 'The delivery API may sort on it (`order=key`).' },
};

const UNIQUE: JsonSchema = {
  type: 'boolean',
  description: 'No two pages (or snippets) of this type hold the same value.',
};

/** One branch of the field (or block) union: `type` fixed, base properties plus its own. */
function fieldType(
  type: string,
  description: string,
  properties: Record<string, JsonSchema> = {},
  required: string[] = [],
): JsonSchema {
  return {
    type: 'object',
    description,
    properties: { ...FIELD_BASE_PROPERTIES, type: { const: type }, ...properties },
    required: ['key', 'type', ...required],
    additionalProperties: false,
  };
}

const SCALAR_FIELD_SCHEMAS: Record<string, JsonSchema> = {
  textField: fieldType('text', 'One line of plain text.', {
    minLength: textLength('Fewest characters a published value has.'),
    maxLength: textLength('Most characters (10,000 when absent).'),
    pattern: {
      type: 'string',
      maxLength: DEFINITION_LIMITS.maxPatternLength,
      description: 'A JavaScript regular expression (no flags) the whole value must match.',
    },
    unique: UNIQUE,
  }),
  longTextField: fieldType('long_text', 'Several lines of plain text.', {
    minLength: textLength('Fewest characters a published value has.'),
    maxLength: textLength('Most characters (100,000 when absent).'),
  }),
  richTextField: fieldType('rich_text', 'A ProseMirror/Tiptap JSON document.', {
    features: {
      type: 'array',
      items: { enum: [...RICH_TEXT_FEATURES] },
      uniqueItems: true,
      description:
        'Nodes and marks allowed; paragraph, heading, bold, italic, link, lists and hard breaks when absent.',
    },
    headingLevels: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 6 },
      uniqueItems: true,
      minItems: 1,
      description: 'Heading levels allowed (2, 3 and 4 when absent).',
    },
    maxLength: textLength('Most characters of text in the document (100,000 when absent).'),
  }),
  numberField: fieldType('number', 'A number.', {
    numberType: { enum: ['integer', 'decimal'], description: '`integer` when absent.' },
    min: { type: 'number' },
    max: { type: 'number' },
    unique: UNIQUE,
  }),
  booleanField: fieldType('boolean', 'True or false.'),
  dateField: fieldType('date', 'A calendar date, stored as YYYY-MM-DD.'),
  dateTimeField: fieldType(
    'datetime',
    'An instant, written in ISO 8601 with a time zone offset and stored in UTC.',
  ),
  choiceField: fieldType(
    'choice',
    'One value (or several, with `multiple`) out of a fixed list.',
    {
      choices: {
        type: 'array',
        minItems: 1,
        maxItems: DEFINITION_LIMITS.maxChoices,
        items: {
          type: 'object',
          properties: {
            value: { type: 'string', minLength: 1, maxLength: 100 },
            label: { type: 'string', maxLength: DEFINITION_LIMITS.labelLength },
          },
          required: ['value'],
          additionalProperties: false,
        },
      },
      multiple: { type: 'boolean', description: 'Several values, stored as an array.' },
    },
    ['choices'],
  ),
  slugField: fieldType('slug', 'A URL slug: lower case letters, digits and hyphens.', {
    unique: UNIQUE,
  }),
  urlField: fieldType('url', 'An http or https URL.', { unique: UNIQUE }),
  emailField: fieldType('email', 'An email address.', { unique: UNIQUE }),
  imageField: fieldType('image', 'An image, stored as { "id": "<uuid>" }.'),
  documentField: fieldType('document', 'A document, stored as { "id": "<uuid>" }.'),
  pageLinkField: fieldType('page_link', 'A page, stored as { "id": "<uuid>" }.', {
    pageTypes: {
      type: 'array',
      items: keyString('A page type key.'),
      uniqueItems: true,
      description: 'Page types that may be linked; any page when absent.',
    },
  }),
  snippetLinkField: fieldType(
    'snippet_link',
    'A snippet (or several, with `multiple`), stored as { "id": "<uuid>" }.',
    {
      snippetType: keyString('The key of the snippet type.'),
      multiple: { type: 'boolean', description: 'Several snippets, stored as an array.' },
      maxItems: count('With `multiple`: at most this many.'),
    },
    ['snippetType'],
  ),
};

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

const BLOCK_LIST: JsonSchema = {
  type: 'array',
  minItems: 1,
  maxItems: DEFINITION_LIMITS.maxBlocks,
  items: ref('block'),
  description: 'The block types a stream may hold, each with a key unique in the stream.',
};

const FIELD_LIST: JsonSchema = {
  type: 'array',
  maxItems: DEFINITION_LIMITS.maxFields,
  items: ref('field'),
};

const STRUCTURE_SCHEMAS: Record<string, JsonSchema> = {
  streamField: fieldType(
    'stream',
    'An ordered list of typed blocks (a Wagtail StreamField), stored as [{ "type", "id", "value" }].',
    {
      blocks: BLOCK_LIST,
      minItems: count('Fewest blocks a published value has.'),
      maxItems: count('Most blocks.'),
    },
    ['blocks'],
  ),
  structBlock: fieldType(
    'struct',
    'A block made of named fields; its value is an object keyed by them.',
    { fields: { ...FIELD_LIST, minItems: 1 } },
    ['fields'],
  ),
  listBlock: fieldType(
    'list',
    'A block holding a list of values of its `item` block.',
    {
      item: ref('block'),
      minItems: count('Fewest items a published value has.'),
      maxItems: count('Most items.'),
    },
    ['item'],
  ),
};

const SCALAR_REFS = Object.keys(SCALAR_FIELD_SCHEMAS).map(ref);

const FIELD_UNION: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  discriminator: { propertyName: 'type' },
  oneOf: [...SCALAR_REFS, ref('streamField')],
};

const BLOCK_UNION: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  discriminator: { propertyName: 'type' },
  oneOf: [...SCALAR_REFS, ref('streamField'), ref('structBlock'), ref('listBlock')],
};

const CONTENT_TYPE: JsonSchema = {
  type: 'object',
  description: 'A content type: a kind of page or snippet and its fields.',
  properties: {
    key: keyString('The type key, e.g. `blog_post`.'),
    label: { type: 'string', minLength: 1, maxLength: DEFINITION_LIMITS.labelLength },
    pluralLabel: { type: 'string', minLength: 1, maxLength: DEFINITION_LIMITS.labelLength },
    description: { type: 'string', maxLength: DEFINITION_LIMITS.descriptionLength },
    kind: { enum: ['page', 'snippet'] },
    fields: FIELD_LIST,
    parentTypes: {
      type: 'array',
      items: keyString('A page type key.'),
      uniqueItems: true,
      description:
        'Pages: types this type may be created under; any when absent. A page may be a site root when this is absent or empty.',
    },
    childTypes: {
      type: 'array',
      items: keyString('A page type key.'),
      uniqueItems: true,
      description:
        'Pages: types that may be created under this type; any when absent, none when [].',
    },
    titleField: keyString('Snippets: the text field that titles a snippet.'),
    searchFields: {
      type: 'array',
      description: 'Fields searched besides the title, with their weights (A highest to D).',
      items: {
        anyOf: [
          keyString('A field key (weight C).'),
          {
            type: 'object',
            properties: {
              key: keyString('A field key.'),
              weight: { enum: ['A', 'B', 'C', 'D'] },
            },
            required: ['key'],
            additionalProperties: false,
          },
        ],
      },
    },
    feed: {
      type: 'object',
      description:
        'Feeds (docs/feeds.md): whether pages of this type own a feed and what it lists, and which fields give the parts of an item when pages of this type are listed.',
      properties: {
        enabled: {
          type: 'boolean',
          description: 'Every page of this type serves feed.rss, feed.atom and feed.json.',
        },
        source: {
          enum: ['children', 'descendants'],
          description: 'What the feed lists (default children).',
        },
        itemTypes: {
          type: 'array',
          items: keyString('A page type key.'),
          uniqueItems: true,
          maxItems: 20,
          description: 'The page types listed; any when absent.',
        },
        order: {
          enum: [...FEED_ORDERS],
          description: 'Default -first_published_at: newest first by first publication.',
        },
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: FEED_LIMIT_MAX,
          description: 'How many items (default 20).',
        },
        descriptionField: keyString('A text or long text field: the feed’s description.'),
        summaryField: keyString('As an item: the summary (text, long text or rich text).'),
        contentField: keyString('As an item: the full content (rich text, long text, stream).'),
        authorField: keyString('As an item: the author (a snippet link or text).'),
        categoriesField: keyString('As an item: the categories (snippet links, choice, text).'),
        imageField: keyString('As an item: the image.'),
      },
      additionalProperties: false,
    },
    preview: {
      type: 'object',
      properties: {
        url: {
          type: 'string',
          maxLength: 2_000,
          description:
            'Where the frontend renders a preview; {url_path}, {id} and {token} are replaced.',
        },
      },
      additionalProperties: false,
    },
  },
  required: ['key', 'label', 'kind', 'fields'],
  additionalProperties: false,
};

const SCHEMA_FILE: JsonSchema = {
  type: 'object',
  description: 'A schema file: what `finch schema export` writes and `finch schema apply` reads.',
  properties: {
    $schema: { type: 'string' },
    contentTypes: { type: 'array', items: ref('contentType') },
  },
  required: ['contentTypes'],
  additionalProperties: false,
};

/** The whole published schema: a schema file (with `contentTypes`) or one definition. */
export const CONTENT_TYPE_JSON_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Finch content types',
  description:
    'A Finch schema file ({ "contentTypes": [...] }) or a single content type definition.',
  if: { type: 'object', required: ['contentTypes'] },
  then: ref('schemaFile'),
  else: ref('contentType'),
  definitions: {
    schemaFile: SCHEMA_FILE,
    contentType: CONTENT_TYPE,
    field: FIELD_UNION,
    block: BLOCK_UNION,
    ...SCALAR_FIELD_SCHEMAS,
    ...STRUCTURE_SCHEMAS,
  },
};
