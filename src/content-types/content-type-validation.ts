import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  type BlockDefinition,
  type ContentKind,
  type ContentTypeDefinition,
  FEED_ITEM_PARTS,
  type FeedSettings,
  type FieldDefinition,
  type SchemaFile,
} from '#src/content-types/content-type-definition.js';
import { CONTENT_TYPE_JSON_SCHEMA } from '#src/content-types/content-type-json-schema.js';
import { validateFieldValue } from '#src/content-types/content-validation.js';
import {
  ErrorCollector,
  isPlainObject,
  MAX_REPORTED_ERRORS,
} from '#src/content-types/content-value-checks.js';
import type { FieldError } from '#src/errors/domain-error.js';

/** Blocks inside blocks deeper than this are refused: no editor could fill them in. */
export const MAX_BLOCK_NESTING = 8;
/** Any JSON deeper than this is refused before the schema is even tried. */
const MAX_JSON_DEPTH = 64;

export interface DefinitionValidationResult {
  definition?: ContentTypeDefinition;
  errors: FieldError[];
}

export interface DefinitionValidationOptions {
  /**
   * The content types that exist (key → kind), for the checks of `parentTypes`,
   * `childTypes`, `pageTypes` and `snippetType`. Without it, only references to the
   * definition itself are checked.
   */
  knownTypes?: ReadonlyMap<string, ContentKind>;
}

let compiled: ValidateFunction | undefined;

function definitionSchemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, discriminator: true, strict: false }).compile({
    definitions: CONTENT_TYPE_JSON_SCHEMA.definitions,
    $ref: '#/definitions/contentType',
  });
  return compiled;
}

/**
 * Checks an untrusted definition against the published JSON Schema, then against the rules
 * a schema cannot express. Error paths read `fields[3].blocks.quote.fields[0].type`: blocks
 * are named by their key (they are a set; their order means nothing).
 */
export function validateDefinition(
  input: unknown,
  options: DefinitionValidationOptions = {},
): DefinitionValidationResult {
  const tooDeep = findTooDeep(input, '', 0);
  if (tooDeep !== undefined) {
    return {
      errors: [{ path: tooDeep, message: `nests deeper than ${MAX_JSON_DEPTH} levels of JSON` }],
    };
  }
  const validate = definitionSchemaValidator();
  if (!validate(input)) {
    return { errors: schemaErrors(input, validate.errors ?? []) };
  }
  const definition = input as ContentTypeDefinition;
  const errors = new ErrorCollector();
  checkRules(definition, options, errors);
  return errors.errors.length > 0 ? { errors: errors.errors } : { definition, errors: [] };
}

/**
 * Checks a whole schema file: each definition, distinct keys, and references between the
 * file's types (plus `knownTypes`, the ones already stored). Paths start `contentTypes[2]`.
 */
export function validateSchemaFile(
  input: unknown,
  options: DefinitionValidationOptions = {},
): { file?: SchemaFile; errors: FieldError[] } {
  if (!isPlainObject(input) || !Array.isArray(input.contentTypes)) {
    return { errors: [{ path: 'contentTypes', message: 'must be an array of content types' }] };
  }
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (key !== '$schema' && key !== 'contentTypes') {
      errors.push({ path: key, message: 'is not a property of a schema file' });
    }
  }
  const known = new Map(options.knownTypes ?? []);
  const keys = new Map<string, number>();
  input.contentTypes.forEach((definition: unknown, index) => {
    if (isPlainObject(definition) && typeof definition.key === 'string') {
      const earlier = keys.get(definition.key);
      if (earlier !== undefined) {
        errors.push({
          path: `contentTypes[${index}].key`,
          message: `"${definition.key}" is also the key of contentTypes[${earlier}]`,
        });
      }
      keys.set(definition.key, index);
      if (definition.kind === 'page' || definition.kind === 'snippet') {
        known.set(definition.key, definition.kind);
      }
    }
  });
  input.contentTypes.forEach((definition: unknown, index) => {
    const result = validateDefinition(definition, { knownTypes: known });
    errors.push(
      ...result.errors.map((error) => ({
        path: `contentTypes[${index}]${error.path ? `.${error.path}` : ''}`,
        message: error.message,
      })),
    );
  });
  return errors.length > 0
    ? { errors: errors.slice(0, MAX_REPORTED_ERRORS) }
    : { file: input as unknown as SchemaFile, errors: [] };
}

