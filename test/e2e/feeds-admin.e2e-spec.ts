import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import {
  adminPost,
  type BlogSite,
  blogPostContent,
  buildBlogSite,
  createPage,
  createPost,
} from '#test/helpers/delivery-site.js';
import {
  createFeed,
  FEED_FORMATS,
  type FeedDefinitionView,
  feedsRequest,
  fetchFeed,
  inEveryFormat,
  itemTitles,
  parseXml,
  readAllFormats,
  textOf,
} from '#test/helpers/feeds.js';
import { expectProblem, type Problem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { createGroupWithMembers, type Headers, headersOf } from '#test/helpers/workflows.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A 400 problem whose `errors` name `field` (e.g. `itemTypes[0]`). */
async function expectInvalid(response: Response, field: string): Promise<Problem> {
  const problem = await expectProblem(response, 400);
  expect({ field, paths: problem.errors?.map((error) => error.path) }).toEqual({
    field,
    paths: expect.arrayContaining([field]),
  });
  return problem;
}

describe('the feeds management API', () => {
  let app: TestApp;
  let db: DataSource;
  let admin: TestUser;
  let asAdmin: Headers;
  /** In a group granted manage_feeds and nothing else. */
  let manager: TestUser;
  let asManager: Headers;
  let site: BlogSite;
  const posts: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    admin = await createUser(app, { isSuperuser: true, name: 'Ada Admin' });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    manager = await createUser(app, { name: 'Fiona Feeds' });
    await createGroupWithMembers(app, asAdmin, 'Feed managers', [manager], ['manage_feeds']);
    asManager = await headersOf(app, manager);
    const [gardens, cities] = site.categoryIds;
    posts.roses = await createPost(app, asAdmin, site.blogId, {
      title: 'Roses',
      slug: 'roses',
      author: site.authorId,
      categories: [gardens],
    });
    posts.bridges = await createPost(app, asAdmin, site.blogId, {
      title: 'Bridges',
      slug: 'bridges',
      categories: [cities],
    });
    posts.parks = await createPost(app, asAdmin, site.blogId, {
      title: 'Parks',
      slug: 'parks',
      categories: [cities, gardens],
    });
    posts.plain = await createPost(app, asAdmin, site.blogId, { title: 'Plain', slug: 'plain' });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  const send = (headers: Headers, method: string, path = '', body?: unknown) =>
    feedsRequest(app, headers, method, path, body);
  async function list(headers: Headers = asAdmin): Promise<FeedDefinitionView[]> {
    const response = await send(headers, 'GET');
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: FeedDefinitionView[] }).items;
  }
  async function expectJson<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status });
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const actionsOn = async (id: string) =>
    (
      await db.query<Array<{ action: string; actor_id: string | null; object_type: string }>>(
        'SELECT action, actor_id, object_type FROM audit_log WHERE object_id = $1 ORDER BY id',
        [id],
      )
    ).map((entry) => {
      const who =
        entry.actor_id === admin.id
          ? 'admin'
          : entry.actor_id === manager.id
            ? 'manager'
            : entry.actor_id;
      return `${entry.object_type} ${entry.action} by ${who}`;
    });
  const feedCount = async () =>
    Number((await db.query<Array<{ n: string }>>('SELECT count(*) AS n FROM feeds'))[0].n);

  describe('CRUD', () => {
    it('creates a feed with the contract’s defaults, lists by slug, shows, changes and deletes it, auditing each change', async () => {
      const created = await send(asAdmin, 'POST', '', {
        slug: 'news',
        title: 'News',
        sourcePageId: site.blogId,
      });
      const feed = await expectJson<FeedDefinitionView>(created, 201);
      expect(feed).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug: 'news',
        title: 'News',
        description: '',
        sourcePageId: site.blogId,
        source: 'descendants',
        itemTypes: [],
        linkFilter: null,
        order: '-first_published_at',
        limit: 20,
        fields: {},
        locale: null,
        urls: {
          rss: `${app.config.publicUrl}/feeds/news.rss`,
          atom: `${app.config.publicUrl}/feeds/news.atom`,
          json: `${app.config.publicUrl}/feeds/news.json`,
        },
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      const other = await createFeed(app, asAdmin, {
        slug: 'garden-news',
        title: 'Garden news',
        sourcePageId: site.blogId,
      });

      expect((await list()).map((each) => each.slug)).toEqual(['garden-news', 'news']);
      // Its own id: a tag URI of the site's host, the feed's creation day and its uuid.
      const atom = parseXml((await fetchFeed(app, '/feeds/news.atom')).body, 'feed');
      expect(textOf(atom, 'id')).toBe(
        `tag:www.example.com,${feed.createdAt.slice(0, 10)}:feed:${feed.id}`,
      );
      expect(await expectJson(await send(asAdmin, 'GET', `/${feed.id}`), 200)).toEqual(feed);
      expect(await itemTitles(app, '/feeds/news')).toEqual(
        inEveryFormat(['Plain', 'Parks', 'Bridges', 'Roses']),
      );

      const changed = await expectJson<FeedDefinitionView>(
        await send(asAdmin, 'PATCH', `/${feed.id}`, {
          title: 'Latest news',
          description: 'What is new',
          source: 'children',
          itemTypes: ['blog_post'],
          order: 'title',
          limit: 3,
          fields: { summary: 'intro', content: 'body' },
        }),
        200,
      );
      expect(changed).toEqual({
        ...feed,
        title: 'Latest news',
        description: 'What is new',
        source: 'children',
        itemTypes: ['blog_post'],
        order: 'title',
        limit: 3,
        fields: { summary: 'intro', content: 'body' },
        updatedAt: expect.stringMatching(ISO_DATE),
      });
      expect(Date.parse(changed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(feed.updatedAt));
      // What a PATCH leaves out stays.
      const renamed = await expectJson<FeedDefinitionView>(
        await send(asAdmin, 'PATCH', `/${feed.id}`, { slug: 'latest' }),
        200,
      );
      expect(renamed).toMatchObject({
        slug: 'latest',
        title: 'Latest news',
        order: 'title',
        limit: 3,
        urls: { rss: `${app.config.publicUrl}/feeds/latest.rss` },
      });
      // The change is served at once, at the new URL only.
      expect(await itemTitles(app, '/feeds/latest')).toEqual(
        inEveryFormat(['Bridges', 'Parks', 'Plain']),
      );
      await expectProblem(await fetch(`${app.baseUrl}/feeds/news.rss`), 404);

      expect((await send(asAdmin, 'DELETE', `/${feed.id}`)).status).toBe(204);
      await expectProblem(await send(asAdmin, 'GET', `/${feed.id}`), 404);
      await expectProblem(await send(asAdmin, 'PATCH', `/${feed.id}`, { title: 'X' }), 404);
      await expectProblem(await send(asAdmin, 'DELETE', `/${feed.id}`), 404);
      for (const format of FEED_FORMATS) {
        await expectProblem(await fetch(`${app.baseUrl}/feeds/latest.${format}`), 404);
      }
      expect((await list()).map((each) => each.slug)).toEqual(['garden-news']);
      expect(await actionsOn(feed.id)).toEqual([
        'feed feeds.created by admin',
        'feed feeds.changed by admin',
        'feed feeds.changed by admin',
        'feed feeds.deleted by admin',
      ]);
      expect(await actionsOn(other.id)).toEqual(['feed feeds.created by admin']);
    });

    it('lets a member of a group granted manage_feeds do all of it', async () => {
      const feed = await expectJson<FeedDefinitionView>(
        await send(asManager, 'POST', '', {
          slug: 'managed',
          title: 'Managed',
          sourcePageId: site.homeId,
          itemTypes: ['blog_post'],
        }),
        201,
      );
      expect((await list(asManager)).map((each) => each.slug)).toContain('managed');
      expect(await expectJson(await send(asManager, 'GET', `/${feed.id}`), 200)).toEqual(feed);
      await expectJson(await send(asManager, 'PATCH', `/${feed.id}`, { limit: 2 }), 200);
      expect(await itemTitles(app, '/feeds/managed')).toEqual(inEveryFormat(['Plain', 'Parks']));
      expect((await send(asManager, 'DELETE', `/${feed.id}`)).status).toBe(204);
      expect(await actionsOn(feed.id)).toEqual([
        'feed feeds.created by manager',
        'feed feeds.changed by manager',
        'feed feeds.deleted by manager',
      ]);
    });

    it('removes a link filter with linkFilter: null, keeping the rest', async () => {
      const feed = await createFeed(app, asAdmin, {
        slug: 'filtered-then-not',
        title: 'Filtered',
        sourcePageId: site.blogId,
        itemTypes: ['blog_post'],
        linkFilter: { field: 'categories', snippetId: site.categoryIds[1] },
      });
      expect(feed.linkFilter).toEqual({ field: 'categories', snippetId: site.categoryIds[1] });
      expect(await itemTitles(app, '/feeds/filtered-then-not')).toEqual(
        inEveryFormat(['Parks', 'Bridges']),
      );
      const cleared = await expectJson<FeedDefinitionView>(
        await send(asAdmin, 'PATCH', `/${feed.id}`, { linkFilter: null }),
        200,
      );
      expect(cleared).toMatchObject({ linkFilter: null, itemTypes: ['blog_post'] });
      expect(await itemTitles(app, '/feeds/filtered-then-not')).toEqual(
        inEveryFormat(['Plain', 'Parks', 'Bridges', 'Roses']),
      );
    });
  });

  describe('who may manage feeds', () => {
    it('refuses requests without credentials (401) and users without manage_feeds (403), changing nothing', async () => {
      const target = await createFeed(app, asAdmin, {
        slug: 'guarded',
        title: 'Guarded',
        sourcePageId: site.blogId,
      });
      const groups = app.finch.app.get(GroupsService);
      const roles: Record<string, Headers> = {};
      for (const group of ['Editors', 'Moderators']) {
        const user = await createUser(app, { name: `In ${group}` });
        const found = await groups.findByName(group);
        await groups.addMember(found!.id, user.id, { actorId: admin.id });
        roles[group] = await headersOf(app, user);
      }
      roles['no group'] = await headersOf(app, await createUser(app, { name: 'Nobody' }));
      const before = await list();
      const count = await feedCount();
      const attempts: Array<[string, string, unknown]> = [
        ['GET', '', undefined],
        ['POST', '', { slug: 'sneaky', title: 'Sneaky', sourcePageId: site.blogId }],
        ['GET', `/${target.id}`, undefined],
        ['PATCH', `/${target.id}`, { title: 'Hijacked' }],
        ['DELETE', `/${target.id}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const anonymous = await send({}, method, path, body);
        expect({ who: 'anonymous', method, path, status: anonymous.status }).toEqual({
          who: 'anonymous',
          method,
          path,
          status: 401,
        });
        await expectProblem(anonymous, 401);
        for (const [who, headers] of Object.entries(roles)) {
          const refused = await send(headers, method, path, body);
          expect({ who, method, path, status: refused.status }).toEqual({
            who,
            method,
            path,
            status: 403,
          });
          await expectProblem(refused, 403);
        }
      }
      expect(await list()).toEqual(before);
      expect(await feedCount()).toBe(count);
      expect(await actionsOn(target.id)).toEqual(['feed feeds.created by admin']);
    });
  });

  describe('refusals', () => {
    let feed: FeedDefinitionView;
    const base = () => ({ slug: 'valid-slug', title: 'Valid', sourcePageId: site.blogId });

    /**
     * What the API answered: `400 naming <field>` when it refused with a problem naming
     * `field` among its errors, else the status with the fields named or the body.
     */
    async function outcome(
      field: string,
      body: unknown,
      method: string,
      id?: string,
    ): Promise<string> {
      const response = await send(asAdmin, method, id ? `/${id}` : '', body);
      const text = await response.text();
      if (response.status !== 400) return `${response.status} ${text.slice(0, 200)}`;
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(text) as Problem;
      const paths = [...new Set(problem.errors?.map((error) => error.path))];
      return `400 naming ${paths.includes(field) ? field : paths.join(', ')}`;
    }

    beforeAll(async () => {
      feed = await createFeed(app, asAdmin, {
        slug: 'target',
        title: 'Target',
        sourcePageId: site.blogId,
        itemTypes: ['blog_post'],
        linkFilter: { field: 'categories', snippetId: site.categoryIds[0] },
      });
    });

    it('answers each wrong property of a creation with 400 naming it, and creates nothing', async () => {
      const [gardens] = site.categoryIds;
      const cases: Array<[string, Record<string, unknown>]> = [
        ['slug', { slug: 'Bad Slug' }],
        ['slug', { slug: '-leading' }],
        ['slug', { slug: 'dots.not.allowed' }],
        ['slug', { slug: 'x'.repeat(101) }],
        ['slug', { slug: '' }],
        ['slug', { slug: 42 }],
        ['title', { title: '' }],
        ['title', { title: 'x'.repeat(256) }],
        ['title', { title: 'bell\u0007' }],
        ['title', { title: 'two\nlines' }],
        ['title', { title: 7 }],
        ['description', { description: 'x'.repeat(1001) }],
        ['description', { description: 'null\u0000byte' }],
        ['description', { description: ['list'] }],
        ['sourcePageId', { sourcePageId: 'not-a-uuid' }],
        ['sourcePageId', { sourcePageId: NO_SUCH_ID }],
        ['sourcePageId', { sourcePageId: 12 }],
        ['source', { source: 'siblings' }],
        ['source', { source: null }],
        ['itemTypes', { itemTypes: 'blog_post' }],
        ['itemTypes[0]', { itemTypes: ['no_such_type'] }],
        ['itemTypes[1]', { itemTypes: ['blog_post', 'author'] }],
        ['itemTypes', { itemTypes: Array.from({ length: 21 }, () => 'blog_post') }],
        ['linkFilter.field', { linkFilter: { field: 'categories', snippetId: gardens } }],
        [
          'linkFilter.field',
          { itemTypes: ['blog_post'], linkFilter: { field: 'intro', snippetId: gardens } },
        ],
        [
          'linkFilter.field',
          {
            itemTypes: ['blog_post', 'blog_index'],
            linkFilter: { field: 'categories', snippetId: gardens },
          },
        ],
        [
          'linkFilter.snippetId',
          {
            itemTypes: ['blog_post'],
            linkFilter: { field: 'categories', snippetId: site.authorId },
          },
        ],
        [
          'linkFilter.snippetId',
          { itemTypes: ['blog_post'], linkFilter: { field: 'categories', snippetId: NO_SUCH_ID } },
        ],
        [
          'linkFilter.snippetId',
          { itemTypes: ['blog_post'], linkFilter: { field: 'categories', snippetId: 'x' } },
        ],
        ['linkFilter', { itemTypes: ['blog_post'], linkFilter: 'categories' }],
        ['order', { order: 'random' }],
        ['order', { order: 'date' }],
        ['limit', { limit: 0 }],
        ['limit', { limit: 101 }],
        ['limit', { limit: 1.5 }],
        ['limit', { limit: '10' }],
        ['fields', { fields: 'intro' }],
        ['fields.summary', { itemTypes: ['blog_post'], fields: { summary: 'no_such_field' } }],
        ['fields.summary', { itemTypes: ['blog_post'], fields: { summary: 'date' } }],
        ['fields.content', { itemTypes: ['blog_post'], fields: { content: 'author' } }],
        ['fields.author', { itemTypes: ['blog_post'], fields: { author: 'body' } }],
        ['fields.categories', { itemTypes: ['blog_post'], fields: { categories: 'date' } }],
        ['fields.image', { itemTypes: ['blog_post'], fields: { image: 'intro' } }],
        ['fields.summary', { itemTypes: ['blog_index'], fields: { summary: 'body' } }],
        ['locale', { locale: 'not a tag!' }],
        ['locale', { locale: `en-${'x'.repeat(40)}` }],
        ['locale', { locale: 5 }],
        ['extra', { extra: true }],
        ['id', { id: NO_SUCH_ID }],
        ['urls', { urls: {} }],
      ];
      const count = await feedCount();
      const outcomes: string[] = [];
      for (const [index, [field, change]] of cases.entries()) {
        // A slug of its own: a wrongly accepted case cannot turn the next ones into 409s.
        const body = { ...base(), slug: `case-${index}`, ...change };
        outcomes.push(
          `${JSON.stringify(change).slice(0, 90)} → ${await outcome(field, body, 'POST')}`,
        );
      }
      expect(outcomes).toEqual(
        cases.map(
          ([field, change]) => `${JSON.stringify(change).slice(0, 90)} → 400 naming ${field}`,
        ),
      );
      for (const missing of ['slug', 'title', 'sourcePageId'] as const) {
        const body: Record<string, unknown> = base();
        delete body[missing];
        await expectInvalid(await send(asAdmin, 'POST', '', body), missing);
      }
      await expectProblem(await send(asAdmin, 'POST', '', '{"slug": "unterminated'), 400);
      await expectProblem(await send(asAdmin, 'POST', '', '[]'), 400);
      await expectProblem(await send(asAdmin, 'POST', '', 'null'), 400);
      await expectProblem(
        await send(asAdmin, 'POST', '', {
          ...base(),
          description: 'x'.repeat(app.config.bodyLimit),
        }),
        413,
      );
      expect(await feedCount()).toBe(count);
      expect((await list()).map((each) => each.slug)).not.toContain('valid-slug');
    });

    it('answers wrong changes with 400 naming the property, and changes nothing', async () => {
      const before = await expectJson<FeedDefinitionView>(
        await send(asAdmin, 'GET', `/${feed.id}`),
        200,
      );
      const cases: Array<[string, Record<string, unknown>]> = [
        ['slug', { slug: 'UPPER' }],
        ['slug', { slug: null }],
        ['title', { title: '' }],
        ['title', { title: null }],
        ['sourcePageId', { sourcePageId: NO_SUCH_ID }],
        ['sourcePageId', { sourcePageId: 'nope' }],
        ['limit', { limit: -1 }],
        ['order', { order: 'path' }],
        // Without item types a link filter has no field to read.
        ['linkFilter.field', { itemTypes: [] }],
        ['linkFilter.field', { itemTypes: ['blog_index'] }],
        [
          'linkFilter.snippetId',
          { linkFilter: { field: 'author', snippetId: site.categoryIds[0] } },
        ],
        ['fields.content', { fields: { content: 'date' } }],
        ['locale', { locale: '' }],
        ['createdAt', { createdAt: '2020-01-01T00:00:00Z' }],
      ];
      const outcomes: string[] = [];
      for (const [field, change] of cases) {
        outcomes.push(
          `${JSON.stringify(change)} → ${await outcome(field, change, 'PATCH', feed.id)}`,
        );
      }
      expect(outcomes).toEqual(
        cases.map(([field, change]) => `${JSON.stringify(change)} → 400 naming ${field}`),
      );
      expect(await expectJson(await send(asAdmin, 'GET', `/${feed.id}`), 200)).toEqual(before);
      expect(await actionsOn(feed.id)).toEqual(['feed feeds.created by admin']);
    });

    it('refuses a slug already taken with 409, on creation and on change', async () => {
      const problem = await expectProblem(
        await send(asAdmin, 'POST', '', { ...base(), slug: 'target' }),
        409,
      );
      expect(problem.errors?.map((error) => error.path)).toEqual(['slug']);
      const second = await createFeed(app, asAdmin, { ...base(), slug: 'second-target' });
      const renamed = await expectProblem(
        await send(asAdmin, 'PATCH', `/${second.id}`, { slug: 'target' }),
        409,
      );
      expect(renamed.errors?.map((error) => error.path)).toEqual(['slug']);
      expect((await list()).filter((each) => each.slug === 'target')).toHaveLength(1);
      // Renaming a feed to its own slug is no conflict.
      await expectJson(
        await send(asAdmin, 'PATCH', `/${second.id}`, { slug: 'second-target' }),
        200,
      );
    });

    it('answers unknown and malformed ids with 404 or 400, never 500', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const body = method === 'PATCH' ? { title: 'X' } : undefined;
        await expectProblem(await send(asAdmin, method, `/${NO_SUCH_ID}`, body), 404);
        for (const id of ['not-a-uuid', '1', `${feed.id}x`, "1'%20OR%20'1'='1"]) {
          const response = await send(asAdmin, method, `/${id}`, body);
          expect({ method, id, status: response.status }).toEqual({
            method,
            id,
            status: expect.any(Number),
          });
          expect([400, 404]).toContain(response.status);
          await expectProblem(response, response.status);
        }
      }
      expect(await expectJson(await send(asAdmin, 'GET', `/${feed.id}`), 200)).toMatchObject({
        slug: 'target',
      });
    });
  });

  describe('what a hand-made feed lists', () => {
    it('lists with a category link filter only the posts in that category', async () => {
      const [gardens, cities] = site.categoryIds;
      await createFeed(app, asAdmin, {
        slug: 'gardens',
        title: 'Gardens',
        sourcePageId: site.homeId,
        itemTypes: ['blog_post'],
        linkFilter: { field: 'categories', snippetId: gardens },
      });
      await createFeed(app, asAdmin, {
        slug: 'cities',
        title: 'Cities',
        sourcePageId: site.homeId,
        itemTypes: ['blog_post'],
        linkFilter: { field: 'categories', snippetId: cities },
      });
      await createFeed(app, asAdmin, {
        slug: 'by-ann',
        title: 'By Ann',
        sourcePageId: site.homeId,
        itemTypes: ['blog_post'],
        linkFilter: { field: 'author', snippetId: site.authorId },
      });
      expect(await itemTitles(app, '/feeds/gardens')).toEqual(inEveryFormat(['Parks', 'Roses']));
      expect(await itemTitles(app, '/feeds/cities')).toEqual(inEveryFormat(['Parks', 'Bridges']));
      expect(await itemTitles(app, '/feeds/by-ann')).toEqual(inEveryFormat(['Roses']));
      // A post published into the category appears at once; one outside it does not.
      await createPost(app, asAdmin, site.blogId, {
        title: 'Tulips',
        slug: 'tulips',
        categories: [gardens],
      });
      await createPost(app, asAdmin, site.blogId, {
        title: 'Tunnels',
        slug: 'tunnels',
        categories: [cities],
      });
      expect(await itemTitles(app, '/feeds/gardens')).toEqual(
        inEveryFormat(['Tulips', 'Parks', 'Roses']),
      );
    });

    it('lists children or descendants, of any page type when itemTypes is empty', async () => {
      await createFeed(app, asAdmin, {
        slug: 'home-children',
        title: 'Sections',
        sourcePageId: site.homeId,
        source: 'children',
      });
      expect(await itemTitles(app, '/feeds/home-children')).toEqual(inEveryFormat(['Blog']));
      await createFeed(app, asAdmin, {
        slug: 'home-descendants',
        title: 'Everything',
        sourcePageId: site.homeId,
        order: 'title',
        limit: 100,
      });
      expect(await itemTitles(app, '/feeds/home-descendants')).toEqual(
        inEveryFormat(['Blog', 'Bridges', 'Parks', 'Plain', 'Roses', 'Tulips', 'Tunnels']),
      );
    });

    it('takes the item parts from `fields` over the item type’s own settings', async () => {
      const feed = await createFeed(app, asAdmin, {
        slug: 'intro-as-content',
        title: 'Intros',
        sourcePageId: site.blogId,
        itemTypes: ['blog_post'],
        linkFilter: { field: 'author', snippetId: site.authorId },
        fields: { content: 'intro', categories: 'tags' },
      });
      expect(feed.fields).toEqual({ content: 'intro', categories: 'tags' });
      const views = await readAllFormats(app, '/feeds/intro-as-content');
      for (const view of views) {
        const [roses] = view.items;
        expect({ format: view.format, title: roses.title, content: roses.contentHtml }).toEqual({
          format: view.format,
          title: 'Roses',
          content: expect.stringContaining('About Roses'),
        });
        // The type's own settings still give what `fields` does not override.
        expect(roses.summary).toBe('About Roses');
        expect(roses.authors).toEqual(['Ann Writer']);
        expect(roses.contentHtml).not.toContain('Some words.');
      }
    });

    it('lists the items of its `locale`, else of the source page’s locale', async () => {
      const french = await adminPost(app, asAdmin, '/api/admin/pages', {
        parentId: site.blogId,
        type: 'blog_post',
        title: 'Les roses',
        slug: 'les-roses',
        locale: 'fr',
        content: blogPostContent({ title: 'Les roses' }),
        publish: true,
      });
      expect(french.id).toEqual(expect.any(String));
      const feed = await createFeed(app, asAdmin, {
        slug: 'localized',
        title: 'Localized',
        sourcePageId: site.blogId,
        itemTypes: ['blog_post'],
        limit: 2,
      });
      const english = await readAllFormats(app, '/feeds/localized');
      for (const view of english) {
        expect([view.language, view.items.map((item) => item.title)]).toEqual([
          'en',
          ['Tunnels', 'Tulips'],
        ]);
      }
      await expectJson(await send(asAdmin, 'PATCH', `/${feed.id}`, { locale: 'fr' }), 200);
      for (const view of await readAllFormats(app, '/feeds/localized')) {
        expect([view.language, view.items.map((item) => item.title)]).toEqual([
          'fr',
          ['Les roses'],
        ]);
      }
      await expectJson(await send(asAdmin, 'PATCH', `/${feed.id}`, { locale: null }), 200);
      expect((await itemTitles(app, '/feeds/localized')).json).toEqual(['Tunnels', 'Tulips']);
    });

    it('is kept when its source page is deleted, with sourcePageId null and URLs that 404 until a new source is chosen', async () => {
      const section = await createPage(app, asAdmin, {
        parentId: site.homeId,
        type: 'blog_index',
        title: 'Doomed section',
        slug: 'doomed',
        content: { intro: 'Soon gone' },
      });
      await createPost(app, asAdmin, section, { title: 'Doomed post', slug: 'doomed-post' });
      const feed = await createFeed(app, asAdmin, {
        slug: 'orphaned',
        title: 'Orphaned',
        sourcePageId: section,
      });
      expect(await itemTitles(app, '/feeds/orphaned')).toEqual(inEveryFormat(['Doomed post']));
      const deleted = await fetch(`${app.baseUrl}/api/admin/pages/${section}?confirm=2`, {
        method: 'DELETE',
        headers: asAdmin,
      });
      expect(deleted.status).toBe(200);
      expect(await expectJson(await send(asAdmin, 'GET', `/${feed.id}`), 200)).toMatchObject({
        slug: 'orphaned',
        sourcePageId: null,
      });
      for (const format of FEED_FORMATS) {
        const problem = await expectProblem(
          await fetch(`${app.baseUrl}/feeds/orphaned.${format}`),
          404,
        );
        expect(problem.detail).toMatch(/source page/i);
      }
      await expectJson(
        await send(asAdmin, 'PATCH', `/${feed.id}`, { sourcePageId: site.blogId, limit: 1 }),
        200,
      );
      expect(await itemTitles(app, '/feeds/orphaned')).toEqual(inEveryFormat(['Tunnels']));
    });

    it('404s while its source page is not live', async () => {
      const section = await createPage(app, asAdmin, {
        parentId: site.homeId,
        type: 'blog_index',
        title: 'Paused section',
        slug: 'paused',
        content: {},
      });
      await createPost(app, asAdmin, section, { title: 'Paused post', slug: 'paused-post' });
      await createFeed(app, asAdmin, { slug: 'paused', title: 'Paused', sourcePageId: section });
      expect((await fetchFeed(app, '/feeds/paused.rss')).status).toBe(200);
      const unpublished = await fetch(`${app.baseUrl}/api/admin/pages/${section}/unpublish`, {
        method: 'POST',
        headers: { ...asAdmin, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(unpublished.status).toBe(200);
      for (const format of FEED_FORMATS) {
        const problem = await expectProblem(
          await fetch(`${app.baseUrl}/feeds/paused.${format}`),
          404,
        );
        expect(problem.detail).toMatch(/not published/);
      }
      // Deleted while offline (no content change for the live site is recorded then): the
      // 404 says it was deleted and what to do.
      const deleted = await fetch(`${app.baseUrl}/api/admin/pages/${section}?confirm=2`, {
        method: 'DELETE',
        headers: asAdmin,
      });
      expect(deleted.status).toBe(200);
      const problem = await expectProblem(await fetch(`${app.baseUrl}/feeds/paused.rss`), 404);
      expect(problem.detail).toMatch(/source page was deleted\. Choose a new one/);
    });
  });

  describe('caches', () => {
    it('serves a feed’s change at once, in the feed and in its source page’s meta.feeds', async () => {
      const feed = await createFeed(app, asAdmin, {
        slug: 'cached',
        title: 'Before',
        sourcePageId: site.blogId,
        itemTypes: ['blog_post'],
      });
      const metaTitles = async () => {
        const response = await fetch(`${app.baseUrl}/api/v2/pages/${site.blogId}/`);
        const page = (await response.json()) as {
          meta: { feeds: Array<{ url: string; title: string }> };
        };
        return page.meta.feeds
          .filter((entry) => entry.url.includes('/feeds/'))
          .map((entry) => `${entry.title} ${entry.url.replace(app.config.publicUrl, '')}`);
      };
      const first = await fetchFeed(app, '/feeds/cached.rss');
      expect(first.status).toBe(200);
      // FEED_CACHE_MAX_AGE is not set for this app: the default, 300 seconds.
      expect(first.headers.get('cache-control')).toBe('public, max-age=300');
      expect(await metaTitles()).toContain('Before /feeds/cached.rss');

      await expectJson(await send(asAdmin, 'PATCH', `/${feed.id}`, { title: 'After' }), 200);
      const second = await fetchFeed(app, '/feeds/cached.rss', {
        headers: { 'if-none-match': first.headers.get('etag')! },
      });
      expect(second.status).toBe(200);
      expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
      for (const view of await readAllFormats(app, '/feeds/cached')) {
        expect(view.title).toBe('After');
      }
      expect(await metaTitles()).toContain('After /feeds/cached.rss');
      expect(await metaTitles()).not.toContain('Before /feeds/cached.rss');

      expect((await send(asAdmin, 'DELETE', `/${feed.id}`)).status).toBe(204);
      await expectProblem(await fetch(`${app.baseUrl}/feeds/cached.rss`), 404);
      expect((await metaTitles()).filter((entry) => entry.includes('/feeds/cached.'))).toEqual([]);
    });
  });
});
