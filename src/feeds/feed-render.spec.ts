/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-explicit-any -- parsed feeds are read by path */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { FeedItemBuilder, tagUri } from '#src/feeds/feed-content.js';
import {
  type FeedDocument,
  cleanText,
  renderAtom,
  renderJsonFeed,
  renderRss,
} from '#src/feeds/feed-render.js';

/** What fast-xml-parser and JSON.parse give: nested records, read by path in assertions. */
type Tree = Record<string, any>;

const HOSTILE = 'Tom & Jerry ]]> <script>alert(1)</script> \u0001\u0008\u000B 🐦 שלום مرحبا \uD800';

// eslint-disable-next-line no-control-regex -- the characters the feed must not carry
const CONTROL = /[\u0001\u0008\u000B]/;

function document(overrides: Partial<FeedDocument> = {}): FeedDocument {
  return {
    id: 'tag:example.com,2026-01-02:feed:1',
    title: `Blog ${HOSTILE}`,
    description: `About ${HOSTILE}`,
    homeUrl: 'https://example.com/blog/',
    feedUrls: {
      rss: 'https://cms.example.com/blog/feed.rss?site=example.com&x=1',
      atom: 'https://cms.example.com/blog/feed.atom',
      json: 'https://cms.example.com/blog/feed.json',
    },
    language: 'en',
    updated: new Date('2026-03-04T05:06:07Z'),
    author: 'Example',
    entries: [
      {
        id: 'tag:example.com,2026-01-02:page:abc',
        url: 'https://example.com/blog/a/',
        title: `Post ${HOSTILE}`,
        published: new Date('2026-01-02T03:04:05Z'),
        updated: new Date('2026-03-04T05:06:07Z'),
        summary: `Summary ${HOSTILE}`,
        contentHtml: '<p>Hello &amp; ]]&gt; <a href="https://example.com/b/">b</a></p>',
        authors: ['Ada'],
        categories: ['News', `Odd ${HOSTILE}`],
        image: { url: 'https://example.com/i.jpg', length: 1234, type: 'image/jpeg' },
      },
    ],
    ...overrides,
  };
}

