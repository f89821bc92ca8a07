import { describe, expect, it } from '@jest/globals';
import type { RichTextField } from '#src/content-types/content-type-definition.js';
import { ErrorCollector } from '#src/content-types/content-value-checks.js';
import {
  parseLinkHref,
  renderRichText,
  richTextReferences,
  richTextToPlainText,
  validateRichText,
} from '#src/content-types/rich-text.js';

const PAGE = '6f1c1e0a-8f2e-4a57-9a53-4b1b8f6f0a01';
const IMAGE = '0b8f3c3e-1d2a-4c5b-8e7f-9a0b1c2d3e4f';
const field: RichTextField = { key: 'body', type: 'rich_text' };

const doc = (...content: unknown[]) => ({ type: 'doc', content });
const paragraph = (...content: unknown[]) => ({ type: 'paragraph', content });
const text = (value: string, marks?: unknown[]) => ({
  type: 'text',
  text: value,
  ...(marks ? { marks } : {}),
});
const link = (href: string) => ({ type: 'link', attrs: { href } });

function check(value: unknown, options: Partial<RichTextField> = {}) {
  const errors = new ErrorCollector();
  const result = validateRichText(value, { ...field, ...options }, 'content.body', errors);
  return { result, errors: errors.errors };
}

describe('rich text validation', () => {
  it('accepts a document of the default features and stores Tiptap names', () => {
    const input = doc(
      { type: 'heading', attrs: { level: 2 }, content: [text('Title')] },
      paragraph(text('Hello '), text('world', [{ type: 'strong' }, link('https://example.com')])),
      { type: 'bullet_list', content: [{ type: 'list_item', content: [paragraph(text('one'))] }] },
      paragraph(text('see'), { type: 'hard_break' }, text('page', [link(`page:${PAGE}`)])),
    );
    const { result, errors } = check(input);
    expect(errors).toEqual([]);
    expect(result?.content?.[1].content?.[1].marks).toEqual([
      { type: 'bold' },
      { type: 'link', attrs: { href: 'https://example.com' } },
    ]);
    expect(result?.content?.[2].type).toBe('bulletList');
  });

  it.each([
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['java\tscript:alert(1)'],
    [' javascript:alert(1)'],
    ['data:text/html;base64,PHNjcmlwdD4='],
    ['vbscript:msgbox'],
    ['//evil.example.com'],
    ['/relative'],
    ['page:not-a-uuid'],
    ['file:///etc/passwd'],
    ['mailto:a@b.c?body=<script>'],
  ])('refuses the link %j with the path of the offending attribute', (href) => {
    const { result, errors } = check(doc(paragraph(text('a'), text('b', [link(href)]))));
    expect(result).toBeUndefined();
    expect(errors).toContainEqual({
      path: 'content.body.content[0].content[1].marks[0].attrs.href',
      message: expect.stringMatching(/http, https, mailto or tel/),
    });
  });

  it.each([
    ['https://example.com/a?b=c#d'],
    ['http://example.com'],
    ['mailto:ada@example.com'],
    ['tel:+44-20-7946-0958'],
    [`page:${PAGE}`],
    [`snippet:${PAGE}`],
    [`document:${PAGE}`],
  ])('accepts the link %j', (href) => {
    expect(parseLinkHref(href)).toBeDefined();
  });

  it.each([
    [doc({ type: 'script', content: [text('x')] }), 'content.body.content[0].type', /unknown node/],
    [
      doc(paragraph({ type: 'text', text: 'x', html: '<b>' })),
      'content.body.content[0].content[0].html',
      /not a property/,
    ],
    [
      doc(paragraph(text('x', [{ type: 'highlight' }]))),
      'content.body.content[0].content[0].marks[0].type',
      /unknown mark/,
    ],
    [
      doc(paragraph(text('x', [{ type: 'underline' }]))),
      'content.body.content[0].content[0].marks[0].type',
      /not allowed/,
    ],
    [
      doc({ type: 'heading', attrs: { level: 1 }, content: [text('x')] }),
      'content.body.content[0].attrs.level',
      /heading levels/,
    ],
    [
      doc({ type: 'paragraph', attrs: { style: 'color:red' }, content: [text('x')] }),
      'content.body.content[0].attrs.style',
      /not an attribute/,
    ],
    [
      doc(
        paragraph(
          text('x', [{ type: 'link', attrs: { href: 'https://a.example', onclick: 'x' } }]),
        ),
      ),
      'content.body.content[0].content[0].marks[0].attrs.onclick',
      /not an attribute/,
    ],
    [doc(text('loose')), 'content.body.content[0].type', /cannot be placed/],
    [
      doc(paragraph(paragraph(text('x')))),
      'content.body.content[0].content[0].type',
      /cannot be placed/,
    ],
    [
      doc({ type: 'codeBlock', content: [text('x')] }),
      'content.body.content[0].type',
      /not allowed/,
    ],
    [
      doc(paragraph({ type: 'text', text: '' })),
      'content.body.content[0].content[0].text',
      /non-empty/,
    ],
    [{ type: 'paragraph' }, 'content.body', /rich text document/],
    ['<p>html</p>', 'content.body', /rich text document/],
  ])('refuses hostile or unknown input %#', (input, path, message) => {
    const { result, errors } = check(input);
    expect(result).toBeUndefined();
    expect(errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses documents nested deeper than 30 levels', () => {
    let node: Record<string, unknown> = paragraph(text('deep'));
    for (let level = 0; level < 40; level++) node = { type: 'blockquote', content: [node] };
    const { result, errors } = check(doc(node), { features: ['blockquote'] });
    expect(result).toBeUndefined();
    expect(errors[0].message).toMatch(/deeper than 30/);
    expect(errors[0].path).toMatch(/^content\.body(\.content\[0\]){31}$/);
  });

  it('refuses huge documents', () => {
    const many = doc(...Array.from({ length: 6_000 }, () => paragraph(text('x'))));
    expect(check(many).errors[0].message).toMatch(/more than 10000 nodes/);
    const long = doc(paragraph(text('x'.repeat(200))));
    expect(check(long, { maxLength: 100 }).errors[0].message).toMatch(/longer than 100/);
  });
});

describe('rich text rendering', () => {
  it('escapes every string and builds every tag itself', () => {
    const html = renderRichText(
      doc(
        paragraph(text('<script>alert("x")</script> & \'')),
        { type: 'heading', attrs: { level: 3 }, content: [text('<b>')] },
        { type: 'codeBlock', attrs: { language: 'js"><script>' }, content: [text('<i>')] },
      ),
    );
    expect(html).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;</p><h3>&lt;b&gt;</h3><pre><code>&lt;i&gt;</code></pre>',
    );
  });

  it('renders external links with rel="noopener noreferrer" and drops unsafe ones', () => {
    const html = renderRichText(
      doc(
        paragraph(
          text('ok', [
            { type: 'bold' },
            { type: 'link', attrs: { href: 'https://a.example/?q="x"', target: '_blank' } },
          ]),
          text('bad', [link('javascript:alert(1)')]),
        ),
      ),
    );
    expect(html).toBe(
      '<p><a href="https://a.example/?q=&quot;x&quot;" rel="noopener noreferrer" target="_blank"><strong>ok</strong></a>bad</p>',
    );
  });

  it('resolves internal links and images, dropping what does not resolve', () => {
    const input = doc(
      paragraph(text('home', [link(`page:${PAGE}`)]), text('gone', [link(`document:${PAGE}`)])),
      { type: 'image', attrs: { src: `image:${IMAGE}`, alt: 'A "cat"' } },
    );
    expect(
      renderRichText(input, {
        resolvePageUrl: (id) => (id === PAGE ? '/blog/' : undefined),
        resolveImageUrl: () => 'https://cdn.example/cat.jpg',
      }),
    ).toBe(
      '<p><a href="/blog/">home</a>gone</p><img src="https://cdn.example/cat.jpg" alt="A &quot;cat&quot;">',
    );
    expect(renderRichText(input, { resolvePageUrl: () => 'javascript:alert(1)' })).toBe(
      '<p>homegone</p>',
    );
  });

  it('renders nothing for input that is not a document, and never raw HTML', () => {
    expect(renderRichText('<p>x</p>')).toBe('');
    expect(renderRichText(doc({ type: 'html', content: [text('<b>x</b>')] }))).toBe(
      '&lt;b&gt;x&lt;/b&gt;',
    );
  });

  it('flattens to plain text and lists internal references with their paths', () => {
    const input = doc(
      paragraph(text('Hello '), text('there', [link(`page:${PAGE}`)])),
      { type: 'image', attrs: { src: `image:${IMAGE}` } },
      paragraph(text('Bye')),
    );
    expect(richTextToPlainText(input)).toBe('Hello there\nBye');
    expect(richTextReferences(input, 'body')).toEqual([
      { kind: 'page', id: PAGE, path: 'body.content[0].content[1]' },
      { kind: 'image', id: IMAGE, path: 'body.content[1]' },
    ]);
  });
});
