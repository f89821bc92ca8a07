import type { RichTextFeature, RichTextField } from '#src/content-types/content-type-definition.js';
import {
  type ErrorCollector,
  describeKey,
  isPlainObject,
  isWebUrl,
  LONG_TEXT_DEFAULT_MAX_LENGTH,
  storableStringProblem,
  UUID_PATTERN,
} from '#src/content-types/content-value-checks.js';

/**
 * Rich text is a ProseMirror document in Tiptap's JSON (`{ "type": "doc", "content": [...] }`,
 * node names `bulletList`, `hardBreak`…, marks `bold`, `italic`, `link`…), checked against the
 * field's allowed features. ProseMirror's snake_case names (`bullet_list`, `strong`, `em`) are
 * accepted and stored under Tiptap's. Anything not on the allow-list is refused with its path;
 * the HTML renderer below builds every tag itself and escapes every string.
 */

export const RICH_TEXT_DEFAULT_FEATURES: readonly RichTextFeature[] = [
  'paragraph',
  'heading',
  'bold',
  'italic',
  'link',
  'bullet_list',
  'ordered_list',
  'hard_break',
];
export const RICH_TEXT_DEFAULT_HEADING_LEVELS: readonly number[] = [2, 3, 4];
/** Deeper documents are refused: nobody writes them, and walking them costs stack. */
export const RICH_TEXT_MAX_DEPTH = 30;
export const RICH_TEXT_MAX_NODES = 10_000;
const HREF_MAX_LENGTH = 2_000;
const ALT_MAX_LENGTH = 500;

export interface RichTextNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: RichTextNode[];
  marks?: RichTextMark[];
  text?: string;
}

export interface RichTextMark {
  type: string;
  attrs?: Record<string, unknown>;
}

const NODE_ALIASES: Record<string, string> = {
  bullet_list: 'bulletList',
  ordered_list: 'orderedList',
  list_item: 'listItem',
  code_block: 'codeBlock',
  horizontal_rule: 'horizontalRule',
  hard_break: 'hardBreak',
};
const MARK_ALIASES: Record<string, string> = { strong: 'bold', em: 'italic', s: 'strike' };

/** The feature that allows each node and mark. */
const NODE_FEATURES: Record<string, RichTextFeature | null> = {
  doc: null,
  text: null,
  paragraph: null,
  heading: 'heading',
  bulletList: 'bullet_list',
  orderedList: 'ordered_list',
  listItem: null,
  blockquote: 'blockquote',
  codeBlock: 'code_block',
  horizontalRule: 'horizontal_rule',
  hardBreak: 'hard_break',
  image: 'image',
};
const MARK_FEATURES: Record<string, RichTextFeature> = {
  bold: 'bold',
  italic: 'italic',
  underline: 'underline',
  strike: 'strike',
  code: 'code',
  link: 'link',
};

type ContentModel = 'blocks' | 'inline' | 'listItems' | 'plainText' | 'none';
const CONTENT_MODEL: Record<string, ContentModel> = {
  doc: 'blocks',
  paragraph: 'inline',
  heading: 'inline',
  bulletList: 'listItems',
  orderedList: 'listItems',
  listItem: 'blocks',
  blockquote: 'blocks',
  codeBlock: 'plainText',
  horizontalRule: 'none',
  hardBreak: 'none',
  image: 'none',
  text: 'none',
};
const INLINE_NODES = new Set(['text', 'hardBreak', 'image']);
const BLOCK_NODES = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'blockquote',
  'codeBlock',
  'horizontalRule',
  'image',
]);

const INTERNAL_LINK = /^(page|snippet|document):([0-9a-f-]{36})$/i;
const IMAGE_SOURCE = /^image:([0-9a-f-]{36})$/i;
const TEL = /^tel:\+?[0-9()./ -]{1,40}$/;
// eslint-disable-next-line no-control-regex -- browsers drop these inside URLs ("java\tscript:")
const URL_UNSAFE = /[\s\u0000-\u001f\u007f-\u009f]/;