describe('feed rendering', () => {
  it('cleanText drops control characters and lone surrogates, keeps tabs, line breaks, emoji', () => {
    expect(cleanText('a\u0001b\tc\nd\u007f🐦\uD800e')).toBe('ab\tc\nd🐦e');
  });

  it('writes well-formed RSS 2.0 a feed parser reads, with self link, guid, enclosure', async () => {
    const xml = renderRss(document());
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toMatch(CONTROL);
    const feed = await new Parser().parseString(xml);
    expect(feed.title).toBe('Blog Tom & Jerry ]]> <script>alert(1)</script>  🐦 שלום مرحبا ');
    expect(feed.items[0].guid).toBe('tag:example.com,2026-01-02:page:abc');
    expect(feed.items[0].pubDate).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
    expect(feed.items[0]['content:encoded']).toContain('<a href="https://example.com/b/">b</a>');
    expect(feed.items[0].enclosure).toEqual({
      url: 'https://example.com/i.jpg',
      length: '1234',
      type: 'image/jpeg',
    });
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as Tree;
    const channel = parsed.rss.channel;
    expect(channel['atom:link']['@_rel']).toBe('self');
    expect(channel['atom:link']['@_href']).toBe(document().feedUrls.rss);
    expect(channel.item.guid['@_isPermaLink']).toBe('false');
    expect(channel.item['dc:creator']).toBe('Ada');
  });

  it('escapes every & so escaped HTML and entity-like text reach readers as written', async () => {
    const entry = {
      ...document().entries[0],
      title: 'Fish &amp; chips &#60;b&#62;',
      contentHtml: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
      categories: ['R&amp;D'],
    };
    for (const xml of [
      renderRss(document({ entries: [entry] })),
      renderAtom(document({ entries: [entry] })),
    ]) {
      expect(XMLValidator.validate(xml)).toBe(true);
      const feed = await new Parser().parseString(xml);
      expect(feed.items[0].title).toBe('Fish &amp; chips &#60;b&#62;');
      const html = (feed.items[0]['content:encoded'] ?? feed.items[0].content) as string;
      expect(html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
      expect(xml).toContain('R&amp;amp;D');
    }
  });

  it('writes well-formed Atom 1.0 with ids, updated, authors and html content', async () => {
    const xml = renderAtom(document());
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = await new Parser().parseString(xml);
    expect(feed.items[0].id).toBe('tag:example.com,2026-01-02:page:abc');
    expect(feed.items[0].content).toContain('<a href="https://example.com/b/">b</a>');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as Tree;
    expect(parsed.feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(parsed.feed.updated).toBe('2026-03-04T05:06:07.000Z');
    expect(parsed.feed.author.name).toBe('Example');
    expect(parsed.feed.entry.author.name).toBe('Ada');
    expect(parsed.feed.entry.content['@_type']).toBe('html');
  });

  it('writes JSON Feed 1.1 with content_text when there is no HTML', () => {
    const json = JSON.parse(
      renderJsonFeed(
        document({
          entries: [{ ...document().entries[0], contentHtml: undefined, image: undefined }],
        }),
      ),
    ) as Tree;
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items[0]).toMatchObject({
      id: 'tag:example.com,2026-01-02:page:abc',
      url: 'https://example.com/blog/a/',
      content_text: expect.stringContaining('Summary'),
      date_published: '2026-01-02T03:04:05.000Z',
      authors: [{ name: 'Ada' }],
    });
    expect(JSON.stringify(json)).not.toMatch(CONTROL);
  });

  it('renders stream content block by block, escaped, with page links made absolute', () => {
    const definition: ContentTypeDefinition = {
      key: 'post',
      label: 'Post',
      kind: 'page',
      fields: [
        { key: 'intro', type: 'long_text' },
        {
          key: 'body',
          type: 'stream',
          blocks: [
            { key: 'heading', type: 'text' },
            { key: 'paragraph', type: 'rich_text' },
            {
              key: 'quote',
              type: 'struct',
              fields: [
                { key: 'text', type: 'long_text' },
                { key: 'attribution', type: 'text' },
              ],
            },
          ],
        },
      ],
      feed: { summaryField: 'intro', contentField: 'body' },
    };
    const builder = new FeedItemBuilder({
      lookup: () => definition,
      fields: {},
      pageUrl: (id) =>
        id === '11111111-1111-4111-8111-111111111111' ? 'https://ex.com/b/' : undefined,
      urlOfPath: (path) => `https://ex.com${path.replace('/home', '')}`,
      snippetTitle: () => undefined,
      image: () => undefined,
      tagAuthority: 'ex.com',
    });
    const entry = builder.entry({
      id: 'abc',
      type: 'post',
      title: 'T',
      locale: 'en',
      first_published_at: '2026-01-02T00:00:00.000Z',
      last_published_at: null,
      url_path: '/home/a/',
      content: {
        intro: '<b>Hi</b>',
        body: [
          { type: 'heading', id: '1', value: '<h1>Head</h1>' },
          {
            type: 'paragraph',
            id: '2',
            value: {
              type: 'doc',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    {
                      type: 'text',
                      text: 'link',
                      marks: [
                        {
                          type: 'link',
                          attrs: { href: 'page:11111111-1111-4111-8111-111111111111' },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          },
          { type: 'quote', id: '3', value: { text: 'Line 1\nLine 2', attribution: 'Me' } },
        ],
      },
    });
    expect(entry).toMatchObject({
      id: tagUri('ex.com', new Date('2026-01-02T00:00:00Z'), 'page:abc'),
      url: 'https://ex.com/a/',
      summary: '<b>Hi</b>',
      contentHtml:
        '<h2>&lt;h1&gt;Head&lt;/h1&gt;</h2><p><a href="https://ex.com/b/">link</a></p><blockquote><p>Line 1<br>Line 2</p><p>Me</p></blockquote>',
    });
  });
});
