import type {
  ContentKind,
  ContentTypeDefinition,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';
import {
  type FieldsSelection,
  emptySelection,
  parseFields,
} from '#src/delivery/delivery-fields.js';
import { DeliveryParameterError } from '#src/delivery/delivery.errors.js';
import type { ContentFilter, DeliveryOrder } from '#src/delivery/delivery-sql.js';

/** What the delivery API needs to know of a content type (from the in-memory registry). */
export interface DeliveryContentType {
  key: string;
  kind: ContentKind;
  definition: ContentTypeDefinition;
}

export type ContentTypeLookup = (key: string) => DeliveryContentType | undefined;

/** The query string as Fastify parses it: a repeated parameter becomes an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const LOCALE_PATTERN = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/;
export const MAX_SEARCH_LENGTH = 255;
const MAX_FILTER_VALUES = 100;
const MAX_FILTER_VALUE_LENGTH = 1000;
export const MAX_OFFSET = 1_000_000;

/** Parameters every delivery request may carry: who sees drafts, and which site. */
export interface AccessParameters {
  previewToken?: string;
  draft: boolean;
  site?: string;
}

export interface ListingParameters extends AccessParameters {
  contentType?: DeliveryContentType;
  childOf?: string;
  descendantOf?: string;
  ancestorOf?: string;
  search?: string;
  order: DeliveryOrder;
  limit: number;
  offset: number;
  fields: FieldsSelection;
  locale?: string;
  filters: ContentFilter[];
}

export interface DetailParameters extends AccessParameters {
  fields: FieldsSelection;
}

export interface FindParameters extends AccessParameters {
  htmlPath: string;
  /** The other parameters, passed on to the detail URL. */
  forwarded: URLSearchParams;
}

const ACCESS_NAMES = ['preview_token', 'draft'];
const PAGE_LISTING_NAMES = new Set([
  ...ACCESS_NAMES,
  'site',
  'type',
  'child_of',
  'descendant_of',
  'ancestor_of',
  'search',
  'order',
  'limit',
  'offset',
  'fields',
  'locale',
]);
const SNIPPET_LISTING_NAMES = new Set([
  ...ACCESS_NAMES,
  'search',
  'order',
  'limit',
  'offset',
  'fields',
  'locale',
]);

/**
 * PostgreSQL text cannot hold a NUL character: a value with one is refused here, before it
 * could make a query fail.
 */
export function refuseNul(name: string, value: string): string {
  if (value.includes('\u0000')) {
    throw new DeliveryParameterError(name, 'must not contain a NUL character (\\u0000)');
  }
  return value;
}

function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new DeliveryParameterError(name, 'given more than once');
  return value === undefined ? undefined : refuseNul(name, value);
}

function uuidParameter(query: RawQuery, name: string): string | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!UUID_PATTERN.test(value))
    throw new DeliveryParameterError(name, 'expected a page id (a UUID)');
  return value.toLowerCase();
}

function integerParameter(
  query: RawQuery,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const value = single(query, name);
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new DeliveryParameterError(name, `expected an integer from ${min} to ${max}`);
  }
  return Number(value);
}

function accessParameters(query: RawQuery, siteAllowed: boolean): AccessParameters {
  const previewToken = single(query, 'preview_token');
  if (previewToken !== undefined && (previewToken === '' || previewToken.length > 2000)) {
    throw new DeliveryParameterError('preview_token', 'expected a preview token');
  }
  const draft = single(query, 'draft');
  if (draft !== undefined && draft !== 'true' && draft !== 'false') {
    throw new DeliveryParameterError('draft', 'expected true or false');
  }
  const site = siteAllowed ? single(query, 'site') : undefined;
  if (site !== undefined && (site === '' || site.length > 255)) {
    throw new DeliveryParameterError('site', 'expected a site id or host name');
  }
  return { previewToken, draft: draft === 'true', site };
}

function refuseUnknown(query: RawQuery, known: ReadonlySet<string>, hint = ''): void {
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      throw new DeliveryParameterError(name, `not a parameter of this endpoint${hint}`);
    }
  }
}

/** `fields` as given, or the empty selection (the defaults). */
function fieldsParameter(query: RawQuery): FieldsSelection {
  const value = single(query, 'fields');
  return value === undefined ? emptySelection() : parseFields(value);
}

function contentFieldOf(
  definition: ContentTypeDefinition,
  key: string,
): FieldDefinition | undefined {
  return definition.fields.find((field) => field.key === key);
}