export type LinkTarget =
  { kind: 'external'; href: string } | { kind: 'page' | 'snippet' | 'document'; id: string };

/** What a link's href may be: http(s), mailto, tel, or `page:`/`snippet:`/`document:<uuid>`. */
export function parseLinkHref(href: unknown): LinkTarget | undefined {
  if (typeof href !== 'string' || href.length > HREF_MAX_LENGTH || URL_UNSAFE.test(href)) {
    return undefined;
  }
  const internal = INTERNAL_LINK.exec(href);
  if (internal) {
    if (!UUID_PATTERN.test(internal[2])) return undefined;
    return {
      kind: internal[1].toLowerCase() as 'page' | 'snippet' | 'document',
      id: internal[2].toLowerCase(),
    };
  }
  if (isWebUrl(href)) return { kind: 'external', href };
  if (/^mailto:[^@\s]+@[^@\s]+$/i.test(href) && !/[<>"]/.test(href)) {
    return { kind: 'external', href };
  }
  if (TEL.test(href)) return { kind: 'external', href };
  return undefined;
}

/** The image id of an `image` node's `src` (`image:<uuid>`). */
export function parseImageSource(src: unknown): string | undefined {
  if (typeof src !== 'string') return undefined;
  const match = IMAGE_SOURCE.exec(src);
  return match && UUID_PATTERN.test(match[1]) ? match[1].toLowerCase() : undefined;
}

interface WalkState {
  features: Set<string>;
  headingLevels: Set<number>;
  errors: ErrorCollector;
  nodes: number;
  textLength: number;
  maxLength: number;
  failed: boolean;
}

/**
 * Checks a rich text document against `field`'s features; returns the stored form (aliases
 * renamed, nothing else changed) or undefined, with each problem added at its path.
 */
export function validateRichText(
  value: unknown,
  field: RichTextField,
  path: string,
  errors: ErrorCollector,
): RichTextNode | undefined {
  const state: WalkState = {
    features: new Set(['paragraph', ...(field.features ?? RICH_TEXT_DEFAULT_FEATURES)]),
    headingLevels: new Set(field.headingLevels ?? RICH_TEXT_DEFAULT_HEADING_LEVELS),
    errors,
    nodes: 0,
    textLength: 0,
    maxLength: field.maxLength ?? LONG_TEXT_DEFAULT_MAX_LENGTH,
    failed: false,
  };
  if (!isPlainObject(value) || value.type !== 'doc') {
    errors.add(path, 'must be a rich text document { "type": "doc", "content": [...] }');
    return undefined;
  }
  const doc = walkNode(value, path, 0, 'blocks', state);
  return state.failed ? undefined : doc;
}

function walkNode(
  input: Record<string, unknown>,
  path: string,
  depth: number,
  parentModel: ContentModel,
  state: WalkState,
): RichTextNode | undefined {
  const fail = (at: string, message: string): undefined => {
    state.failed = true;
    state.errors.add(at, message);
    return undefined;
  };
  if (depth > RICH_TEXT_MAX_DEPTH) {
    return fail(path, `nests deeper than ${RICH_TEXT_MAX_DEPTH} levels`);
  }
  if (++state.nodes > RICH_TEXT_MAX_NODES) {
    return fail(path, `the document has more than ${RICH_TEXT_MAX_NODES} nodes`);
  }
  for (const key of Object.keys(input)) {
    if (!['type', 'attrs', 'content', 'marks', 'text'].includes(key)) {
      fail(`${path}.${describeKey(key)}`, 'is not a property of a rich text node');
    }
  }
  const rawType = typeof input.type === 'string' ? input.type : undefined;
  const type = rawType === undefined ? undefined : (NODE_ALIASES[rawType] ?? rawType);
  if (type === undefined || !Object.hasOwn(NODE_FEATURES, type)) {
    return fail(`${path}.type`, `unknown node type ${JSON.stringify(rawType ?? null)}`);
  }
  const feature = NODE_FEATURES[type];
  if (feature !== null && !state.features.has(feature)) {
    return fail(`${path}.type`, `"${type}" is not allowed in this field`);
  }
  if (type === 'doc' && depth > 0) return fail(`${path}.type`, '"doc" may only be the root');
  if (depth > 0 && !fitsModel(type, parentModel)) {
    return fail(`${path}.type`, `"${type}" cannot be placed here`);
  }

  const node: RichTextNode = { type };
  const attrs = checkAttrs(type, input.attrs, `${path}.attrs`, state);
  if (attrs === null) return undefined;
  if (attrs) node.attrs = attrs;

  if (type === 'text') {
    if (typeof input.text !== 'string' || input.text === '') {
      return fail(`${path}.text`, 'must be a non-empty string');
    }
    const problem = storableStringProblem(input.text);
    if (problem) return fail(`${path}.text`, problem);
    state.textLength += input.text.length;
    if (state.textLength > state.maxLength) {
      return fail(`${path}.text`, `the document is longer than ${state.maxLength} characters`);
    }
    node.text = input.text;
    if (input.marks !== undefined) {
      const marks = checkMarks(input.marks, `${path}.marks`, parentModel === 'plainText', state);
      if (marks === null) return undefined;
      if (marks.length > 0) node.marks = marks;
    }
    return node;
  }
  if (input.text !== undefined) return fail(`${path}.text`, 'only text nodes hold text');
  if (input.marks !== undefined) return fail(`${path}.marks`, 'only text nodes have marks');

  const model = CONTENT_MODEL[type];
  if (input.content !== undefined) {
    if (model === 'none') return fail(`${path}.content`, `"${type}" has no content`);
    if (!Array.isArray(input.content)) return fail(`${path}.content`, 'must be an array of nodes');
    const children: RichTextNode[] = [];
    input.content.forEach((child: unknown, index) => {
      const childPath = `${path}.content[${index}]`;
      if (state.errors.full) return;
      if (!isPlainObject(child)) {
        fail(childPath, 'must be a node object');
        return;
      }
      const checked = walkNode(child, childPath, depth + 1, model, state);
      if (checked) children.push(checked);
    });
    node.content = children;
  }
  return node;
}

function fitsModel(type: string, model: ContentModel): boolean {
  switch (model) {
    case 'blocks':
      return BLOCK_NODES.has(type);
    case 'inline':
      return INLINE_NODES.has(type);
    case 'listItems':
      return type === 'listItem';
    case 'plainText':
      return type === 'text';
    case 'none':
      return false;
  }
}

/** The node's attrs, checked; `null` when they failed (errors added), undefined when none. */
function checkAttrs(
  type: string,
  attrs: unknown,
  path: string,
  state: WalkState,
): Record<string, unknown> | null | undefined {
  const fail = (at: string, message: string): null => {
    state.failed = true;
    state.errors.add(at, message);
    return null;
  };
  if (attrs === undefined || attrs === null) {
    if (type === 'heading') return fail(path, 'a heading needs attrs.level');
    if (type === 'image') return fail(path, 'an image needs attrs.src');
    return undefined;
  }
  if (!isPlainObject(attrs)) return fail(path, 'must be an object');
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attrs)) {
    const at = `${path}.${describeKey(key)}`;
    if (type === 'heading' && key === 'level') {
      if (typeof value !== 'number' || !state.headingLevels.has(value)) {
        return fail(at, `must be one of the heading levels ${[...state.headingLevels].join(', ')}`);
      }
      output.level = value;
    } else if (type === 'orderedList' && key === 'start') {
      if (!Number.isSafeInteger(value) || (value as number) < 0) {
        return fail(at, 'must be a whole number from 0');
      }
      output.start = value;
    } else if (type === 'orderedList' && key === 'type' && value === null) {
      // Tiptap writes `type: null`; nothing to keep.
    } else if (type === 'codeBlock' && key === 'language') {
      if (
        value !== null &&
        (typeof value !== 'string' || !/^[A-Za-z0-9+#._-]{1,40}$/.test(value))
      ) {
        return fail(at, 'must be a language name like "typescript"');
      }
      if (value !== null) output.language = value;
    } else if (type === 'image' && key === 'src') {
      if (parseImageSource(value) === undefined) {
        return fail(at, 'must be "image:<uuid>", an image of the media library');
      }
      output.src = (value as string).toLowerCase();
    } else if (type === 'image' && (key === 'alt' || key === 'title')) {
      if (value !== null && (typeof value !== 'string' || value.length > ALT_MAX_LENGTH)) {
        return fail(at, `must be a string of at most ${ALT_MAX_LENGTH} characters`);
      }
      if (value !== null) output[key] = value;
    } else {
      return fail(at, `is not an attribute of "${type}"`);
    }
  }
  if (type === 'heading' && output.level === undefined) {
    return fail(`${path}.level`, 'is required');
  }
  if (type === 'image' && output.src === undefined) return fail(`${path}.src`, 'is required');
  return Object.keys(output).length > 0 ? output : undefined;
}

function checkMarks(
  marks: unknown,
  path: string,
  inCode: boolean,
  state: WalkState,
): RichTextMark[] | null {
  const fail = (at: string, message: string): null => {
    state.failed = true;
    state.errors.add(at, message);
    return null;
  };
  if (!Array.isArray(marks)) return fail(path, 'must be an array of marks');
  if (inCode && marks.length > 0) return fail(path, 'code blocks hold plain text only');
  if (marks.length > Object.keys(MARK_FEATURES).length) return fail(path, 'has too many marks');
  const output: RichTextMark[] = [];
  const seen = new Set<string>();
  for (const [index, mark] of marks.entries()) {
    const at = `${path}[${index}]`;
    if (!isPlainObject(mark)) return fail(at, 'must be a mark object');
    for (const key of Object.keys(mark)) {
      if (key !== 'type' && key !== 'attrs') {
        return fail(`${at}.${describeKey(key)}`, 'is not a property of a mark');
      }
    }
    const rawType = typeof mark.type === 'string' ? mark.type : undefined;
    const type = rawType === undefined ? undefined : (MARK_ALIASES[rawType] ?? rawType);
    if (type === undefined || !Object.hasOwn(MARK_FEATURES, type)) {
      return fail(`${at}.type`, `unknown mark ${JSON.stringify(rawType ?? null)}`);
    }
    if (!state.features.has(MARK_FEATURES[type])) {
      return fail(`${at}.type`, `"${type}" is not allowed in this field`);
    }
    if (seen.has(type)) return fail(`${at}.type`, `"${type}" is applied twice`);
    seen.add(type);
    if (type !== 'link') {
      if (mark.attrs !== undefined && mark.attrs !== null) {
        if (!isPlainObject(mark.attrs) || Object.keys(mark.attrs).length > 0) {
          return fail(`${at}.attrs`, `"${type}" has no attributes`);
        }
      }
      output.push({ type });
      continue;
    }
    if (!isPlainObject(mark.attrs)) return fail(`${at}.attrs`, 'a link needs attrs.href');
    const attrs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(mark.attrs)) {
      const attrPath = `${at}.attrs.${describeKey(key)}`;
      if (key === 'href') {
        if (!parseLinkHref(value)) {
          return fail(
            attrPath,
            'must be an http, https, mailto or tel URL, or page:/snippet:/document:<uuid>',
          );
        }
        attrs.href = value;
      } else if (key === 'target') {
        if (value !== null && value !== '_blank') return fail(attrPath, 'must be "_blank" or null');
        if (value === '_blank') attrs.target = value;
      } else if (key === 'rel' || key === 'class') {
        // Tiptap writes these; the renderer sets rel itself and never a class.
        if (value !== null && typeof value !== 'string') return fail(attrPath, 'must be a string');
      } else if (key === 'title') {
        if (value !== null && (typeof value !== 'string' || value.length > ALT_MAX_LENGTH)) {
          return fail(attrPath, `must be a string of at most ${ALT_MAX_LENGTH} characters`);
        }
        if (value !== null) attrs.title = value;
      } else {
        return fail(attrPath, 'is not an attribute of a link');
      }
    }
    if (attrs.href === undefined) return fail(`${at}.attrs.href`, 'is required');
    output.push({ type, attrs });
  }
  return output;
}

