import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import {
  type BlogSite,
  buildBlogSite,
  createPage,
  createPost,
  createSnippet,
} from '#test/helpers/delivery-site.js';
import { expectProblem } from '#test/helpers/problem.js';
import { fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

interface Item {
  id: string;
  meta: {
    type: string;
    detail_url: string;
    html_url: string | null;
    slug: string;
    first_published_at: string | null;
    last_published_at: string | null;
    parent: { id: string; meta: { type: string; html_url: string | null }; title: string } | null;
    search_score?: number;
  };
  title: string;
  [field: string]: unknown;
}
interface Listing {
  meta: { total_count: number };
  items: Item[];
}

describe('the delivery API: pages and snippets', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let site: BlogSite;
  const posts: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    const other = await createSnippet(app, asAdmin, 'author', { name: 'Bo Other' });
    posts.alpha = await createPost(app, asAdmin, site.blogId, {
      title: 'Alpha gardens',
      slug: 'alpha',
      date: '2026-01-01',
      author: site.authorId,
      categories: [site.categoryIds[0]],
      tags: ['news', 'howto'],
      linkTo: site.blogId,
    });
    posts.bravo = await createPost(app, asAdmin, site.blogId, {
      title: 'Bravo city',
      slug: 'bravo',
      date: '2026-02-01',
      author: other,
      categories: site.categoryIds,
      tags: ['release'],
    });
    posts.charlie = await createPost(app, asAdmin, site.blogId, {
      title: 'Charlie draft',
      slug: 'charlie',
      date: '2026-03-01',
      publish: false,
    });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${app.baseUrl}${path}`, init);
  async function list(query: string): Promise<Listing> {
    const response = await get(`/api/v2/pages?${query}`);
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status: 200 });
    return JSON.parse(text) as Listing;
  }
  const titles = (listing: Listing) => listing.items.map((item) => item.title);

  describe('GET /api/v2/pages', () => {
    it('lists live pages of the site in tree order with id, meta and title, drafts left out', async () => {
      const response = await get('/api/v2/pages');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as Listing;
      expect(titles(body)).toEqual(['Home', 'Blog', 'Alpha gardens', 'Bravo city']);
      expect(body.meta.total_count).toBe(4);
      const alpha = body.items[2];
      expect(Object.keys(alpha)).toEqual(['id', 'meta', 'title']);
      expect(alpha.meta).toMatchObject({
        type: 'blog_post',
        detail_url: `${app.config.publicUrl}/api/v2/pages/${posts.alpha}/`,
        html_url: '/blog/alpha/',
        slug: 'alpha',
        first_published_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        parent: {
          id: site.blogId,
          meta: { type: 'blog_index', html_url: '/blog/' },
          title: 'Blog',
        },
      });
      expect(body.items[0].meta.parent).toBeNull();
      expect(body.items[0].meta.html_url).toBe('/');
    });

    it('filters by type, child_of, descendant_of and ancestor_of', async () => {
      expect(titles(await list('type=blog_post'))).toEqual(['Alpha gardens', 'Bravo city']);
      expect(titles(await list(`child_of=${site.homeId}`))).toEqual(['Blog']);
      expect(titles(await list(`descendant_of=${site.homeId}`))).toEqual([
        'Blog',
        'Alpha gardens',
        'Bravo city',
      ]);
      expect(titles(await list(`ancestor_of=${posts.alpha}`))).toEqual(['Home', 'Blog']);
    });

    it('orders by title, dates, id, content fields declared sortable, and at random', async () => {
      expect(titles(await list('type=blog_post&order=-title'))).toEqual([
        'Bravo city',
        'Alpha gardens',
      ]);
      expect(titles(await list('type=blog_post&order=-date'))).toEqual([
        'Bravo city',
        'Alpha gardens',
      ]);
      expect(titles(await list('type=blog_post&order=date'))).toEqual([
        'Alpha gardens',
        'Bravo city',
      ]);
      expect(titles(await list('order=-first_published_at'))[0]).toBe('Bravo city');
      expect((await list('order=last_published_at')).items).toHaveLength(4);
      const byId = (await list('order=id')).items.map((item) => item.id);
      expect(byId).toEqual([...byId].sort());
      expect((await list('order=random')).items).toHaveLength(4);
      expect(titles(await list('order=path'))[0]).toBe('Home');
    });

    it('pages through results with limit and offset, keeping the total', async () => {
      const page = await list('limit=1&offset=1');
      expect(titles(page)).toEqual(['Blog']);
      expect(page.meta.total_count).toBe(4);
      const beyond = await list('offset=10');
      expect(beyond).toEqual({ meta: { total_count: 4 }, items: [] });
    });

    it('filters on filterable fields: exact, __in and __contains, typed by field', async () => {
      expect(titles(await list('type=blog_post&date=2026-02-01'))).toEqual(['Bravo city']);
      expect(titles(await list('type=blog_post&date__in=2026-01-01,2026-02-01'))).toHaveLength(2);
      expect(titles(await list('type=blog_post&tags__contains=howto'))).toEqual(['Alpha gardens']);
      expect(titles(await list('type=blog_post&tags=release'))).toEqual(['Bravo city']);
      expect(titles(await list('type=blog_post&tags__in=release,howto'))).toHaveLength(2);
      expect(titles(await list(`type=blog_post&author=${site.authorId}`))).toEqual([
        'Alpha gardens',
      ]);
      expect(titles(await list('type=blog_post&date=2025-12-31'))).toEqual([]);
    });

    it('selects fields: *, a list, -field, nested link fields and parent', async () => {
      const all = await list('type=blog_post&fields=*');
      const alpha = all.items[0];
      expect(Object.keys(alpha)).toEqual([
        'id',
        'meta',
        'title',
        'intro',
        'hero_image',
        'date',
        'body',
        'author',
        'categories',
        'tags',
      ]);
      expect(alpha.author).toEqual({
        id: site.authorId,
        meta: {
          type: 'author',
          detail_url: `${app.config.publicUrl}/api/v2/snippets/author/${site.authorId}/`,
        },
        title: 'Ann Writer',
      });
      expect(alpha.categories).toEqual([expect.objectContaining({ title: 'Gardens' })]);
      expect(alpha.hero_image).toBeNull();
      const body = alpha.body as Array<{ type: string; value: { json: unknown; html: string } }>;
      expect(body[0].type).toBe('paragraph');
      expect(body[0].value.html).toBe('<p>Some words.<a href="/blog/"> (link)</a></p>');

      const some = await list('type=blog_post&fields=date,-meta,author(name,bio)');
      expect(Object.keys(some.items[0])).toEqual(['id', 'title', 'date', 'author']);
      expect(some.items[0].author).toMatchObject({
        title: 'Ann Writer',
        name: 'Ann Writer',
        bio: { html: '<p>Writes about gardens.</p>' },
      });
      const bare = await list('fields=_,title');
      expect(bare.items[0]).toEqual({ title: 'Home' });
      const parents = await list('type=blog_post&fields=parent(-meta)');
      expect(parents.items[0].meta.parent).toEqual({ id: site.blogId, title: 'Blog' });
    });

    it('serves every field of each page with fields=* and no type', async () => {
      const all = await list('fields=*');
      expect(all.items[1]).toMatchObject({
        title: 'Blog',
        intro: 'All the posts',
        posts_per_page: 10,
      });
    });

    it('filters by locale and chooses the site with ?site= or the Host header', async () => {
      expect((await list('locale=en')).items).toHaveLength(4);
      expect((await list('locale=fr')).items).toHaveLength(0);
      expect((await list('site=www.example.com')).items).toHaveLength(4);
      expect((await list(`site=${site.siteId}`)).items).toHaveLength(4);
      const byHost = await get('/api/v2/pages', { headers: { host: 'www.example.com' } });
      expect(((await byHost.json()) as Listing).meta.total_count).toBe(4);
    });

    it('sends the same number of SQL queries for 1, 20 and 100 pages with fields=*', async () => {
      const more = await createPage(app, asAdmin, {
        parentId: site.homeId,
        type: 'blog_index',
        title: 'Archive',
        slug: 'archive',
        content: {},
      });
      for (let number = 0; number < 100; number += 1) {
        await createPost(app, asAdmin, more, {
          title: `Archived ${number}`,
          slug: `archived-${number}`,
          author: number % 2 ? site.authorId : undefined,
          categories: site.categoryIds,
          linkTo: site.blogId,
        });
      }
      const counts: number[] = [];
      for (const limit of [1, 20, 100]) {
        const url = `${app.baseUrl}/api/v2/pages?type=blog_post&child_of=${more}&fields=*&limit=${limit}`;
        // The first request warms the in-memory registries; the second bypasses no cache
        // because each limit is a new URL.
        const response = await fetchCountingQueries(url);
        expect(response.status).toBe(200);
        const body = JSON.parse(response.body) as Listing;
        expect(body.items).toHaveLength(limit);
        expect(body.items.at(-1)?.categories).toHaveLength(2);
        counts.push(response.queries.length);
      }
      expect(counts[0]).toBeGreaterThan(0);
      expect(new Set(counts).size).toBe(1);
      expect(counts[0]).toBe(1);
    }, 300_000);
  });

  describe('bad parameters', () => {
    it.each([
      ['nonsense=1', 'nonsense'],
      ['date=2026-01-01', 'date'],
      ['type=author', 'type'],
      ['type=missing', 'type'],
      ['type=blog_post&intro=x', 'intro'],
      ['type=blog_post&live=false', 'live'],
      ['type=blog_post&owner_id=x', 'owner_id'],
      ['type=blog_post&content=x', 'content'],
      ['type=blog_post&date=yesterday', 'date'],
      ['type=blog_post&date=2026-02-30', 'date'],
      ['type=blog_post&date__contains=2026', 'date__contains'],
      ['type=blog_post&tags=unknown', 'tags'],
      ['type=blog_post&author=not-a-uuid', 'author'],
      ['type=blog_post&body=x', 'body'],
      ['child_of=42', 'child_of'],
      ['descendant_of=00000000-0000-4000-8000-000000000000', 'descendant_of'],
      ['order=secret', 'order'],
      ['order=intro', 'order'],
      ['type=blog_post&order=intro', 'order'],
      ['order=random&offset=1', 'order'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['offset=-1', 'offset'],
      ['fields=content', 'fields'],
      ['fields=date', 'fields'],
      ['type=blog_post&fields=search_vector', 'fields'],
      ['type=blog_post&fields=intro(x)', 'fields'],
      ['type=blog_post&fields=author(password)', 'fields'],
      ['fields=title)', 'fields'],
      ["fields=title'--", 'fields'],
      ['locale=../../etc', 'locale'],
      ['site=nowhere.example.com', 'site'],
      ['search=', 'search'],
      [`search=${'x'.repeat(300)}`, 'search'],
      ['draft=maybe', 'draft'],
    ])('?%s is a 400 naming %s', async (query, parameter) => {
      const problem = await expectProblem(await get(`/api/v2/pages?${query}`), 400);
      expect(problem.errors?.[0]?.path).toBe(parameter);
      expect(problem.detail).toContain(parameter);
    });

    it('refuses a NUL character, which PostgreSQL text cannot hold, naming the parameter', async () => {
      for (const [path, parameter] of [
        ['/api/v2/pages?search=a%00', 'search'],
        ['/api/v2/pages/find?html_path=/a%00/', 'html_path'],
        ['/api/v2/pages?type=blog_post&tags=news%00', 'tags'],
      ]) {
        const problem = await expectProblem(await get(path), 400);
        expect(problem.errors?.[0]?.path).toBe(parameter);
      }
    });

    it('passes hostile filter values as parameters, never as SQL', async () => {
      const listing = await list(
        `type=blog_post&tags__contains=${encodeURIComponent("news') OR 1=1 --")}`,
      ).catch(() => undefined);
      expect(listing).toBeUndefined();
      const problem = await expectProblem(
        await get(
          `/api/v2/pages?type=blog_post&date=${encodeURIComponent("2026-01-01' OR '1'='1")}`,
        ),
        400,
      );
      expect(problem.errors?.[0]?.path).toBe('date');
    });
  });

  describe('GET /api/v2/pages/{id}', () => {
    it('shows every field of a live page', async () => {
      const response = await get(`/api/v2/pages/${posts.alpha}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as Item;
      expect(page).toMatchObject({
        id: posts.alpha,
        title: 'Alpha gardens',
        date: '2026-01-01',
        tags: ['news', 'howto'],
        author: { id: site.authorId, title: 'Ann Writer' },
        meta: { type: 'blog_post', html_url: '/blog/alpha/', parent: { id: site.blogId } },
      });
      expect(page.body).toEqual([
        {
          type: 'paragraph',
          id: expect.any(String),
          value: {
            json: expect.objectContaining({ type: 'doc' }),
            html: '<p>Some words.<a href="/blog/"> (link)</a></p>',
          },
        },
      ]);
    });

    it('answers in one SQL statement', async () => {
      const response = await fetchCountingQueries(
        `${app.baseUrl}/api/v2/pages/${posts.bravo}/?fields=-body`,
      );
      expect(response.status).toBe(200);
      expect(response.queries).toHaveLength(1);
    });

    it('takes fields too, and refuses unknown ones', async () => {
      const page = (await (await get(`/api/v2/pages/${posts.alpha}?fields=_,date`)).json()) as Item;
      expect(page).toEqual({ date: '2026-01-01' });
      const problem = await expectProblem(
        await get(`/api/v2/pages/${posts.alpha}?fields=nope`),
        400,
      );
      expect(problem.errors?.[0]?.path).toBe('fields');
      expect(
        (await expectProblem(await get(`/api/v2/pages/${posts.alpha}?limit=1`), 400)).errors?.[0]
          ?.path,
      ).toBe('limit');
    });

    it('is a 404 for drafts and unknown pages, and a 400 for ids that are not UUIDs', async () => {
      await expectProblem(await get(`/api/v2/pages/${posts.charlie}`), 404);
      await expectProblem(await get('/api/v2/pages/00000000-0000-4000-8000-000000000000'), 404);
      const problem = await expectProblem(await get("/api/v2/pages/1'%20OR%201=1"), 400);
      expect(problem.errors?.[0]?.path).toBe('id');
    });
  });

  describe('GET /api/v2/pages/find', () => {
    it('redirects a site path to the detail, keeping the other parameters', async () => {
      const response = await get('/api/v2/pages/find?html_path=/blog/alpha/&fields=date', {
        redirect: 'manual',
      });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`/api/v2/pages/${posts.alpha}/?fields=date`);
      const followed = await get('/api/v2/pages/find?html_path=/blog/alpha');
      expect(((await followed.json()) as Item).id).toBe(posts.alpha);
      const home = await get('/api/v2/pages/find?html_path=/', { redirect: 'manual' });
      expect(home.headers.get('location')).toBe(`/api/v2/pages/${site.homeId}/`);
    });

    it('answers in one SQL statement', async () => {
      const response = await fetchCountingQueries(
        `${app.baseUrl}/api/v2/pages/find?html_path=/blog/bravo/`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(302);
      expect(response.queries).toHaveLength(1);
    });

    it('is a 404 for drafts and unknown paths, a 400 for a missing or bad html_path', async () => {
      await expectProblem(await get('/api/v2/pages/find?html_path=/blog/charlie/'), 404);
      await expectProblem(await get('/api/v2/pages/find?html_path=/nowhere/'), 404);
      for (const query of ['', 'html_path=blog', 'html_path=/a?b', 'html_path=/x&type=home']) {
        const problem = await expectProblem(await get(`/api/v2/pages/find?${query}`), 400);
        expect(problem.errors?.[0]?.path).toMatch(/html_path|type/);
      }
    });
  });

  describe('GET /api/v2/snippets/{type}', () => {
    it('lists live snippets of the type by title, with fields and filters', async () => {
      const response = await get('/api/v2/snippets/category?fields=slug');
      expect(response.status).toBe(200);
      const body = (await response.json()) as Listing;
      expect(body.meta.total_count).toBe(2);
      expect(body.items.map((item) => [item.title, item.slug])).toEqual([
        ['Cities', 'cities'],
        ['Gardens', 'gardens'],
      ]);
      expect(body.items[0].meta).toMatchObject({
        type: 'category',
        detail_url: `${app.config.publicUrl}/api/v2/snippets/category/${site.categoryIds[1]}/`,
      });
      const filtered = (await (
        await get('/api/v2/snippets/category?slug=gardens')
      ).json()) as Listing;
      expect(filtered.items.map((item) => item.title)).toEqual(['Gardens']);
      const ordered = (await (
        await get('/api/v2/snippets/category?order=-title')
      ).json()) as Listing;
      expect(ordered.items.map((item) => item.title)).toEqual(['Gardens', 'Cities']);
    });

    it('shows one snippet with every field, rich text as json and html', async () => {
      const response = await get(`/api/v2/snippets/author/${site.authorId}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        id: site.authorId,
        title: 'Ann Writer',
        name: 'Ann Writer',
        bio: { json: { type: 'doc' }, html: '<p>Writes about gardens.</p>' },
        photo: null,
      });
    });

    it('refuses unknown types, ids of another type, and bad parameters', async () => {
      await expectProblem(await get('/api/v2/snippets/blog_post'), 404);
      await expectProblem(await get('/api/v2/snippets/nope'), 404);
      await expectProblem(await get(`/api/v2/snippets/category/${site.authorId}`), 404);
      for (const [query, parameter] of [
        ['type=author', 'type'],
        ['child_of=x', 'child_of'],
        ['name=x', 'name'],
        ['order=path', 'order'],
        ['fields=nope', 'fields'],
      ]) {
        const problem = await expectProblem(await get(`/api/v2/snippets/category?${query}`), 400);
        expect(problem.errors?.[0]?.path).toBe(parameter);
      }
    });
  });
});