const TEXT_TYPES = new Set(['text', 'long_text', 'slug', 'url', 'email']);
const BASE_ORDERS = new Set(['title', 'first_published_at', 'last_published_at', 'id']);

/** The order of a listing that names none: tree order, by title, or best match first. */
export function defaultOrder(kind: ContentKind, searching: boolean): DeliveryOrder {
  if (searching) return { kind: 'score' };
  return kind === 'page' ? { kind: 'path' } : { kind: 'title', descending: false };
}

/** A random order (a new seed each time); paging through one makes no sense. */
export function randomOrder(offset: number): DeliveryOrder {
  if (offset > 0) {
    throw new DeliveryParameterError('order', 'random order cannot be combined with offset');
  }
  return { kind: 'random', seed: Math.random().toString(36).slice(2) };
}

/** `title`, `first_published_at`, `last_published_at`, `id`: what every row can sort by. */
export function baseOrderOf(name: string, descending: boolean): DeliveryOrder | undefined {
  if (!BASE_ORDERS.has(name)) return undefined;
  return { kind: name as 'title' | 'first_published_at' | 'last_published_at' | 'id', descending };
}

function parseOrder(
  query: RawQuery,
  kind: ContentKind,
  contentType: DeliveryContentType | undefined,
  searching: boolean,
  offset: number,
): DeliveryOrder {
  const value = single(query, 'order');
  if (value === undefined) return defaultOrder(kind, searching);
  if (value === 'random') return randomOrder(offset);
  if (value === 'path' && kind === 'page') return { kind: 'path' };
  const descending = value.startsWith('-');
  const name = descending ? value.slice(1) : value;
  const base = baseOrderOf(name, descending);
  if (base) return base;
  const field = contentType ? contentFieldOf(contentType.definition, name) : undefined;
  if (field?.sortable) return { kind: 'field', key: field.key, descending };
  const choices = `title, first_published_at, last_published_at, id, random${kind === 'page' ? ', path' : ''}`;
  if (field) {
    throw new DeliveryParameterError(
      'order',
      `the field "${name}" is not sortable; use ${choices} or a sortable field`,
    );
  }
  throw new DeliveryParameterError(
    'order',
    `cannot order by "${value}"; use ${choices}${contentType ? ' or a sortable field of the type' : ', or give type= to order by a content field'} (prefix - for descending)`,
  );
}

function filterValues(parameter: string, raw: string, operator: string): string[] {
  if (operator !== 'in') return [raw];
  const values = raw.split(',');
  if (values.length > MAX_FILTER_VALUES) {
    throw new DeliveryParameterError(parameter, `at most ${MAX_FILTER_VALUES} values`);
  }
  return values;
}

function isValidDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** One value of a filter, checked against the field's type; returns what the SQL compares. */
function filterValue(field: FieldDefinition, parameter: string, value: string): string {
  refuseNul(parameter, value);
  if (value.length > MAX_FILTER_VALUE_LENGTH) {
    throw new DeliveryParameterError(
      parameter,
      `values are at most ${MAX_FILTER_VALUE_LENGTH} characters`,
    );
  }
  switch (field.type) {
    case 'number': {
      const number = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
      if (
        !Number.isFinite(number) ||
        (field.numberType !== 'decimal' && !Number.isInteger(number))
      ) {
        throw new DeliveryParameterError(
          parameter,
          `expected ${field.numberType === 'decimal' ? 'a number' : 'an integer'}, not "${value}"`,
        );
      }
      return JSON.stringify(number);
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') {
        throw new DeliveryParameterError(parameter, `expected true or false, not "${value}"`);
      }
      return value;
    case 'date':
      if (!isValidDate(value)) {
        throw new DeliveryParameterError(
          parameter,
          `expected a date as YYYY-MM-DD, not "${value}"`,
        );
      }
      return value;
    case 'datetime': {
      const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(
        value,
      )
        ? new Date(value)
        : undefined;
      if (!time || Number.isNaN(time.getTime())) {
        throw new DeliveryParameterError(
          parameter,
          `expected a date and time such as 2026-01-01T09:00:00Z, not "${value}"`,
        );
      }
      return time.toISOString();
    }
    case 'choice':
      if (!field.choices.some((choice) => choice.value === value)) {
        throw new DeliveryParameterError(
          parameter,
          `"${value}" is not a choice of ${field.key}; expected one of ${field.choices.map((choice) => choice.value).join(', ')}`,
        );
      }
      return value;
    case 'snippet_link':
    case 'page_link':
    case 'image':
    case 'document':
      if (!UUID_PATTERN.test(value)) {
        throw new DeliveryParameterError(parameter, `expected an id (a UUID), not "${value}"`);
      }
      return value.toLowerCase();
    default:
      return value;
  }
}

