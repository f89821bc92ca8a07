import {
  type BlockDefinition,
  type ContentTypeDefinition,
  FEED_ITEM_PARTS,
  type FeedItemFields,
  type FeedItemPart,
  type FieldDefinition,
} from '#src/content-types/content-type-definition.js';
import { escapeHtml, renderRichText, richTextToPlainText } from '#src/content-types/rich-text.js';
import type { FeedEntry, FeedImage } from '#src/feeds/feed-render.js';
import type { FeedItemRow } from '#src/feeds/feed-sql.js';

/**
 * An item's parts from its content: the fields chosen by the feed (hand-made feeds may
 * choose) or by the item's content type (`feed.summaryField` and its kin). HTML comes from
 * the API's own rich text renderer (an allow-list; every string escaped), with links to
 * pages made absolute.
 */

export interface ItemContext {
  lookup: (type: string) => ContentTypeDefinition | undefined;
  /** The feed's own choice of fields, over the item types'. */
  fields: FeedItemFields;
  /** Absolute URL of a live page, by id (links in rich text). */
  pageUrl: (id: string) => string | undefined;
  /** Absolute URL of a page by its `url_path` (the item's link). */
  urlOfPath: (urlPath: string) => string | undefined;
  snippetTitle: (id: string) => string | undefined;
  /** An image's URL, size and type, when media can tell (issue 9); undefined leaves it out. */
  image: (id: string) => FeedImage | undefined;
  /** The host name in tag URIs. */
  tagAuthority: string;
}

const PART_SETTING: Record<FeedItemPart, keyof NonNullable<ContentTypeDefinition['feed']>> = {
  summary: 'summaryField',
  content: 'contentField',
  author: 'authorField',
  categories: 'categoriesField',
  image: 'imageField',
};

/** `tag:<authority>,<YYYY-MM-DD>:<specific>` (RFC 4151): stable across moves and renames. */
export function tagUri(authority: string, date: Date, specific: string): string {
  return `tag:${authority},${date.toISOString().slice(0, 10)}:${specific}`;
}

/** The field giving `part` of an item of `definition`, when it exists and has a fitting type. */
function fieldFor(
  part: FeedItemPart,
  definition: ContentTypeDefinition | undefined,
  chosen: FeedItemFields,
): FieldDefinition | undefined {
  if (!definition) return undefined;
  const key = chosen[part] ?? definition.feed?.[PART_SETTING[part]];
  if (typeof key !== 'string') return undefined;
  const field = definition.fields.find((candidate) => candidate.key === key);
  if (!field || !(FEED_ITEM_PARTS[part] as readonly string[]).includes(field.type))
    return undefined;
  return field;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function linkIds(value: unknown): string[] {
  const links = Array.isArray(value) ? value : [value];
  return links.flatMap((link) => (isObject(link) && typeof link.id === 'string' ? [link.id] : []));
}

/** Paragraphs of plain text: blank lines part them, single line breaks become `<br>`. */
function textHtml(value: string): string {
  return value
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

export class FeedItemBuilder {
  constructor(private readonly context: ItemContext) {}

  entry(row: FeedItemRow): FeedEntry | undefined {
    const url = this.context.urlOfPath(row.url_path);
    if (!url || !row.first_published_at) return undefined;
    const definition = this.context.lookup(row.type);
    const content = row.content ?? {};
    const value = (part: FeedItemPart) => {
      const field = fieldFor(part, definition, this.context.fields);
      return field ? { field, value: content[field.key] } : undefined;
    };
    const published = new Date(row.first_published_at);
    const updated = new Date(row.last_published_at ?? row.first_published_at);
    const summary = value('summary');
    const body = value('content');
    const image = value('image');
    const imageId = image ? linkIds(image.value)[0] : undefined;
    return {
      id: tagUri(this.context.tagAuthority, published, `page:${row.id}`),
      url,
      title: row.title,
      published,
      updated,
      summary: summary ? this.plainText(summary.field, summary.value) || undefined : undefined,
      contentHtml: body ? this.html(body.field, body.value) || undefined : undefined,
      authors: this.names(value('author')),
      categories: this.names(value('categories')),
      image: imageId ? this.context.image(imageId) : undefined,
    };
  }

  private plainText(field: FieldDefinition, value: unknown): string {
    if (field.type === 'rich_text') return richTextToPlainText(value).trim();
    return typeof value === 'string' ? value.trim() : '';
  }

  /** Authors or categories: snippet titles, choice labels, or the text itself. */
  private names(part: { field: FieldDefinition; value: unknown } | undefined): string[] {
    if (!part || part.value === undefined || part.value === null) return [];
    const { field, value } = part;
    if (field.type === 'snippet_link') {
      return linkIds(value).flatMap((id) => {
        const title = this.context.snippetTitle(id);
        return title ? [title] : [];
      });
    }
    if (field.type === 'choice') {
      const values = Array.isArray(value) ? value : [value];
      return values.flatMap((entry) => {
        const choice = field.choices.find((candidate) => candidate.value === entry);
        return choice ? [choice.label ?? choice.value] : [];
      });
    }
    return typeof value === 'string' && value.trim() ? [value.trim()] : [];
  }

  /** Sanitized HTML of a field or block value; nothing for what has no HTML form. */
  html(field: FieldDefinition | BlockDefinition, value: unknown, blockKey?: string): string {
    if (value === undefined || value === null) return '';
    switch (field.type) {
      case 'rich_text':
        return renderRichText(value, { resolvePageUrl: this.context.pageUrl });
      case 'text':
        if (typeof value !== 'string' || !value.trim()) return '';
        return blockKey === 'heading'
          ? `<h2>${escapeHtml(value.trim())}</h2>`
          : `<p>${escapeHtml(value.trim())}</p>`;
      case 'long_text':
        return typeof value === 'string' ? textHtml(value) : '';
      case 'stream':
        if (!Array.isArray(value)) return '';
        return value
          .map((block: unknown) => {
            if (!isObject(block)) return '';
            const definition = field.blocks.find((candidate) => candidate.key === block.type);
            return definition ? this.html(definition, block.value, definition.key) : '';
          })
          .join('');
      case 'struct': {
        if (!isObject(value)) return '';
        const inner = field.fields
          .map((child) => this.html(child, value[child.key], child.key))
          .join('');
        return blockKey === 'quote' && inner ? `<blockquote>${inner}</blockquote>` : inner;
      }
      case 'list':
        if (!Array.isArray(value)) return '';
        return value.map((entry: unknown) => this.html(field.item, entry)).join('');
      case 'image': {
        const id = linkIds(value)[0];
        const image = id ? this.context.image(id) : undefined;
        return image ? `<p><img src="${escapeHtml(image.url)}" alt=""></p>` : '';
      }
      default:
        return '';
    }
  }
}