// ---------------------------------------------------------------------------------------
// Rendering

export interface RichTextRenderOptions {
  /** The public URL of an internal page link; the link is dropped (text kept) when undefined. */
  resolvePageUrl?: (id: string) => string | undefined;
  resolveDocumentUrl?: (id: string) => string | undefined;
  resolveSnippetUrl?: (id: string) => string | undefined;
  /** The URL of an image node; the image is left out when undefined. */
  resolveImageUrl?: (id: string) => string | undefined;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

const BLOCK_TAGS: Record<string, string> = {
  paragraph: 'p',
  bulletList: 'ul',
  orderedList: 'ol',
  listItem: 'li',
  blockquote: 'blockquote',
};
const MARK_TAGS: Record<string, string> = {
  bold: 'strong',
  italic: 'em',
  underline: 'u',
  strike: 's',
  code: 'code',
};

/** A resolved URL is used only when it is http(s) or a path on this site. */
function safeResolvedUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (url.startsWith('/') && !url.startsWith('//') && !URL_UNSAFE.test(url)) return url;
  return isWebUrl(url) ? url : undefined;
}

/**
 * Sanitized HTML of a rich text document. Every tag comes from the fixed maps above, every
 * string is escaped, unknown nodes and marks are dropped (their text kept), links are
 * re-checked (stored documents predate today's rules) and external ones get
 * `rel="noopener noreferrer"`. No HTML in the input ever reaches the output.
 */