/** `?<key>=`, `?<key>__contains=`, `?<key>__in=` on a filterable content field. */
export function parseFilter(
  contentType: DeliveryContentType,
  parameter: string,
  raw: string,
): ContentFilter {
  const match = /^(.+?)(?:__(contains|in))?$/.exec(parameter);
  const key = match?.[1] ?? parameter;
  const operator = (match?.[2] ?? 'equals') as FilterOperator;
  if (!contentFieldOf(contentType.definition, key)) {
    throw new DeliveryParameterError(
      parameter,
      `not a parameter of this endpoint, nor a field of ${contentType.key}`,
    );
  }
  return filterOf(contentType, key, operator, filterValues(parameter, raw, operator), parameter);
}

/**
 * `equals` one value, `contains` a text, or `in` any of several values. On a field holding
 * several values (multiple choices or snippets), `equals` means "has" and `in` "has any".
 */
export type FilterOperator = 'equals' | 'contains' | 'in';

/**
 * The filter on the content field `key` of `contentType`, its raw values checked against
 * the field's type; errors name `parameter`. Shared by the REST and GraphQL delivery APIs.
 */
export function filterOf(
  contentType: DeliveryContentType,
  key: string,
  operator: FilterOperator,
  raw: readonly string[],
  parameter: string,
): ContentFilter {
  const field = contentFieldOf(contentType.definition, key);
  if (!field) {
    throw new DeliveryParameterError(parameter, `not a field of ${contentType.key}`);
  }
  if (!field.filterable) {
    throw new DeliveryParameterError(
      parameter,
      `the field "${key}" of ${contentType.key} is not filterable (the content type must declare it filterable)`,
    );
  }
  if (raw.length > MAX_FILTER_VALUES) {
    throw new DeliveryParameterError(parameter, `at most ${MAX_FILTER_VALUES} values`);
  }
  const values = raw.map((value) => filterValue(field, parameter, value));
  const [value] = values;
  const multiple =
    (field.type === 'choice' || field.type === 'snippet_link') && field.multiple === true;
  const refuseContains = (): never => {
    throw new DeliveryParameterError(
      parameter,
      '__contains works on text fields and on fields holding several values',
    );
  };

  if (TEXT_TYPES.has(field.type)) {
    if (operator === 'contains') return { op: 'text_contains', key, value };
    return operator === 'in' ? { op: 'text_in', key, values } : { op: 'text_equals', key, value };
  }
  switch (field.type) {
    case 'choice':
      if (multiple) {
        return operator === 'in'
          ? { op: 'array_has_any', key, values }
          : { op: 'array_has', key, value };
      }
      if (operator === 'contains') return refuseContains();
      return operator === 'in' ? { op: 'text_in', key, values } : { op: 'text_equals', key, value };
    case 'date':
      if (operator === 'contains') return refuseContains();
      return operator === 'in' ? { op: 'text_in', key, values } : { op: 'text_equals', key, value };
    case 'number':
    case 'boolean':
      if (operator === 'contains') return refuseContains();
      return operator === 'in' ? { op: 'json_in', key, values } : { op: 'json_equals', key, value };
    case 'datetime':
      if (operator === 'contains') return refuseContains();
      return operator === 'in'
        ? { op: 'timestamp_in', key, values }
        : { op: 'timestamp_equals', key, value };
    case 'snippet_link':
    case 'page_link':
    case 'image':
    case 'document':
      if (multiple) {
        return operator === 'in'
          ? { op: 'links_has_any', key, values }
          : { op: 'links_has', key, value };
      }
      if (operator === 'contains') return refuseContains();
      return operator === 'in' ? { op: 'link_in', key, values } : { op: 'link_equals', key, value };
    default:
      throw new DeliveryParameterError(parameter, `${field.type} fields cannot be filtered`);
  }
}

/** A filter on `slug` or `title`, the columns every page has (GraphQL's `PageFilter`). */
export function columnFilterOf(
  column: 'slug' | 'title',
  operator: FilterOperator,
  raw: readonly string[],
  parameter: string,
): ContentFilter {
  if (raw.length > MAX_FILTER_VALUES) {
    throw new DeliveryParameterError(parameter, `at most ${MAX_FILTER_VALUES} values`);
  }
  const values = raw.map((value) => {
    if (value.length > MAX_FILTER_VALUE_LENGTH) {
      throw new DeliveryParameterError(
        parameter,
        `values are at most ${MAX_FILTER_VALUE_LENGTH} characters`,
      );
    }
    return refuseNul(parameter, value);
  });
  if (operator === 'in') return { op: 'column_in', column, values };
  return {
    op: operator === 'contains' ? 'column_contains' : 'column_equals',
    column,
    value: values[0],
  };
}

