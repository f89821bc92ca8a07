import { expect } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import type { TestApp } from '#test/helpers/test-app.js';

/**
 * Feeds (issue 8) as a feed reader sees them: fetched over HTTP, parsed by real parsers
 * (rss-parser for RSS and Atom, fast-xml-parser to read what rss-parser hides, JSON.parse
 * for JSON Feed), checked for well-formedness, and brought to one shape so a test can say
 * the same thing of all three formats. Also the management API of hand-made feeds.
 */

export const FEED_FORMATS = ['rss', 'atom', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const FEED_MEDIA_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

/** `tag:<host>,<YYYY-MM-DD>:page:<uuid>`: the id of a page in every format. */
export const ITEM_ID_PATTERN =
  /^tag:[a-z0-9.-]+,\d{4}-\d{2}-\d{2}:page:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface FetchedFeed {
  status: number;
  headers: Headers;
  body: string;
}

/** GET (or `init.method`) `<app>/<path>`, body read as text. */
export async function fetchFeed(
  app: TestApp,
  path: string,
  init: RequestInit = {},
): Promise<FetchedFeed> {
  const response = await fetch(`${app.baseUrl}${path}`, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

// ---------------------------------------------------------------------------------------------
// XML as a tree: every element a list (even when alone), text under `#text`, attributes `@_x`.

export interface XmlElement {
  '#text'?: string;
  [nameOrAttribute: string]: XmlElement[] | string | undefined;
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  // Only XML's own entities: HTML ones would decode escaped markup a second time.
  htmlEntities: false,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/** Characters XML 1.0 cannot hold, raw or as a character reference. */
// eslint-disable-next-line no-control-regex -- these are what is looked for
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const NOT_XML_REFERENCE = /&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[1-2]|1[4-9]|2\d|3[01]));/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Fails unless `xml` is a well-formed XML document. fast-xml-parser's validator lets some
 * faults through (control characters, `]]>` in text, stray `&`), so those are looked for too.
 */
export function expectWellFormedXml(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml.startsWith('<?xml version="1.0"')).toBe(true);
  expect({ controlCharacter: NOT_XML_CHARACTER.exec(xml)?.[0] }).toEqual({});
  expect({ reference: NOT_XML_REFERENCE.exec(xml)?.[0] }).toEqual({});
  expect({ loneSurrogate: LONE_SURROGATE.test(xml) }).toEqual({ loneSurrogate: false });
  const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  expect({ cdataEndInText: outsideCdata.includes(']]>') }).toEqual({ cdataEndInText: false });
  expect({
    strayAmpersand: /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(outsideCdata)?.[0],
  }).toEqual({});
}

/** The document's root element (`rss` or `feed`), after checking it is well-formed. */
export function parseXml(xml: string, root: string): XmlElement {
  expectWellFormedXml(xml);
  const document = xmlParser.parse(xml) as XmlElement;
  const roots = document[root];
  if (!Array.isArray(roots) || roots.length !== 1) {
    throw new Error(`Expected one <${root}> element in ${xml.slice(0, 500)}`);
  }
  return roots[0];
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  const value = element?.[name];
  return Array.isArray(value) ? value : [];
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

/** The text of the first `name` child, or undefined when there is none. */
export function textOf(element: XmlElement | undefined, name: string): string | undefined {
  const found = child(element, name);
  return found ? (found['#text'] ?? '') : undefined;
}

export function attribute(element: XmlElement | undefined, name: string): string | undefined {
  const value = element?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Every element name in the tree (to prove no `<script>` element came through). */
export function elementNames(element: XmlElement, names = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(element)) {
    if (!Array.isArray(value)) continue;
    names.add(key);
    for (const each of value) elementNames(each, names);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// One shape for the three formats.

export interface FeedItemView {
  id: string;
  title: string;
  url: string;
  /** Plain text. */
  summary?: string;
  contentHtml?: string;
  authors: string[];
  categories: string[];
  published: Date;
  updated?: Date;
}

export interface FeedView {
  format: FeedFormat;
  title: string;
  /** The owner page's public URL. */
  homeUrl: string;
  /** The feed's own URL (RSS atom:link self, Atom link self, JSON feed_url). */
  selfUrl: string;
  description?: string;
  language: string;
  items: FeedItemView[];
}

const rssParser = new Parser<Record<string, unknown>, Record<string, unknown>>();

function parsedDate(value: string | undefined, what: string): Date {
  const date = new Date(value ?? '');
  if (Number.isNaN(date.getTime())) throw new Error(`${what} is not a date: ${value}`);
  return date;
}

/** An RFC 822 date as RSS 2.0 wants it, e.g. `Sat, 21 Nov 2026 19:31:25 GMT`. */
export const RFC_822_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (?:GMT|[+-]\d{4})$/;
/** An RFC 3339 date-time, as Atom and JSON Feed want them. */
export const RFC_3339_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** RSS 2.0 through rss-parser, with what it hides read from the XML tree. */
export async function parseRss(xml: string): Promise<FeedView> {
  const rss = parseXml(xml, 'rss');
  expect(attribute(rss, 'version')).toBe('2.0');
  const channel = child(rss, 'channel');
  const parsed = await rssParser.parseString(xml);
  const elements = children(channel, 'item');
  expect(parsed.items).toHaveLength(elements.length);
  const self = children(channel, 'atom:link').find((link) => attribute(link, 'rel') === 'self');
  return {
    format: 'rss',
    title: parsed.title ?? '',
    homeUrl: parsed.link ?? '',
    selfUrl: attribute(self, 'href') ?? '',
    description: parsed.description,
    language: textOf(channel, 'language') ?? '',
    items: parsed.items.map((item, index) => {
      const element = elements[index];
      const pubDate = textOf(element, 'pubDate');
      expect(pubDate).toMatch(RFC_822_DATE);
      return {
        id: item.guid ?? '',
        title: item.title ?? '',
        url: item.link ?? '',
        summary: textOf(element, 'description'),
        contentHtml: textOf(element, 'content:encoded'),
        authors: children(element, 'dc:creator').map((creator) => creator['#text'] ?? ''),
        categories: (item.categories ?? []).map(String),
        published: parsedDate(pubDate, 'pubDate'),
      };
    }),
  };
}

/** Atom 1.0 through rss-parser, with what it hides read from the XML tree. */
export async function parseAtom(xml: string): Promise<FeedView> {
  const feed = parseXml(xml, 'feed');
  expect(attribute(feed, 'xmlns')).toBe('http://www.w3.org/2005/Atom');
  const parsed = await rssParser.parseString(xml);
  const entries = children(feed, 'entry');
  expect(parsed.items).toHaveLength(entries.length);
  const link = (element: XmlElement | undefined, rel: string) =>
    attribute(
      children(element, 'link').find((each) => (attribute(each, 'rel') ?? 'alternate') === rel),
      'href',
    ) ?? '';
  return {
    format: 'atom',
    title: parsed.title ?? '',
    homeUrl: link(feed, 'alternate'),
    selfUrl: link(feed, 'self'),
    description: textOf(feed, 'subtitle'),
    language: attribute(feed, 'xml:lang') ?? '',
    items: parsed.items.map((item, index) => {
      const entry = entries[index];
      return {
        id: typeof item.id === 'string' ? item.id : '',
        title: item.title ?? '',
        url: item.link ?? '',
        summary: textOf(entry, 'summary'),
        contentHtml: textOf(entry, 'content'),
        authors: children(entry, 'author').map((author) => textOf(author, 'name') ?? ''),
        categories: children(entry, 'category').map((category) => attribute(category, 'term')!),
        published: parsedDate(textOf(entry, 'published'), 'published'),
        updated: parsedDate(textOf(entry, 'updated'), 'updated'),
      };
    }),
  };
}

export interface JsonFeedItem {
  id: string;
  url?: string;
  title?: string;
  summary?: string;
  content_html?: string;
  content_text?: string;
  image?: string;
  date_published?: string;
  date_modified?: string;
  authors?: Array<{ name?: string }>;
  tags?: string[];
}

export interface JsonFeed {
  version: string;
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  language?: string;
  authors?: Array<{ name?: string }>;
  items: JsonFeedItem[];
}

/** JSON Feed 1.1, its required members checked (version, title, items with id and content). */
export function parseJsonFeedDocument(body: string): JsonFeed {
  const feed = JSON.parse(body) as JsonFeed;
  expect(feed).toMatchObject({
    version: JSON_FEED_VERSION,
    title: expect.any(String),
    items: expect.any(Array),
  });
  for (const item of feed.items) {
    expect(typeof item.id).toBe('string');
    expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(
      true,
    );
    for (const date of [item.date_published, item.date_modified]) {
      if (date !== undefined) expect(date).toMatch(RFC_3339_DATE);
    }
  }
  return feed;
}

export function parseJsonFeed(body: string): FeedView {
  const feed = parseJsonFeedDocument(body);
  return {
    format: 'json',
    title: feed.title,
    homeUrl: feed.home_page_url ?? '',
    selfUrl: feed.feed_url ?? '',
    description: feed.description,
    language: feed.language ?? '',
    items: feed.items.map((item) => ({
      id: item.id,
      title: item.title ?? '',
      url: item.url ?? '',
      summary: item.summary,
      contentHtml: item.content_html,
      authors: (item.authors ?? []).map((author) => author.name ?? ''),
      categories: item.tags ?? [],
      published: parsedDate(item.date_published, 'date_published'),
      updated: item.date_modified ? parsedDate(item.date_modified, 'date_modified') : undefined,
    })),
  };
}

export function parseFeed(format: FeedFormat, body: string): Promise<FeedView> {
  if (format === 'rss') return parseRss(body);
  if (format === 'atom') return parseAtom(body);
  return Promise.resolve(parseJsonFeed(body));
}

/**
 * GETs `<base>.<format>` (e.g. `/blog/feed`), checks 200 and the media type, and parses it.
 * `query` is appended as is (e.g. `?site=…`).
 */
export async function readFeed(
  app: TestApp,
  base: string,
  format: FeedFormat,
  query = '',
): Promise<FeedView> {
  const response = await fetchFeed(app, `${base}.${format}${query}`);
  expect({
    url: `${base}.${format}${query}`,
    status: response.status,
    body: response.body,
  }).toMatchObject({ status: 200 });
  expect(response.headers.get('content-type')).toBe(`${FEED_MEDIA_TYPES[format]}; charset=utf-8`);
  return parseFeed(format, response.body);
}

/** The three formats of one feed. */
export async function readAllFormats(app: TestApp, base: string, query = ''): Promise<FeedView[]> {
  const views: FeedView[] = [];
  for (const format of FEED_FORMATS) views.push(await readFeed(app, base, format, query));
  return views;
}

/** The item titles of each format, keyed by format: `{ rss: [...], atom: [...], json: [...] }`. */
export async function itemTitles(
  app: TestApp,
  base: string,
  query = '',
): Promise<Record<FeedFormat, string[]>> {
  const views = await readAllFormats(app, base, query);
  return Object.fromEntries(
    views.map((view) => [view.format, view.items.map((item) => item.title)]),
  ) as Record<FeedFormat, string[]>;
}

/** The same titles in all three formats, as `{ rss: titles, atom: titles, json: titles }`. */
export function inEveryFormat<T>(value: T): Record<FeedFormat, T> {
  return { rss: value, atom: value, json: value };
}

// ---------------------------------------------------------------------------------------------
// The management API of hand-made feeds.

export interface FeedDefinitionView {
  id: string;
  slug: string;
  title: string;
  description: string;
  sourcePageId: string | null;
  source: 'children' | 'descendants';
  itemTypes: string[];
  linkFilter: { field: string; snippetId: string } | null;
  order: string;
  limit: number;
  fields: Partial<Record<'summary' | 'content' | 'author' | 'categories' | 'image', string>>;
  locale: string | null;
  urls: Record<FeedFormat, string>;
  createdAt: string;
  updatedAt: string;
}

/** Any `/api/admin/feeds` request; `body` is sent as JSON when given (a string as is). */
export function feedsRequest(
  app: TestApp,
  headers: Record<string, string>,
  method: string,
  path = '',
  body?: unknown,
): Promise<Response> {
  return fetch(`${app.baseUrl}/api/admin/feeds${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** POST /api/admin/feeds; throws with the response unless 201. */
export async function createFeed(
  app: TestApp,
  headers: Record<string, string>,
  feed: Record<string, unknown>,
): Promise<FeedDefinitionView> {
  const response = await feedsRequest(app, headers, 'POST', '', feed);
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`Creating feed ${String(feed.slug)} failed: ${response.status} ${text}`);
  }
  return JSON.parse(text) as FeedDefinitionView;
}