export function renderRichText(doc: unknown, options: RichTextRenderOptions = {}): string {
  if (!isPlainObject(doc) || doc.type !== 'doc') return '';
  return renderChildren(doc, options, 0);
}

function renderChildren(
  node: Record<string, unknown>,
  options: RichTextRenderOptions,
  depth: number,
) {
  if (!Array.isArray(node.content) || depth > RICH_TEXT_MAX_DEPTH) return '';
  return node.content
    .map((child: unknown) => (isPlainObject(child) ? renderNode(child, options, depth + 1) : ''))
    .join('');
}

function renderNode(
  node: Record<string, unknown>,
  options: RichTextRenderOptions,
  depth: number,
): string {
  const rawType = typeof node.type === 'string' ? node.type : '';
  const type = NODE_ALIASES[rawType] ?? rawType;
  const attrs = isPlainObject(node.attrs) ? node.attrs : {};
  switch (type) {
    case 'text':
      return typeof node.text === 'string' ? renderMarks(node.text, node.marks, options) : '';
    case 'hardBreak':
      return '<br>';
    case 'horizontalRule':
      return '<hr>';
    case 'heading': {
      const level =
        typeof attrs.level === 'number' && attrs.level >= 1 && attrs.level <= 6
          ? Math.trunc(attrs.level)
          : 2;
      return `<h${level}>${renderChildren(node, options, depth)}</h${level}>`;
    }
    case 'codeBlock': {
      const language =
        typeof attrs.language === 'string' && /^[A-Za-z0-9+#._-]{1,40}$/.test(attrs.language)
          ? ` class="language-${escapeHtml(attrs.language)}"`
          : '';
      const text = Array.isArray(node.content)
        ? node.content
            .map((child: unknown) =>
              isPlainObject(child) && typeof child.text === 'string' ? child.text : '',
            )
            .join('')
        : '';
      return `<pre><code${language}>${escapeHtml(text)}</code></pre>`;
    }
    case 'orderedList': {
      const start =
        Number.isSafeInteger(attrs.start) && attrs.start !== 1
          ? ` start="${attrs.start as number}"`
          : '';
      return `<ol${start}>${renderChildren(node, options, depth)}</ol>`;
    }
    case 'image': {
      const id = parseImageSource(attrs.src);
      const url = id === undefined ? undefined : safeResolvedUrl(options.resolveImageUrl?.(id));
      if (url === undefined) return '';
      const alt = typeof attrs.alt === 'string' ? attrs.alt : '';
      return `<img src="${escapeHtml(url)}" alt="${escapeHtml(alt)}">`;
    }
    default: {
      const tag = BLOCK_TAGS[type];
      const inner = renderChildren(node, options, depth);
      return tag ? `<${tag}>${inner}</${tag}>` : inner;
    }
  }
}

function renderMarks(text: string, marks: unknown, options: RichTextRenderOptions): string {
  let html = escapeHtml(text);
  if (!Array.isArray(marks)) return html;
  // Links wrap the other marks, as editors show them.
  const ordered = (marks as unknown[]).filter(isPlainObject).sort((a, b) => {
    const rank = (mark: Record<string, unknown>) => (mark.type === 'link' ? 1 : 0);
    return rank(a) - rank(b);
  });
  for (const mark of ordered) {
    const rawType = typeof mark.type === 'string' ? mark.type : '';
    const type = MARK_ALIASES[rawType] ?? rawType;
    if (type === 'link') {
      html = renderLink(html, isPlainObject(mark.attrs) ? mark.attrs : {}, options);
    } else if (MARK_TAGS[type]) {
      html = `<${MARK_TAGS[type]}>${html}</${MARK_TAGS[type]}>`;
    }
  }
  return html;
}

function renderLink(
  inner: string,
  attrs: Record<string, unknown>,
  options: RichTextRenderOptions,
): string {
  const target = parseLinkHref(attrs.href);
  if (!target) return inner;
  const title = typeof attrs.title === 'string' ? ` title="${escapeHtml(attrs.title)}"` : '';
  if (target.kind === 'external') {
    const blank = attrs.target === '_blank' ? ' target="_blank"' : '';
    return `<a href="${escapeHtml(target.href)}" rel="noopener noreferrer"${blank}${title}>${inner}</a>`;
  }
  const resolver =
    target.kind === 'page'
      ? options.resolvePageUrl
      : target.kind === 'document'
        ? options.resolveDocumentUrl
        : options.resolveSnippetUrl;
  const url = safeResolvedUrl(resolver?.(target.id));
  if (url === undefined) return inner;
  return `<a href="${escapeHtml(url)}"${title}>${inner}</a>`;
}

/** The plain text of a document, blocks separated by newlines (for search and summaries). */
export function richTextToPlainText(doc: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (!isPlainObject(node) || depth > RICH_TEXT_MAX_DEPTH) return;
    if (typeof node.text === 'string') parts.push(node.text);
    if (node.type === 'hardBreak' || node.type === 'hard_break') parts.push('\n');
    if (Array.isArray(node.content)) {
      for (const child of node.content) walk(child, depth + 1);
      if (node.type !== 'doc' && !INLINE_NODES.has(String(node.type))) parts.push('\n');
    }
  };
  walk(doc, 0);
  return parts
    .join('')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** Internal links and images of a document, with the path of each node. */
export function richTextReferences(
  doc: unknown,
  path: string,
): Array<{ kind: 'page' | 'snippet' | 'document' | 'image'; id: string; path: string }> {
  const found: Array<{
    kind: 'page' | 'snippet' | 'document' | 'image';
    id: string;
    path: string;
  }> = [];
  const walk = (node: unknown, at: string, depth: number): void => {
    if (!isPlainObject(node) || depth > RICH_TEXT_MAX_DEPTH) return;
    if (node.type === 'image' && isPlainObject(node.attrs)) {
      const id = parseImageSource(node.attrs.src);
      if (id) found.push({ kind: 'image', id, path: at });
    }
    if (Array.isArray(node.marks)) {
      for (const mark of node.marks) {
        if (!isPlainObject(mark) || mark.type !== 'link' || !isPlainObject(mark.attrs)) continue;
        const target = parseLinkHref(mark.attrs.href);
        if (target && target.kind !== 'external')
          found.push({ kind: target.kind, id: target.id, path: at });
      }
    }
    if (Array.isArray(node.content)) {
      node.content.forEach((child: unknown, index) =>
        walk(child, `${at}.content[${index}]`, depth + 1),
      );
    }
  };
  walk(doc, path, 0);
  return found;
}