/** `GET /api/v2/pages` and `GET /api/v2/snippets/{type}`. */
export function parseListingParameters(
  kind: ContentKind,
  query: RawQuery,
  lookup: ContentTypeLookup,
  options: { maxLimit: number; snippetType?: DeliveryContentType },
): ListingParameters {
  const known = kind === 'page' ? PAGE_LISTING_NAMES : SNIPPET_LISTING_NAMES;
  let contentType = options.snippetType;
  if (kind === 'page') {
    const typeKey = single(query, 'type');
    if (typeKey !== undefined) {
      contentType = lookup(typeKey);
      if (!contentType || contentType.kind !== 'page') {
        throw new DeliveryParameterError('type', `"${typeKey}" is not a page type`);
      }
    }
  }
  const filters: ContentFilter[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (known.has(name) || value === undefined) continue;
    if (!contentType) {
      throw new DeliveryParameterError(
        name,
        'not a parameter of this endpoint (filters on content fields need type=)',
      );
    }
    if (Array.isArray(value)) throw new DeliveryParameterError(name, 'given more than once');
    filters.push(parseFilter(contentType, name, value));
  }

  const search = single(query, 'search');
  if (search !== undefined && (search.trim() === '' || search.length > MAX_SEARCH_LENGTH)) {
    throw new DeliveryParameterError('search', `expected 1 to ${MAX_SEARCH_LENGTH} characters`);
  }
  const locale = single(query, 'locale');
  if (locale !== undefined && (!LOCALE_PATTERN.test(locale) || locale.length > 35)) {
    throw new DeliveryParameterError('locale', 'expected a language tag such as en or pt-BR');
  }
  const limit = integerParameter(
    query,
    'limit',
    1,
    options.maxLimit,
    Math.min(20, options.maxLimit),
  );
  const offset = integerParameter(query, 'offset', 0, MAX_OFFSET, 0);
  const order = parseOrder(query, kind, contentType, search !== undefined, offset);
  return {
    ...accessParameters(query, kind === 'page'),
    contentType,
    childOf: kind === 'page' ? uuidParameter(query, 'child_of') : undefined,
    descendantOf: kind === 'page' ? uuidParameter(query, 'descendant_of') : undefined,
    ancestorOf: kind === 'page' ? uuidParameter(query, 'ancestor_of') : undefined,
    search,
    order,
    limit,
    offset,
    fields: fieldsParameter(query),
    locale,
    filters,
  };
}

/** `GET /api/v2/pages/{id}` and `GET /api/v2/snippets/{type}/{id}`. */
export function parseDetailParameters(kind: ContentKind, query: RawQuery): DetailParameters {
  refuseUnknown(query, new Set([...ACCESS_NAMES, 'fields', ...(kind === 'page' ? ['site'] : [])]));
  return { ...accessParameters(query, kind === 'page'), fields: fieldsParameter(query) };
}

/** `GET /api/v2/pages/find?html_path=`. */
export function parseFindParameters(query: RawQuery): FindParameters {
  refuseUnknown(query, new Set([...ACCESS_NAMES, 'site', 'fields', 'html_path']));
  const htmlPath = single(query, 'html_path');
  if (htmlPath === undefined) {
    throw new DeliveryParameterError(
      'html_path',
      'required: the path of a page, such as /blog/hello/',
    );
  }
  if (!htmlPath.startsWith('/') || htmlPath.length > 1024 || /[?#\s]/.test(htmlPath)) {
    throw new DeliveryParameterError('html_path', 'expected a path such as /blog/hello/');
  }
  const forwarded = new URLSearchParams();
  for (const name of ['fields', 'site', ...ACCESS_NAMES]) {
    const value = single(query, name);
    if (value !== undefined) forwarded.set(name, value);
  }
  parseFieldsIfGiven(query);
  return {
    ...accessParameters(query, true),
    htmlPath: htmlPath.endsWith('/') ? htmlPath : `${htmlPath}/`,
    forwarded,
  };
}

function parseFieldsIfGiven(query: RawQuery): void {
  fieldsParameter(query);
}