function findTooDeep(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return path;
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item])
    : Object.entries(value).map(([key, item]) => [path ? `${path}.${key}` : key, item]);
  for (const [childPath, child] of entries) {
    const found = findTooDeep(child, childPath, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// JSON Schema errors, with readable paths

const FIELD_TYPES =
  'text, long_text, rich_text, number, boolean, date, datetime, choice, slug, url, email, image, document, page_link, snippet_link, stream';
const BLOCK_TYPES = `${FIELD_TYPES}, struct, list`;

/**
 * `/fields/3/blocks/1/fields/0/type` → `fields[3].blocks.quote.fields[0].type`, naming
 * blocks by key when the block at that index has a usable one.
 */
export function readablePath(data: unknown, pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let node: unknown = data;
  let parentKey: string | undefined;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      const item: unknown = node[Number(segment)];
      const key = isPlainObject(item) ? item.key : undefined;
      const unique =
        typeof key === 'string' &&
        /^[a-z][a-z0-9_]*$/.test(key) &&
        node.filter((other) => isPlainObject(other) && other.key === key).length === 1;
      path += parentKey === 'blocks' && unique ? `.${key}` : `[${segment}]`;
      node = item;
    } else {
      path += path ? `.${segment}` : segment;
      node = isPlainObject(node) ? node[segment] : undefined;
    }
    parentKey = segment;
  }
  return path;
}

function join(path: string, property: string): string {
  return path ? `${path}.${property}` : property;
}

