import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import {
  adminPost,
  type BlogSite,
  blogPostContent,
  buildBlogSite,
  createPage,
  createPost,
  createSnippet,
  paragraph,
} from '#test/helpers/delivery-site.js';
import {
  attribute,
  child,
  children,
  createFeed,
  elementNames,
  FEED_FORMATS,
  FEED_MEDIA_TYPES,
  type FeedFormat,
  type FeedView,
  fetchFeed,
  inEveryFormat,
  ITEM_ID_PATTERN,
  itemTitles,
  JSON_FEED_VERSION,
  parseAtom,
  parseJsonFeedDocument,
  parseXml,
  RFC_3339_DATE,
  readAllFormats,
  readFeed,
  textOf,
} from '#test/helpers/feeds.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

interface DeliveredPage {
  id: string;
  title: string;
  meta: {
    locale: string;
    html_url: string | null;
    first_published_at: string | null;
    last_published_at: string | null;
    feeds: Array<{ format: string; type: string; url: string; title: string }>;
  };
}

/** Control characters a hostile editor might paste: XML 1.0 cannot hold them. */
const CONTROL = '\u0001\u0008\u000B';
/** Everything that has broken a feed somewhere: CDATA end, markup, controls, emoji, RTL, entities. */
const HOSTILE = `Evil ]]> <script>alert(1)</script> ${CONTROL} 🐦 שלום مرحبا &amp; end`;
/** What readers should get: the same text, control characters dropped. */
const HOSTILE_CLEAN = HOSTILE.replace(CONTROL, '');

/** A date at the precision of HTTP and RSS dates (whole seconds). */
const toSeconds = (iso: string | Date) => Math.floor(new Date(iso).getTime() / 1000) * 1000;

