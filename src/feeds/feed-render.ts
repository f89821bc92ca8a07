import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

/**
 * Writing a feed in each format from one model. XML goes through xmlbuilder2, which
 * escapes every string and drops the characters XML 1.0 cannot hold (control characters,
 * lone surrogates); JSON through JSON.stringify. Text is never written as CDATA, so `]]>`
 * in content is just text.
 */

export const FEED_FORMATS = ['rss', 'atom', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const FEED_MEDIA_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

export interface FeedImage {
  url: string;
  /** Bytes. */
  length: number;
  type: string;
}

export interface FeedEntry {
  /** A stable id: a tag URI. */
  id: string;
  url: string;
  title: string;
  published: Date;
  updated: Date;
  /** Plain text. */
  summary?: string;
  /** Sanitized HTML with absolute URLs. */
  contentHtml?: string;
  authors: string[];
  categories: string[];
  image?: FeedImage;
}

export interface FeedDocument {
  id: string;
  title: string;
  description: string;
  /** The page the feed belongs to, on the site. */
  homeUrl: string;
  /** The feed's own URL in each format. */
  feedUrls: Record<FeedFormat, string>;
  language: string;
  updated: Date;
  /** Who publishes the feed (the site's name): Atom needs an author. */
  author: string;
  entries: FeedEntry[];
}

/** Characters no feed should carry: C0 controls but tab and line breaks, DEL, lone surrogates. */
const UNWANTED =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text without the characters XML cannot hold (JSON could, but readers choke on them). */
export function cleanText(value: string): string {
  return value.replace(UNWANTED, '');
}

const XML_OPTIONS = { version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' } as const;

/**
 * Text as xmlbuilder2 must be given it: it escapes `<` and `>`, but leaves as it is an `&`
 * that starts something entity-like (`&lt;`, `&#60;`), so every `&` is escaped here first —
 * else the escaped HTML of `content:encoded` would reach readers as markup.
 */
function xmlText(value: string): string {
  return cleanText(value).replace(/&/g, '&amp;');
}

/** An element with attributes, each escaped as text is. */
function element(parent: XMLBuilder, name: string, attributes: Record<string, string> = {}) {
  return parent.ele(
    name,
    Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, xmlText(value)])),
  );
}

function text(
  parent: XMLBuilder,
  name: string,
  value: string,
  attributes?: Record<string, string>,
) {
  element(parent, name, attributes).txt(xmlText(value));
}

function xmlDocument(root: XMLBuilder): string {
  return root.end({ prettyPrint: true, headless: false });
}

/** RSS 2.0 with the Atom (self link), content (full content) and Dublin Core (creator) modules. */
export function renderRss(feed: FeedDocument): string {
  const root = create(XML_OPTIONS).ele('rss', {
    version: '2.0',
    'xmlns:atom': 'http://www.w3.org/2005/Atom',
    'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
    'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  });
  const channel = root.ele('channel');
  text(channel, 'title', feed.title);
  text(channel, 'link', feed.homeUrl);
  text(channel, 'description', feed.description || feed.title);
  text(channel, 'language', feed.language);
  text(channel, 'lastBuildDate', feed.updated.toUTCString());
  text(channel, 'generator', 'Finch');
  element(channel, 'atom:link', {
    href: feed.feedUrls.rss,
    rel: 'self',
    type: FEED_MEDIA_TYPES.rss,
  });
  for (const entry of feed.entries) {
    const item = channel.ele('item');
    text(item, 'title', entry.title);
    text(item, 'link', entry.url);
    text(item, 'guid', entry.id, { isPermaLink: 'false' });
    text(item, 'pubDate', entry.published.toUTCString());
    if (entry.summary) text(item, 'description', entry.summary);
    if (entry.contentHtml) text(item, 'content:encoded', entry.contentHtml);
    for (const author of entry.authors) text(item, 'dc:creator', author);
    for (const category of entry.categories) text(item, 'category', category);
    if (entry.image) {
      element(item, 'enclosure', {
        url: entry.image.url,
        length: String(entry.image.length),
        type: entry.image.type,
      });
    }
  }
  return xmlDocument(root);
}

/** Atom 1.0 (RFC 4287). */
export function renderAtom(feed: FeedDocument): string {
  const root = create(XML_OPTIONS).ele('http://www.w3.org/2005/Atom', 'feed', {
    'xml:lang': xmlText(feed.language),
  });
  text(root, 'id', feed.id);
  text(root, 'title', feed.title);
  if (feed.description) text(root, 'subtitle', feed.description);
  text(root, 'updated', feed.updated.toISOString());
  element(root, 'link', { rel: 'self', type: FEED_MEDIA_TYPES.atom, href: feed.feedUrls.atom });
  element(root, 'link', { rel: 'alternate', type: 'text/html', href: feed.homeUrl });
  text(root.ele('author'), 'name', feed.author);
  text(root, 'generator', 'Finch');
  for (const entry of feed.entries) {
    const entryElement = root.ele('entry');
    text(entryElement, 'id', entry.id);
    text(entryElement, 'title', entry.title, { type: 'text' });
    element(entryElement, 'link', { rel: 'alternate', type: 'text/html', href: entry.url });
    text(entryElement, 'published', entry.published.toISOString());
    text(entryElement, 'updated', entry.updated.toISOString());
    for (const author of entry.authors) text(entryElement.ele('author'), 'name', author);
    if (entry.summary) text(entryElement, 'summary', entry.summary, { type: 'text' });
    if (entry.contentHtml) text(entryElement, 'content', entry.contentHtml, { type: 'html' });
    for (const category of entry.categories) {
      element(entryElement, 'category', { term: category });
    }
    if (entry.image) {
      element(entryElement, 'link', {
        rel: 'enclosure',
        href: entry.image.url,
        length: String(entry.image.length),
        type: entry.image.type,
      });
    }
  }
  return xmlDocument(root);
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1). */
export function renderJsonFeed(feed: FeedDocument): string {
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: cleanText(feed.title),
    home_page_url: feed.homeUrl,
    feed_url: feed.feedUrls.json,
    ...(feed.description ? { description: cleanText(feed.description) } : {}),
    language: feed.language,
    authors: [{ name: cleanText(feed.author) }],
    items: feed.entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      title: cleanText(entry.title),
      ...(entry.summary ? { summary: cleanText(entry.summary) } : {}),
      // JSON Feed needs content_html or content_text in every item.
      ...(entry.contentHtml
        ? { content_html: cleanText(entry.contentHtml) }
        : { content_text: cleanText(entry.summary ?? entry.title) }),
      ...(entry.image ? { image: entry.image.url } : {}),
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      ...(entry.authors.length > 0
        ? { authors: entry.authors.map((name) => ({ name: cleanText(name) })) }
        : {}),
      ...(entry.categories.length > 0 ? { tags: entry.categories.map(cleanText) } : {}),
      ...(entry.image
        ? {
            attachments: [
              {
                url: entry.image.url,
                mime_type: entry.image.type,
                size_in_bytes: entry.image.length,
              },
            ],
          }
        : {}),
    })),
  };
  return JSON.stringify(document);
}

export const RENDERERS: Record<FeedFormat, (feed: FeedDocument) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};