function schemaErrors(data: unknown, errors: ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const output: FieldError[] = [];
  // A discriminator failure (unknown `type`) explains everything else at that path.
  const unknownTypeAt = new Set(
    errors.filter((error) => error.keyword === 'discriminator').map((error) => error.instancePath),
  );
  for (const error of errors) {
    // The anyOf error itself says what is expected; its branches' complaints only confuse.
    if (error.schemaPath.includes('/anyOf/')) continue;
    if (
      error.keyword === 'type' &&
      error.instancePath.endsWith('/type') &&
      unknownTypeAt.has(error.instancePath.slice(0, -'/type'.length))
    ) {
      continue;
    }
    const path = readablePath(data, error.instancePath);
    let entry: FieldError;
    switch (error.keyword) {
      case 'discriminator': {
        const params = error.params as { error: string; tagValue?: unknown };
        const isBlock = /\/blocks\/\d+$|\/item$/.test(error.instancePath);
        entry =
          params.error === 'mapping'
            ? {
                path: join(path, 'type'),
                message: `unknown ${isBlock ? 'block' : 'field'} type ${JSON.stringify(params.tagValue)}; expected one of ${isBlock ? BLOCK_TYPES : FIELD_TYPES}`,
              }
            : { path: join(path, 'type'), message: 'must be a string naming the field type' };
        break;
      }
      case 'required': {
        const missing = (error.params as { missingProperty: string }).missingProperty;
        if (missing === 'type' && unknownTypeAt.has(error.instancePath)) continue;
        entry = { path: join(path, missing), message: 'is required' };
        break;
      }
      case 'additionalProperties': {
        const extra = (error.params as { additionalProperty: string }).additionalProperty;
        entry = {
          path: join(
            path,
            /^[A-Za-z0-9_$]{1,64}$/.test(extra) ? extra : JSON.stringify(extra.slice(0, 64)),
          ),
          message: 'is not a known property here',
        };
        break;
      }
      case 'const':
      case 'oneOf':
      case 'if':
        continue;
      case 'enum': {
        const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
        entry = {
          path,
          message: `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`,
        };
        break;
      }
      case 'pattern':
        entry = {
          path,
          message:
            'must be a key: lower case letters, digits and underscores, starting with a letter, at most 63 characters',
        };
        break;
      case 'anyOf':
        entry = { path, message: 'must be a field key or { "key", "weight" }' };
        break;
      default:
        entry = { path, message: error.message ?? 'is not valid' };
    }
    const id = `${entry.path}\u0000${entry.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    output.push(entry);
    if (output.length >= MAX_REPORTED_ERRORS) break;
  }
  return output.length > 0 ? output : [{ path: '', message: 'is not a valid content type' }];
}

// ---------------------------------------------------------------------------------------
// Rules the schema cannot express

type AnyField = FieldDefinition | BlockDefinition;

const SEARCHABLE = new Set(['text', 'long_text', 'rich_text', 'stream', 'choice', 'slug']);
const SORTABLE = new Set([
  'text',
  'number',
  'boolean',
  'date',
  'datetime',
  'choice',
  'slug',
  'url',
  'email',
]);
const NOT_FILTERABLE = new Set(['rich_text', 'stream']);
const UNIQUE_CAPABLE = new Set(['text', 'number', 'slug', 'url', 'email']);

function checkRules(
  definition: ContentTypeDefinition,
  options: DefinitionValidationOptions,
  errors: ErrorCollector,
): void {
  const known = new Map(options.knownTypes ?? []);
  known.set(definition.key, definition.kind);

  checkFieldList(definition.fields, 'fields', 0, true, known, errors);

  const topLevel = new Map(definition.fields.map((field) => [field.key, field]));

  if (definition.kind === 'snippet') {
    for (const property of ['parentTypes', 'childTypes'] as const) {
      if (definition[property] !== undefined) {
        errors.add(property, 'only page types have parent and child types');
      }
    }
  }
  for (const property of ['parentTypes', 'childTypes'] as const) {
    definition[property]?.forEach((key, index) =>
      checkTypeReference(key, 'page', `${property}[${index}]`, known, errors),
    );
  }

  if (definition.titleField !== undefined) {
    const field = topLevel.get(definition.titleField);
    if (!field) errors.add('titleField', `"${definition.titleField}" is not a field of this type`);
    else if (field.type !== 'text') {
      errors.add('titleField', `must name a text field; "${field.key}" is ${field.type}`);
    }
  }
  const searched = new Set<string>();
  definition.searchFields?.forEach((setting, index) => {
    const key = typeof setting === 'string' ? setting : setting.key;
    const path =
      typeof setting === 'string' ? `searchFields[${index}]` : `searchFields[${index}].key`;
    const field = topLevel.get(key);
    if (!field) errors.add(path, `"${key}" is not a field of this type`);
    else if (!SEARCHABLE.has(field.type))
      errors.add(path, `a ${field.type} field cannot be searched`);
    if (searched.has(key)) errors.add(path, `"${key}" is listed twice`);
    searched.add(key);
  });
  checkFeedSettings(definition, topLevel, known, errors);
  if (
    definition.preview?.url !== undefined &&
    !/^https?:\/\/[^\s]+$/.test(definition.preview.url)
  ) {
    errors.add('preview.url', 'must be an http or https URL template');
  }
}

/** The `feed` settings: the owner's choices and the fields that give an item's parts. */
function checkFeedSettings(
  definition: ContentTypeDefinition,
  topLevel: ReadonlyMap<string, FieldDefinition>,
  known: ReadonlyMap<string, ContentKind>,
  errors: ErrorCollector,
): void {
  const feed = definition.feed;
  if (!feed) return;
  if (definition.kind === 'snippet') {
    errors.add('feed', 'only page types have feeds: feeds list pages');
    return;
  }
  feed.itemTypes?.forEach((key, index) =>
    checkTypeReference(key, 'page', `feed.itemTypes[${index}]`, known, errors),
  );
  if (feed.descriptionField !== undefined) {
    const field = topLevel.get(feed.descriptionField);
    if (!field || !['text', 'long_text'].includes(field.type)) {
      errors.add('feed.descriptionField', 'must name a text or long text field of this type');
    }
  }
  for (const [part, types] of Object.entries(FEED_ITEM_PARTS)) {
    const property = `${part}Field` as const;
    const key = feed[property as keyof FeedSettings];
    if (typeof key !== 'string') continue;
    const field = topLevel.get(key);
    if (!field || !(types as readonly string[]).includes(field.type)) {
      errors.add(
        `feed.${property}`,
        `must name a field of this type that is ${types.join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
      );
    }
  }
}