describe('public feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let site: BlogSite;
  let publicUrl: string;
  const posts: Record<string, string> = {};

  beforeAll(async () => {
    // Workers in process: expiry is a delayed job.
    app = await startTestApp({ FEED_CACHE_MAX_AGE: '120', RUN_WORKERS_IN_PROCESS: 'true' });
    publicUrl = app.config.publicUrl;
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    const other = await createSnippet(app, asAdmin, 'author', { name: 'Bo Other' });
    posts.alpha = await createPost(app, asAdmin, site.blogId, {
      title: 'Alpha gardens',
      slug: 'alpha',
      date: '2026-01-01',
      intro: 'Alpha intro',
      bodyText: 'Alpha body.',
      author: site.authorId,
      categories: [site.categoryIds[0]],
      linkTo: site.blogId,
    });
    posts.bravo = await createPost(app, asAdmin, site.blogId, {
      title: 'Bravo city',
      slug: 'bravo',
      date: '2026-02-01',
      author: other,
      categories: site.categoryIds,
    });
    // Published last but dated first and sorted first by title: the feed orders by publication.
    posts.aardvark = await createPost(app, asAdmin, site.blogId, {
      title: 'Aardvark news',
      slug: 'aardvark',
      date: '2025-06-01',
    });
    posts.charlie = await createPost(app, asAdmin, site.blogId, {
      title: 'Charlie draft',
      slug: 'charlie',
      publish: false,
    });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  const admin = (method: string, path: string, body: unknown = {}) =>
    method === 'GET'
      ? fetch(`${app.baseUrl}${path}`, { headers: asAdmin })
      : sendJson(`${app.baseUrl}${path}`, body, { method, headers: asAdmin });
  async function expectAdmin(method: string, path: string, body: unknown = {}, status = 200) {
    const response = await admin(method, path, body);
    const text = await response.text();
    expect({ call: `${method} ${path}`, status: response.status, text }).toMatchObject({ status });
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }
  async function delivered(id: string, query = ''): Promise<DeliveredPage> {
    const response = await fetch(`${app.baseUrl}/api/v2/pages/${id}/${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as DeliveredPage;
  }
  /** A blog index under the home page (`/<slug>/`); `extra` may set its title or locale. */
  async function blogIndex(
    slug: string,
    extra: { title?: string; locale?: string } = {},
  ): Promise<string> {
    const page = await adminPost(app, asAdmin, '/api/admin/pages', {
      parentId: site.homeId,
      type: 'blog_index',
      title: `Index ${slug}`,
      slug,
      content: { intro: `Posts of ${slug}` },
      publish: true,
      ...extra,
    });
    return page.id;
  }
  const tagOf = (page: DeliveredPage, kind: 'page' | 'feed', host = 'www.example.com') =>
    `tag:${host},${page.meta.first_published_at!.slice(0, 10)}:${kind}:${page.id}`;

  describe('the example blog’s feeds', () => {
    it('serve RSS 2.0 with channel, self link, guid, RFC 822 dates, content:encoded, dc:creator and categories', async () => {
      const response = await fetchFeed(app, '/blog/feed.rss');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
      const rss = parseXml(response.body, 'rss');
      expect(rss).toMatchObject({
        '@_xmlns:atom': 'http://www.w3.org/2005/Atom',
        '@_xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
        '@_xmlns:dc': 'http://purl.org/dc/elements/1.1/',
      });
      const channel = child(rss, 'channel');
      expect({
        title: textOf(channel, 'title'),
        link: textOf(channel, 'link'),
        description: textOf(channel, 'description'),
        language: textOf(channel, 'language'),
        generator: textOf(channel, 'generator'),
      }).toEqual({
        title: 'Blog',
        link: 'https://www.example.com/blog/',
        description: 'All the posts',
        language: 'en',
        generator: 'Finch',
      });
      expect(new Date(textOf(channel, 'lastBuildDate')!).getTime()).not.toBeNaN();
      const self = children(channel, 'atom:link').map((link) => ({
        rel: attribute(link, 'rel'),
        type: attribute(link, 'type'),
        href: attribute(link, 'href'),
      }));
      expect(self).toEqual([
        { rel: 'self', type: 'application/rss+xml', href: `${publicUrl}/blog/feed.rss` },
      ]);

      const items = children(channel, 'item');
      expect(items.map((item) => textOf(item, 'title'))).toEqual([
        'Aardvark news',
        'Bravo city',
        'Alpha gardens',
      ]);
      const alpha = items[2];
      const alphaPage = await delivered(posts.alpha);
      expect(textOf(alpha, 'link')).toBe('https://www.example.com/blog/alpha/');
      const guid = child(alpha, 'guid');
      expect(attribute(guid, 'isPermaLink')).toBe('false');
      expect(guid?.['#text']).toBe(tagOf(alphaPage, 'page'));
      expect(guid?.['#text']).toMatch(ITEM_ID_PATTERN);
      expect(new Date(textOf(alpha, 'pubDate')!).getTime()).toBe(
        toSeconds(alphaPage.meta.first_published_at!),
      );
      expect(textOf(alpha, 'description')).toBe('Alpha intro');
      expect(textOf(alpha, 'content:encoded')).toContain(
        '<p>Alpha body.<a href="https://www.example.com/blog/"> (link)</a></p>',
      );
      expect(children(alpha, 'dc:creator').map((each) => each['#text'])).toEqual(['Ann Writer']);
      expect(children(alpha, 'category').map((each) => each['#text'])).toEqual(['Gardens']);
      // No hero image, and no media yet (issue 9): no enclosure.
      expect(child(alpha, 'enclosure')).toBeUndefined();
      const bravo = items[1];
      expect(children(bravo, 'dc:creator').map((each) => each['#text'])).toEqual(['Bo Other']);
      expect(children(bravo, 'category').map((each) => each['#text'])).toEqual([
        'Gardens',
        'Cities',
      ]);
      // An item without author has no dc:creator, and the summary is the intro's default.
      expect(child(items[0], 'dc:creator')).toBeUndefined();
      expect(textOf(items[0], 'description')).toBe('About Aardvark news');
    });

    it('serve Atom 1.0 with feed and entry ids (tag URIs), updated, links, authors, summary, content and categories', async () => {
      const response = await fetchFeed(app, '/blog/feed.atom');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
      const feed = parseXml(response.body, 'feed');
      const blog = await delivered(site.blogId);
      expect(attribute(feed, 'xml:lang')).toBe('en');
      expect({
        id: textOf(feed, 'id'),
        title: textOf(feed, 'title'),
        subtitle: textOf(feed, 'subtitle'),
        author: textOf(child(feed, 'author'), 'name'),
        generator: textOf(feed, 'generator'),
      }).toEqual({
        id: tagOf(blog, 'feed'),
        title: 'Blog',
        subtitle: 'All the posts',
        author: 'Example',
        generator: 'Finch',
      });
      expect(textOf(feed, 'updated')).toMatch(RFC_3339_DATE);
      const links: Record<string, string | undefined> = Object.fromEntries(
        children(feed, 'link').map((link) => [
          attribute(link, 'rel') ?? '',
          attribute(link, 'href'),
        ]),
      );
      expect(links).toEqual({
        self: `${publicUrl}/blog/feed.atom`,
        alternate: 'https://www.example.com/blog/',
      });

      const entries = children(feed, 'entry');
      expect(entries.map((entry) => textOf(entry, 'title'))).toEqual([
        'Aardvark news',
        'Bravo city',
        'Alpha gardens',
      ]);
      const alpha = entries[2];
      const alphaPage = await delivered(posts.alpha);
      expect(textOf(alpha, 'id')).toBe(tagOf(alphaPage, 'page'));
      expect(
        children(alpha, 'link').map((link) => [attribute(link, 'rel'), attribute(link, 'href')]),
      ).toEqual([['alternate', 'https://www.example.com/blog/alpha/']]);
      expect(toSeconds(textOf(alpha, 'published')!)).toBe(
        toSeconds(alphaPage.meta.first_published_at!),
      );
      expect(toSeconds(textOf(alpha, 'updated')!)).toBe(
        toSeconds(alphaPage.meta.last_published_at!),
      );
      expect(textOf(alpha, 'published')).toMatch(RFC_3339_DATE);
      expect(children(alpha, 'author').map((author) => textOf(author, 'name'))).toEqual([
        'Ann Writer',
      ]);
      expect(attribute(child(alpha, 'summary'), 'type')).toBe('text');
      expect(textOf(alpha, 'summary')).toBe('Alpha intro');
      expect(attribute(child(alpha, 'content'), 'type')).toBe('html');
      expect(textOf(alpha, 'content')).toContain(
        '<p>Alpha body.<a href="https://www.example.com/blog/"> (link)</a></p>',
      );
      expect(children(alpha, 'category').map((each) => attribute(each, 'term'))).toEqual([
        'Gardens',
      ]);
      // An entry without its own author falls back to the feed's (the site's name).
      const aardvarkAuthors = children(entries[0], 'author').map((a) => textOf(a, 'name'));
      expect(aardvarkAuthors.length > 0 ? aardvarkAuthors : ['Example']).toEqual(['Example']);

      // rss-parser reads the same entries.
      const parsed = await parseAtom(response.body);
      expect(parsed.items.map((item) => [item.id, item.url])).toEqual(
        entries.map((entry) => [textOf(entry, 'id'), attribute(child(entry, 'link'), 'href')]),
      );
    });

    it('serve JSON Feed 1.1 with its required members, items with ids, dates, authors and tags', async () => {
      const response = await fetchFeed(app, '/blog/feed.json');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
      const feed = parseJsonFeedDocument(response.body);
      expect(feed).toMatchObject({
        version: JSON_FEED_VERSION,
        title: 'Blog',
        home_page_url: 'https://www.example.com/blog/',
        feed_url: `${publicUrl}/blog/feed.json`,
        description: 'All the posts',
        language: 'en',
        authors: [{ name: 'Example' }],
      });
      expect(feed.items.map((item) => item.title)).toEqual([
        'Aardvark news',
        'Bravo city',
        'Alpha gardens',
      ]);
      const alphaPage = await delivered(posts.alpha);
      const alpha = feed.items[2];
      expect(alpha).toMatchObject({
        id: tagOf(alphaPage, 'page'),
        url: 'https://www.example.com/blog/alpha/',
        summary: 'Alpha intro',
        authors: [{ name: 'Ann Writer' }],
        tags: ['Gardens'],
      });
      expect(alpha.content_html).toContain(
        '<p>Alpha body.<a href="https://www.example.com/blog/"> (link)</a></p>',
      );
      expect(toSeconds(alpha.date_published!)).toBe(toSeconds(alphaPage.meta.first_published_at!));
      expect(toSeconds(alpha.date_modified!)).toBe(toSeconds(alphaPage.meta.last_published_at!));
      expect(alpha.image).toBeUndefined();
      expect(feed.items[1].tags).toEqual(['Gardens', 'Cities']);
    });

    it('give the same items, ids, links and parts in all three formats', async () => {
      const [rss, atom, json] = await readAllFormats(app, '/blog/feed');
      const comparable = (view: FeedView) =>
        view.items.map((item) => ({
          id: item.id,
          title: item.title,
          url: item.url,
          summary: item.summary,
          contentHtml: item.contentHtml,
          categories: item.categories,
          published: toSeconds(item.published),
        }));
      expect(comparable(atom)).toEqual(comparable(rss));
      expect(comparable(json)).toEqual(comparable(rss));
      for (const view of [rss, atom, json]) {
        expect(view.homeUrl).toBe('https://www.example.com/blog/');
        expect(view.selfUrl).toBe(`${publicUrl}/blog/feed.${view.format}`);
      }
    });

    it('order by first publication: publishing an older post again does not move it up', async () => {
      const before = await delivered(posts.alpha);
      await expectAdmin('PUT', `/api/admin/pages/${posts.alpha}`, {
        content: blogPostContent({
          title: 'Alpha gardens',
          intro: 'Alpha intro, revised',
          bodyText: 'Alpha body.',
          author: site.authorId,
          categories: [site.categoryIds[0]],
          linkTo: site.blogId,
        }),
      });
      await expectAdmin('POST', `/api/admin/pages/${posts.alpha}/publish`);
      const after = await delivered(posts.alpha);
      expect(after.meta.first_published_at).toBe(before.meta.first_published_at);
      expect(after.meta.last_published_at).not.toBe(before.meta.last_published_at);
      for (const view of await readAllFormats(app, '/blog/feed')) {
        expect({ format: view.format, titles: view.items.map((item) => item.title) }).toEqual({
          format: view.format,
          titles: ['Aardvark news', 'Bravo city', 'Alpha gardens'],
        });
        expect(view.items[2].summary).toBe('Alpha intro, revised');
        expect(toSeconds(view.items[2].published)).toBe(toSeconds(after.meta.first_published_at!));
        if (view.items[2].updated) {
          expect(toSeconds(view.items[2].updated)).toBe(toSeconds(after.meta.last_published_at!));
        }
      }
    });

    it('render a stream block by block: headings as h2, rich text as HTML, structs field by field, all escaped', async () => {
      const index = await blogIndex('stream');
      await createPage(app, asAdmin, {
        parentId: index,
        type: 'blog_post',
        title: 'Streamed',
        content: {
          intro: 'Streamed intro',
          date: '2026-04-01',
          body: [
            { type: 'heading', id: randomUUID(), value: 'Section <one> & two' },
            { type: 'paragraph', id: randomUUID(), value: paragraph('Rich words.', site.homeId) },
            {
              type: 'quote',
              id: randomUUID(),
              value: { text: 'To be & <not> to be', attribution: 'Someone "quoted"' },
            },
          ],
        },
      });
      const seen: Record<string, unknown> = {};
      for (const view of await readAllFormats(app, '/stream/feed')) {
        const html = view.items[0].contentHtml ?? '';
        seen[view.format] = {
          heading: html.includes('<h2>Section &lt;one&gt; &amp; two</h2>'),
          richText: html.includes(
            '<p>Rich words.<a href="https://www.example.com/"> (link)</a></p>',
          ),
          quote: html.includes('To be &amp; &lt;not&gt; to be'),
          attribution: /Someone (&quot;|")quoted(&quot;|")/.test(html),
          rawMarkupFromText: /<one>|<not>/.test(html),
          inOrder:
            html.indexOf('<h2>') < html.indexOf('Rich words.') &&
            html.indexOf('Rich words.') < html.indexOf('To be'),
        };
      }
      expect(seen).toEqual(
        inEveryFormat({
          heading: true,
          richText: true,
          quote: true,
          attribution: true,
          rawMarkupFromText: false,
          inOrder: true,
        }),
      );
    });

    it('list at most `limit` items (20 for the example blog index), newest first', async () => {
      const index = await blogIndex('many');
      for (let n = 1; n <= 22; n += 1) {
        await createPost(app, asAdmin, index, { title: `Post ${n}`, slug: `post-${n}` });
      }
      const expected = Array.from({ length: 20 }, (_, i) => `Post ${22 - i}`);
      expect(await itemTitles(app, '/many/feed')).toEqual(inEveryFormat(expected));
    });

    it('ignore other query parameters (feed readers add tracking) and answer HEAD', async () => {
      for (const format of FEED_FORMATS) {
        const plain = await fetchFeed(app, `/blog/feed.${format}`);
        const tracked = await fetchFeed(app, `/blog/feed.${format}?utm_source=reader&limit=1&x=`);
        expect(tracked.status).toBe(200);
        expect(tracked.body).toBe(plain.body);
        expect(tracked.headers.get('etag')).toBe(plain.headers.get('etag'));
        const head = await fetchFeed(app, `/blog/feed.${format}`, { method: 'HEAD' });
        expect(head.status).toBe(200);
        expect(head.body).toBe('');
        expect(head.headers.get('etag')).toBe(plain.headers.get('etag'));
        expect(head.headers.get('content-type')).toBe(`${FEED_MEDIA_TYPES[format]}; charset=utf-8`);
      }
    });
  });

  describe('hostile content', () => {
    it('stays well-formed and parseable in every format, as escaped text, control characters dropped', async () => {
      const index = await createPage(app, asAdmin, {
        parentId: site.homeId,
        type: 'blog_index',
        title: `Index ${HOSTILE}`,
        slug: 'hostile',
        content: { intro: `Intro ${HOSTILE}` },
      });
      expect(index).toEqual(expect.any(String));
      await createPage(app, asAdmin, {
        parentId: index,
        type: 'blog_post',
        title: HOSTILE,
        slug: 'evil',
        content: {
          intro: HOSTILE,
          date: '2026-01-01',
          body: [
            { type: 'heading', id: randomUUID(), value: HOSTILE },
            { type: 'paragraph', id: randomUUID(), value: paragraph(HOSTILE) },
          ],
          author: { id: await createSnippet(app, asAdmin, 'author', { name: HOSTILE }) },
          categories: [
            {
              id: await createSnippet(app, asAdmin, 'category', {
                name: HOSTILE,
                slug: 'evil',
              }),
            },
          ],
        },
      });
      const seen: Record<string, unknown> = {};
      const wanted: Record<string, unknown> = {};
      for (const format of FEED_FORMATS) {
        const response = await fetchFeed(app, `/hostile/feed.${format}`);
        expect({ format, status: response.status, body: response.body }).toMatchObject({
          status: 200,
        });
        const root =
          format === 'json'
            ? undefined
            : parseXml(response.body, format === 'rss' ? 'rss' : 'feed');
        const view = await readFeed(app, '/hostile/feed', format);
        const [item] = view.items;
        const html = item.contentHtml ?? '';
        seen[format] = {
          // No raw markup from content: "<script" only ever as escaped text.
          // (JSON's plain-text members may hold "<script>" as text; its HTML is checked below.)
          scriptInBody: format !== 'json' && /<script/i.test(response.body),
          scriptElement: root ? elementNames(root).has('script') : false,
          // eslint-disable-next-line no-control-regex -- control characters are what is looked for
          controlInBody: /\\u000[18bB]|[\u0001\u0008\u000B]/.test(response.body),
          channel: view.title,
          description: view.description,
          title: item.title,
          summary: item.summary,
          authors: item.authors,
          categories: item.categories,
          // What a reader's HTML parser would see in the full content.
          scriptTagInHtml: /<script/i.test(html),
          escapedScriptInHtml: html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'),
          textInHtml:
            /Evil \]\](?:>|&gt;) &lt;script&gt;alert\(1\)&lt;\/script&gt; +🐦 שלום مرحبا &amp;amp; end/.test(
              html,
            ),
          // eslint-disable-next-line no-control-regex -- control characters are what is looked for
          controlInHtml: /[\u0001\u0008\u000B]/.test(html),
        };
        wanted[format] = {
          scriptInBody: false,
          scriptElement: false,
          controlInBody: false,
          channel: `Index ${HOSTILE_CLEAN}`,
          description: `Intro ${HOSTILE_CLEAN}`,
          title: HOSTILE_CLEAN,
          summary: HOSTILE_CLEAN,
          authors: [HOSTILE_CLEAN],
          categories: [HOSTILE_CLEAN],
          scriptTagInHtml: false,
          escapedScriptInHtml: true,
          textInHtml: true,
          controlInHtml: false,
        };
      }
      expect(seen).toEqual(wanted);
    });
  });

  describe('only live content', () => {
    it('leaves out drafts, newer unpublished drafts, unpublished and expired pages', async () => {
      const index = await blogIndex('live');
      await createPost(app, asAdmin, index, { title: 'Live one', slug: 'live-one' });
      const redrafted = await createPost(app, asAdmin, index, {
        title: 'Published title',
        slug: 'redrafted',
        intro: 'Published intro',
      });
      await createPost(app, asAdmin, index, {
        title: 'Never published',
        slug: 'never',
        publish: false,
      });
      const unpublished = await createPost(app, asAdmin, index, {
        title: 'Taken offline',
        slug: 'offline',
      });
      const expiring = await createPost(app, asAdmin, index, {
        title: 'Expiring',
        slug: 'expiring',
        publish: false,
      });
      expect(await itemTitles(app, '/live/feed')).toEqual(
        inEveryFormat(['Taken offline', 'Published title', 'Live one']),
      );

      await expectAdmin('PUT', `/api/admin/pages/${redrafted}`, {
        title: 'Draft title',
        content: blogPostContent({ title: 'Draft title', intro: 'Draft intro' }),
      });
      await expectAdmin('POST', `/api/admin/pages/${unpublished}/unpublish`);
      const published = await expectAdmin('POST', `/api/admin/pages/${expiring}/publish`, {
        expireAt: new Date(Date.now() + 1500).toISOString(),
      });
      expect(published).toMatchObject({ state: { status: 'live' } });
      // Cached while live (most likely), so the expiry must empty the cache too.
      await itemTitles(app, '/live/feed');
      await waitFor('the post to expire', async () => {
        const page = await expectAdmin('GET', `/api/admin/pages/${expiring}`);
        return page.status === 'expired';
      });

      const views = await readAllFormats(app, '/live/feed');
      for (const view of views) {
        expect({ format: view.format, titles: view.items.map((item) => item.title) }).toEqual({
          format: view.format,
          titles: ['Published title', 'Live one'],
        });
        expect(view.items[0].summary).toBe('Published intro');
      }
      for (const format of FEED_FORMATS) {
        const body = (await fetchFeed(app, `/live/feed.${format}`)).body;
        expect(body).not.toMatch(/Draft title|Draft intro|Never published|Expiring/);
      }
    });

    it('404s when the owner page is unpublished, and again serves it once republished', async () => {
      const index = await blogIndex('gone');
      await createPost(app, asAdmin, index, { title: 'Orphan', slug: 'orphan' });
      for (const format of FEED_FORMATS) {
        expect((await fetchFeed(app, `/gone/feed.${format}`)).status).toBe(200);
      }
      await expectAdmin('POST', `/api/admin/pages/${index}/unpublish`);
      for (const format of FEED_FORMATS) {
        const problem = await expectProblem(await fetch(`${app.baseUrl}/gone/feed.${format}`), 404);
        expect(problem.type).toMatch(/feed-not-found|not-found/);
      }
      await expectAdmin('POST', `/api/admin/pages/${index}/publish`);
      expect(await itemTitles(app, '/gone/feed')).toEqual(inEveryFormat(['Orphan']));
    });

    it('404s for unknown paths, formats and slugs, and for pages whose type declares no feed', async () => {
      for (const path of [
        '/blog/feed.xml',
        '/blog/feed.rss2',
        '/blog/feed',
        '/nowhere/feed.rss',
        '/blog/charlie/feed.rss',
        '/feeds/nope.rss',
        '/feeds/nope.json',
        '/feeds/blog.xml',
        // The home page's type and the blog post's type declare no feed.
        '/feed.rss',
        '/feed.atom',
        '/blog/alpha/feed.json',
      ]) {
        const response = await fetch(`${app.baseUrl}${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        await expectProblem(response, 404);
      }
    });
  });

  describe('conditional GET and the cache', () => {
    let index: string;
    let first: string;

    beforeAll(async () => {
      index = await blogIndex('cond');
      first = await createPost(app, asAdmin, index, { title: 'Cond one', slug: 'one' });
    });

    /** Last-Modified as the contract states it: the newest last publication, items or owner. */
    async function expectedLastModified(pageIds: string[]): Promise<string> {
      const pages = await Promise.all([index, ...pageIds].map((id) => delivered(id)));
      const newest = Math.max(...pages.map((page) => toSeconds(page.meta.last_published_at!)));
      return new Date(newest).toUTCString();
    }

    it('sends ETag, Last-Modified and Cache-Control, and 304 with no body for If-None-Match or If-Modified-Since', async () => {
      const etags = new Set<string>();
      for (const format of FEED_FORMATS) {
        const url = `${app.baseUrl}/cond/feed.${format}`;
        const full = await fetch(url);
        expect(full.status).toBe(200);
        await full.text();
        const etag = full.headers.get('etag')!;
        const lastModified = full.headers.get('last-modified')!;
        expect(etag).toMatch(/^"[^"]+"$/);
        etags.add(etag);
        expect(lastModified).toBe(await expectedLastModified([first]));
        expect(full.headers.get('cache-control')).toBe('public, max-age=120');

        for (const headers of <Array<Record<string, string>>>[
          { 'if-none-match': etag },
          { 'if-none-match': `"other", ${etag}` },
          { 'if-modified-since': lastModified },
          { 'if-modified-since': new Date(Date.parse(lastModified) + 3_600_000).toUTCString() },
        ]) {
          const notModified = await fetch(url, { headers });
          expect({ format, headers, status: notModified.status }).toEqual({
            format,
            headers,
            status: 304,
          });
          expect(await notModified.text()).toBe('');
          expect(notModified.headers.get('etag')).toBe(etag);
          expect(notModified.headers.get('last-modified')).toBe(lastModified);
          expect(notModified.headers.get('cache-control')).toBe('public, max-age=120');
        }
        for (const headers of <Array<Record<string, string>>>[
          { 'if-none-match': '"stale"' },
          { 'if-none-match': `"${etag.slice(1, -1)}-old"` },
          { 'if-modified-since': new Date(Date.parse(lastModified) - 86_400_000).toUTCString() },
          { 'if-modified-since': 'not a date' },
        ]) {
          const modified = await fetch(url, { headers });
          expect({ format, headers, status: modified.status }).toEqual({
            format,
            headers,
            status: 200,
          });
          expect((await modified.text()).length).toBeGreaterThan(0);
          expect(modified.headers.get('etag')).toBe(etag);
        }
      }
      // A digest of each body: the three formats differ.
      expect(etags.size).toBe(3);
    });

    it('serves a valid empty feed for an owner without items, Last-Modified from the owner', async () => {
      const empty = await blogIndex('empty');
      const owner = await delivered(empty);
      for (const view of await readAllFormats(app, '/empty/feed')) {
        expect({ format: view.format, items: view.items }).toEqual({
          format: view.format,
          items: [],
        });
      }
      const response = await fetchFeed(app, '/empty/feed.atom');
      expect(response.headers.get('last-modified')).toBe(
        new Date(toSeconds(owner.meta.last_published_at!)).toUTCString(),
      );
    });

    /** The three formats' ETags and titles, each checked against a conditional GET. */
    async function snapshot(): Promise<{ etags: string[]; titles: string[][] }> {
      const etags: string[] = [];
      const titles: string[][] = [];
      for (const format of FEED_FORMATS) {
        const response = await fetchFeed(app, `/cond/feed.${format}`);
        expect(response.status).toBe(200);
        etags.push(response.headers.get('etag')!);
        titles.push((await readFeed(app, '/cond/feed', format)).items.map((item) => item.title));
      }
      return { etags, titles };
    }
    async function expectChanged(
      before: { etags: string[] },
      titles: string[],
    ): Promise<{ etags: string[] }> {
      const etags: string[] = [];
      for (const [i, format] of FEED_FORMATS.entries()) {
        // A reader polling with the old ETag gets the new feed at once.
        const response = await fetchFeed(app, `/cond/feed.${format}`, {
          headers: { 'if-none-match': before.etags[i] },
        });
        expect({ format, status: response.status }).toEqual({ format, status: 200 });
        const etag = response.headers.get('etag')!;
        expect(etag).not.toBe(before.etags[i]);
        etags.push(etag);
        const view = await readFeed(app, '/cond/feed', format);
        expect({ format, titles: view.items.map((item) => item.title) }).toEqual({
          format,
          titles,
        });
      }
      return { etags };
    }

    it('has a new item and a new ETag on the very next request after a publication', async () => {
      const before = await snapshot();
      expect(before.titles).toEqual([['Cond one'], ['Cond one'], ['Cond one']]);
      const second = await createPost(app, asAdmin, index, { title: 'Cond two', slug: 'two' });
      await expectChanged(before, ['Cond two', 'Cond one']);
      const lastModified = (await fetchFeed(app, '/cond/feed.rss')).headers.get('last-modified');
      expect(lastModified).toBe(await expectedLastModified([first, second]));
    });

    it('changes at once after an unpublish, a move out, a deletion and a republication', async () => {
      const other = await blogIndex('cond-other');
      const mover = await createPost(app, asAdmin, index, { title: 'Cond mover', slug: 'mover' });
      const doomed = await createPost(app, asAdmin, index, {
        title: 'Cond doomed',
        slug: 'doomed',
      });
      const start = await snapshot();
      expect(start.titles[0]).toEqual(['Cond doomed', 'Cond mover', 'Cond two', 'Cond one']);
      let state: { etags: string[] } = start;

      await expectAdmin('POST', `/api/admin/pages/${first}/unpublish`);
      state = await expectChanged(state, ['Cond doomed', 'Cond mover', 'Cond two']);

      await expectAdmin('POST', `/api/admin/pages/${mover}/move`, { parentId: other });
      state = await expectChanged(state, ['Cond doomed', 'Cond two']);
      expect(await itemTitles(app, '/cond-other/feed')).toEqual(inEveryFormat(['Cond mover']));

      await expectAdmin('DELETE', `/api/admin/pages/${doomed}?confirm=1`);
      state = await expectChanged(state, ['Cond two']);

      await expectAdmin('POST', `/api/admin/pages/${first}/publish`);
      await expectChanged(state, ['Cond two', 'Cond one']);
    });

    it('changes at once when the owner’s title or the channel description is published anew', async () => {
      const before = await snapshot();
      await expectAdmin('PUT', `/api/admin/pages/${index}`, {
        title: 'Conditional index',
        content: { intro: 'New description' },
      });
      await expectAdmin('POST', `/api/admin/pages/${index}/publish`);
      await expectChanged(before, ['Cond two', 'Cond one']);
      for (const view of await readAllFormats(app, '/cond/feed')) {
        expect([view.title, view.description]).toEqual(['Conditional index', 'New description']);
      }
    });
  });

  describe('SQL per request', () => {
    it('runs one statement per uncached request whether the feed has 2 or 20 items, and none when cached', async () => {
      const few = await blogIndex('few');
      await createPost(app, asAdmin, few, { title: 'Few one', slug: 'one' });
      await createPost(app, asAdmin, few, { title: 'Few two', slug: 'two' });
      const many = await blogIndex('plenty');
      for (let n = 1; n <= 21; n += 1) {
        await createPost(app, asAdmin, many, { title: `Plenty ${n}`, slug: `p-${n}` });
      }
      const counts: Record<string, number> = {};
      for (const [path, size] of [
        ['/few/feed', 2],
        ['/plenty/feed', 20],
      ] as const) {
        for (const format of FEED_FORMATS) {
          const url = `${app.baseUrl}${path}.${format}`;
          const cold = await fetchCountingQueries(url);
          expect(cold.status).toBe(200);
          const view =
            format === 'json'
              ? parseJsonFeedDocument(cold.body).items
              : format === 'rss'
                ? children(child(parseXml(cold.body, 'rss'), 'channel'), 'item')
                : children(parseXml(cold.body, 'feed'), 'entry');
          expect(view).toHaveLength(size);
          counts[`${path}.${format}`] = cold.queries.length;

          const warm = await fetchCountingQueries(url);
          expect(warm.status).toBe(200);
          expect(warm.body).toBe(cold.body);
          expect({ url, warm: warm.queries }).toEqual({ url, warm: [] });
          const notModified = await fetchCountingQueries(url, {
            headers: { 'if-none-match': cold.headers.get('etag')! },
          });
          expect(notModified.status).toBe(304);
          expect(notModified.queries).toEqual([]);
        }
      }
      expect(counts).toEqual({
        '/few/feed.rss': 1,
        '/few/feed.atom': 1,
        '/few/feed.json': 1,
        '/plenty/feed.rss': 1,
        '/plenty/feed.atom': 1,
        '/plenty/feed.json': 1,
      });
    });
  });

  describe('locales', () => {
    it('lists only the items in the owner’s locale, and names it in every format', async () => {
      const french = await blogIndex('blog-fr', { title: 'Le blog', locale: 'fr' });
      await createPost(app, asAdmin, french, { title: 'Bonjour', slug: 'bonjour' });
      // A page of another locale under the French index, and a French page under the English one.
      await adminPost(app, asAdmin, '/api/admin/pages', {
        parentId: french,
        type: 'blog_post',
        title: 'Stray English',
        slug: 'stray',
        locale: 'en',
        content: blogPostContent({ title: 'Stray English' }),
        publish: true,
      });
      await createPost(app, asAdmin, french, { title: 'Salut', slug: 'salut' });
      await adminPost(app, asAdmin, '/api/admin/pages', {
        parentId: site.blogId,
        type: 'blog_post',
        title: 'Égarée',
        slug: 'egaree',
        locale: 'fr',
        content: blogPostContent({ title: 'Égarée' }),
        publish: true,
      });

      expect((await delivered(french)).meta.locale).toBe('fr');
      const views = await readAllFormats(app, '/blog-fr/feed');
      for (const view of views) {
        expect({
          format: view.format,
          language: view.language,
          titles: view.items.map((item) => item.title),
        }).toEqual({ format: view.format, language: 'fr', titles: ['Salut', 'Bonjour'] });
      }
      const rss = child(
        parseXml((await fetchFeed(app, '/blog-fr/feed.rss')).body, 'rss'),
        'channel',
      );
      expect(textOf(rss, 'language')).toBe('fr');
      expect((await itemTitles(app, '/blog/feed')).rss).not.toContain('Égarée');
    });

    it('serves one index’s feed in another locale with ?locale=, its self links keeping it', async () => {
      // 'Égarée' (fr) sits under the English blog index (previous test).
      const views = await readAllFormats(app, '/blog/feed', '?locale=fr');
      for (const view of views) {
        expect({
          format: view.format,
          language: view.language,
          titles: view.items.map((item) => item.title),
        }).toEqual({
          format: view.format,
          language: 'fr',
          titles: ['Égarée'],
        });
      }
      const json = JSON.parse((await fetchFeed(app, '/blog/feed.json?locale=fr')).body) as {
        feed_url: string;
      };
      expect(json.feed_url).toBe(`${publicUrl}/blog/feed.json?locale=fr`);
      for (const query of [
        '?locale=x',
        '?locale=fr&locale=en',
        `?locale=${'a'.repeat(40)}`,
        '?locale=fr%00',
      ]) {
        const problem = await expectProblem(
          await fetch(`${app.baseUrl}/blog/feed.rss${query}`),
          400,
        );
        expect(problem.errors?.map((error) => error.path)).toEqual(['locale']);
      }
    });
  });

  describe('meta.feeds in the delivery API', () => {
    const entriesFor = (base: string, title: string) =>
      FEED_FORMATS.map((format: FeedFormat) => ({
        format,
        type: FEED_MEDIA_TYPES[format],
        url: `${publicUrl}${base}.${format}`,
        title,
      }));

    it('lists the three feeds of a blog index with absolute URLs and titles, and none on a post', async () => {
      const blog = await delivered(site.blogId);
      expect(blog.meta.feeds).toEqual(entriesFor('/blog/feed', 'Blog'));
      expect((await delivered(posts.bravo)).meta.feeds).toEqual([]);
      const listing = (await (
        await fetch(`${app.baseUrl}/api/v2/pages?type=blog_index`)
      ).json()) as { items: DeliveredPage[] };
      const listed = listing.items.find((item) => item.id === site.blogId);
      expect(listed?.meta.feeds).toEqual(entriesFor('/blog/feed', 'Blog'));
      // Every URL it gives answers.
      for (const entry of blog.meta.feeds) {
        const response = await fetch(entry.url.replace(publicUrl, app.baseUrl));
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(`${entry.type}; charset=utf-8`);
      }
    });

    it('lists a hand-made feed on its source page, and the feed lists its descendants', async () => {
      expect((await delivered(site.homeId)).meta.feeds).toEqual([]);
      const feed = await createFeed(app, asAdmin, {
        slug: 'everything',
        title: 'Everything we write',
        description: 'All posts, every blog',
        sourcePageId: site.homeId,
        itemTypes: ['blog_post'],
        limit: 3,
      });
      expect(feed.urls).toEqual({
        rss: `${publicUrl}/feeds/everything.rss`,
        atom: `${publicUrl}/feeds/everything.atom`,
        json: `${publicUrl}/feeds/everything.json`,
      });
      expect((await delivered(site.homeId)).meta.feeds).toEqual(
        entriesFor('/feeds/everything', 'Everything we write'),
      );
      const views = await readAllFormats(app, '/feeds/everything');
      for (const view of views) {
        expect(view.title).toBe('Everything we write');
        expect(view.description).toBe('All posts, every blog');
        expect(view.homeUrl).toBe('https://www.example.com/');
        expect(view.selfUrl).toBe(`${publicUrl}/feeds/everything.${view.format}`);
        expect(view.items).toHaveLength(3);
        // Newest first across every English blog index of the site.
        expect(view.items.map((item) => item.url)).toEqual(views[0].items.map((item) => item.url));
      }
      const newest = await adminPost(app, asAdmin, '/api/admin/pages', {
        parentId: site.blogId,
        type: 'blog_post',
        title: 'Newest of all',
        slug: 'newest',
        content: blogPostContent({ title: 'Newest of all' }),
        publish: true,
      });
      expect(newest.id).toEqual(expect.any(String));
      expect((await itemTitles(app, '/feeds/everything')).atom[0]).toBe('Newest of all');
    });
  });

  describe('other sites', () => {
    it('serves a feed of another site with ?site=, its URLs on the site’s base URL', async () => {
      const root = await createPage(app, asAdmin, {
        type: 'home',
        title: 'Other home',
        slug: 'other-home',
        content: { intro: 'Elsewhere', body: [] },
      });
      const other = await adminPost(app, asAdmin, '/api/admin/sites', {
        hostname: 'www.other.test',
        name: 'Other',
        rootPageId: root,
      });
      const news = await createPage(app, asAdmin, {
        parentId: root,
        type: 'blog_index',
        title: 'News',
        slug: 'news',
        content: { intro: 'Other news' },
      });
      await createPost(app, asAdmin, news, { title: 'Elsewhere post', slug: 'elsewhere' });

      // The default site has no /news/.
      await expectProblem(await fetch(`${app.baseUrl}/news/feed.rss`), 404);
      for (const query of ['?site=www.other.test', `?site=${other.id}`]) {
        const [rss] = await readAllFormats(app, '/news/feed', query);
        expect(rss.homeUrl).toBe('https://www.other.test/news/');
        expect(rss.items.map((item) => item.url)).toEqual([
          'https://www.other.test/news/elsewhere/',
        ]);
        expect(rss.items[0].id).toMatch(/^tag:www\.other\.test,/);
      }
      expect(
        (await delivered(news, '?site=www.other.test')).meta.feeds.map((entry) => entry.url),
      ).toEqual(
        FEED_FORMATS.map((format) => `${publicUrl}/news/feed.${format}?site=www.other.test`),
      );

      await expectAdmin('PATCH', `/api/admin/sites/${other.id}`, {
        baseUrl: 'https://readers.other.test/www',
      });
      for (const view of await readAllFormats(app, '/news/feed', '?site=www.other.test')) {
        expect(view.homeUrl).toBe('https://readers.other.test/www/news/');
        expect(view.items.map((item) => item.url)).toEqual([
          'https://readers.other.test/www/news/elsewhere/',
        ]);
      }
    });
  });
});