function checkTypeReference(
  key: string,
  kind: ContentKind,
  path: string,
  known: ReadonlyMap<string, ContentKind>,
  errors: ErrorCollector,
): void {
  const actual = known.get(key);
  if (actual === undefined) {
    errors.add(path, `there is no content type "${key}"`);
  } else if (actual !== kind) {
    errors.add(path, `"${key}" is a ${actual} type, not a ${kind} type`);
  }
}

function checkFieldList(
  fields: readonly AnyField[],
  path: string,
  depth: number,
  topLevel: boolean,
  known: ReadonlyMap<string, ContentKind>,
  errors: ErrorCollector,
  byKey = false,
): void {
  const keys = new Map<string, string>();
  const renamedFrom = new Map<string, string>();
  fields.forEach((field, index) => {
    const fieldPath =
      byKey && fields.filter((other) => other.key === field.key).length === 1
        ? `${path}.${field.key}`
        : `${path}[${index}]`;
    const earlier = keys.get(field.key);
    if (earlier !== undefined) {
      errors.add(`${fieldPath}.key`, `"${field.key}" is also the key of ${earlier}`);
    }
    keys.set(field.key, fieldPath);
    if (field.renamedFrom !== undefined) {
      if (field.renamedFrom === field.key) {
        errors.add(`${fieldPath}.renamedFrom`, "is the field's own key");
      }
      const other = renamedFrom.get(field.renamedFrom);
      if (other !== undefined) {
        errors.add(
          `${fieldPath}.renamedFrom`,
          `${other} is renamed from "${field.renamedFrom}" too`,
        );
      }
      renamedFrom.set(field.renamedFrom, fieldPath);
    }
    checkField(field, fieldPath, depth, topLevel, known, errors);
  });
  for (const [from, fieldPath] of renamedFrom) {
    if (keys.has(from)) {
      errors.add(`${fieldPath}.renamedFrom`, `"${from}" is still the key of ${keys.get(from)}`);
    }
  }
}

function checkField(
  field: AnyField,
  path: string,
  depth: number,
  topLevel: boolean,
  known: ReadonlyMap<string, ContentKind>,
  errors: ErrorCollector,
): void {
  if (depth > MAX_BLOCK_NESTING) {
    errors.add(path, `blocks nest deeper than ${MAX_BLOCK_NESTING} levels`);
    return;
  }
  const has = (property: string) =>
    (field as unknown as Record<string, unknown>)[property] !== undefined;
  if (has('unique') && (field as { unique?: boolean }).unique) {
    if (!topLevel) errors.add(`${path}.unique`, 'only top-level fields can be unique');
    else if (!UNIQUE_CAPABLE.has(field.type))
      errors.add(`${path}.unique`, `a ${field.type} field cannot be unique`);
  }
  if (field.filterable) {
    if (!topLevel) errors.add(`${path}.filterable`, 'only top-level fields can be filterable');
    else if (NOT_FILTERABLE.has(field.type)) {
      errors.add(`${path}.filterable`, `a ${field.type} field cannot be filtered on`);
    }
  }
  if (field.sortable) {
    const multiple = (field as { multiple?: boolean }).multiple === true;
    if (!topLevel) errors.add(`${path}.sortable`, 'only top-level fields can be sortable');
    else if (!SORTABLE.has(field.type) || multiple) {
      errors.add(
        `${path}.sortable`,
        `a ${multiple ? 'multiple ' : ''}${field.type} field cannot be sorted on`,
      );
    }
  }

  const range = (low: string, high: string) => {
    const values = field as unknown as Record<string, number | undefined>;
    const min = values[low];
    const max = values[high];
    if (min !== undefined && max !== undefined && min > max) {
      errors.add(`${path}.${low}`, `must not be greater than ${high} (${max})`);
    }
  };

  switch (field.type) {
    case 'text':
      range('minLength', 'maxLength');
      if (field.pattern !== undefined) {
        const problem = patternProblem(field.pattern);
        if (problem) errors.add(`${path}.pattern`, problem);
      }
      break;
    case 'long_text':
      range('minLength', 'maxLength');
      break;
    case 'number':
      range('min', 'max');
      if ((field.numberType ?? 'integer') === 'integer') {
        for (const bound of ['min', 'max'] as const) {
          if (field[bound] !== undefined && !Number.isSafeInteger(field[bound])) {
            errors.add(`${path}.${bound}`, 'must be a whole number for an integer field');
          }
        }
      }
      break;
    case 'choice': {
      const values = new Map<string, number>();
      field.choices.forEach((choice, index) => {
        const earlier = values.get(choice.value);
        if (earlier !== undefined) {
          errors.add(
            `${path}.choices[${index}].value`,
            `"${choice.value}" is also choices[${earlier}]`,
          );
        }
        values.set(choice.value, index);
      });
      break;
    }
    case 'page_link':
      field.pageTypes?.forEach((key, index) =>
        checkTypeReference(key, 'page', `${path}.pageTypes[${index}]`, known, errors),
      );
      break;
    case 'snippet_link':
      checkTypeReference(field.snippetType, 'snippet', `${path}.snippetType`, known, errors);
      if (field.maxItems !== undefined && !field.multiple) {
        errors.add(`${path}.maxItems`, 'needs "multiple": true');
      }
      break;
    case 'stream':
      range('minItems', 'maxItems');
      checkFieldList(field.blocks, `${path}.blocks`, depth + 1, false, known, errors, true);
      break;
    case 'struct':
      checkFieldList(field.fields, `${path}.fields`, depth + 1, false, known, errors);
      break;
    case 'list':
      range('minItems', 'maxItems');
      checkField(field.item, `${path}.item`, depth + 1, false, known, errors);
      break;
    default:
      break;
  }

  if (field.default !== undefined && !errors.full) {
    const checked = validateFieldValue(field, field.default, `${path}.default`, 'draft');
    for (const error of checked.errors) errors.add(error.path, error.message);
  }
}

/**
 * Why a `pattern` cannot be used, if it cannot: it must compile and must not nest
 * quantifiers (`(a+)+`, `(a*)*`, `(\w+\s?)*`), the shape behind catastrophic backtracking.
 * Checked without running the expression, so no timeout is needed.
 */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > 500) return 'must be at most 500 characters';
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'must not use backreferences';
  // For each open group: whether something inside it is quantified.
  const groups: boolean[] = [];
  let quantifiedInside = false;
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === '\\') {
      index++;
      continue;
    }
    if (character === '[') {
      // Skip the character class: quantifiers inside are literal.
      index++;
      if (pattern[index] === '^') index++;
      if (pattern[index] === ']') index++;
      while (index < pattern.length && pattern[index] !== ']') {
        if (pattern[index] === '\\') index++;
        index++;
      }
      continue;
    }
    if (character === '(') {
      groups.push(quantifiedInside);
      quantifiedInside = false;
      continue;
    }
    const next = pattern[index + 1];
    const quantifierFollows = next === '*' || next === '+' || next === '?' || next === '{';
    if (character === ')') {
      const inner = quantifiedInside;
      quantifiedInside = groups.pop() ?? false;
      if (quantifierFollows && inner && next !== '?') {
        return 'must not repeat a group that itself repeats (like (a+)+): it can take forever to match';
      }
      if (quantifierFollows || inner) quantifiedInside = true;
      continue;
    }
    if (character === '*' || character === '+' || character === '{') quantifiedInside = true;
    if (character === '{') {
      const close = pattern.indexOf('}', index);
      if (close > index) index = close;
    }
  }
  return undefined;
}
