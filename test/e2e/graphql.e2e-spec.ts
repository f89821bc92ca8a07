import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import {
  type BlogSite,
  adminPost,
  buildBlogSite,
  createPage,
  createPost,
  createSnippet,
} from '#test/helpers/delivery-site.js';
import { sendJson } from '#test/helpers/problem.js';
import { runFinch } from '#test/helpers/finch-cli.js';
import { fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

interface PostItem {
  id: string;
  title: string;
  url: string | null;
  date?: string;
  author?: { name: string } | null;
  categories?: Array<{ name: string }>;
}
interface PostList {
  totalCount: number;
  items: PostItem[];
}

/** The message of the first error of a refused request (graphql-request throws ClientError). */
async function refusal(request: Promise<unknown>): Promise<ClientError['response']> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ClientError) return error.response;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('GraphQL: the content API', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let adminToken: string;
  let site: BlogSite;
  let client: GraphQLClient;
  const posts: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await createUser(app, { isSuperuser: true });
    adminToken = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(adminToken);
    site = await buildBlogSite(app, asAdmin, adminToken);
    posts.alpha = await createPost(app, asAdmin, site.blogId, {
      title: 'Alpha gardens',
      slug: 'alpha',
      date: '2026-01-01',
      author: site.authorId,
      categories: [site.categoryIds[0]],
      tags: ['news'],
      linkTo: site.blogId,
      bodyText: 'Roses and tulips.',
    });
    posts.bravo = await createPost(app, asAdmin, site.blogId, {
      title: 'Bravo city',
      slug: 'bravo',
      date: '2026-02-01',
      author: site.authorId,
      categories: site.categoryIds,
      tags: ['release'],
    });
    posts.draft = await createPost(app, asAdmin, site.blogId, {
      title: 'Charlie secret',
      slug: 'charlie',
      date: '2026-03-01',
      publish: false,
    });
    client = new GraphQLClient(`${app.baseUrl}/graphql`);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  describe('typed queries generated from the content types', () => {
    it('lists posts with typed fields, links resolved to their types, and the total', async () => {
      const data = await client.request<{ blogPosts: PostList }>(gql`
        {
          blogPosts(order: DATE_DESC) {
            totalCount
            items {
              id
              title
              url
              date
              tags
              author {
                name
                bio {
                  html
                }
              }
              categories {
                name
                slug
              }
              parent {
                title
                url
              }
            }
          }
        }
      `);
      expect(data.blogPosts.totalCount).toBe(2);
      expect(data.blogPosts.items).toEqual([
        expect.objectContaining({
          id: posts.bravo,
          title: 'Bravo city',
          url: '/blog/bravo/',
          date: '2026-02-01',
          tags: ['release'],
          author: { name: 'Ann Writer', bio: { html: '<p>Writes about gardens.</p>' } },
          categories: [
            { name: 'Gardens', slug: 'gardens' },
            { name: 'Cities', slug: 'cities' },
          ],
          parent: { title: 'Blog', url: '/blog/' },
        }),
        expect.objectContaining({ id: posts.alpha, date: '2026-01-01' }),
      ]);
    });

    it('reads a post by its path, with stream blocks as a union and rich text as JSON and HTML', async () => {
      const data = await client.request<{
        blogPost: { title: string; body: Array<Record<string, unknown>> };
      }>(
        gql`
          query Post($path: String!) {
            blogPost(urlPath: $path) {
              title
              body {
                __typename
                ... on StreamBlock {
                  id
                  blockType
                }
                ... on BlogPostBodyParagraphBlock {
                  value {
                    json
                    html
                  }
                }
              }
            }
          }
        `,
        { path: '/blog/alpha/' },
      );
      expect(data.blogPost.title).toBe('Alpha gardens');
      expect(data.blogPost.body).toEqual([
        expect.objectContaining({
          __typename: 'BlogPostBodyParagraphBlock',
          blockType: 'paragraph',
          value: {
            json: expect.objectContaining({ type: 'doc' }),
            html: '<p>Roses and tulips.<a href="/blog/"> (link)</a></p>',
          },
        }),
      ]);
    });

    it('answers the Page interface with the concrete type, and walks the tree', async () => {
      const data = await client.request<{
        page: {
          __typename: string;
          title: string;
          depth: number;
          children: Array<{
            __typename: string;
            title: string;
            children: Array<{ title: string }>;
          }>;
        };
      }>(gql`
        {
          page(urlPath: "/") {
            __typename
            title
            depth
            ... on Home {
              intro
            }
            children {
              __typename
              title
              children(type: "blog_post", limit: 10) {
                title
                ancestors {
                  title
                }
                siblings(limit: 5) {
                  title
                }
              }
            }
          }
        }
      `);
      expect(data.page).toMatchObject({
        __typename: 'Home',
        title: 'Home',
        depth: 1,
        intro: 'Welcome',
        children: [
          {
            __typename: 'BlogIndex',
            title: 'Blog',
            children: [
              {
                title: 'Alpha gardens',
                ancestors: [{ title: 'Home' }, { title: 'Blog' }],
                siblings: [{ title: 'Bravo city' }],
              },
              {
                title: 'Bravo city',
                ancestors: [{ title: 'Home' }, { title: 'Blog' }],
                siblings: [{ title: 'Alpha gardens' }],
              },
            ],
          },
        ],
      });
    });

    it('finds a page by slug and parent, and by id', async () => {
      const data = await client.request<{
        bySlug: { id: string } | null;
        byId: { title: string } | null;
        wrongType: unknown;
      }>(
        gql`
          query ($blog: ID!, $id: ID!) {
            bySlug: page(slug: "bravo", parent: $blog) {
              id
            }
            byId: blogPost(id: $id) {
              title
            }
            wrongType: blogIndex(id: $id) {
              id
            }
          }
        `,
        { blog: site.blogId, id: posts.alpha },
      );
      expect(data).toEqual({
        bySlug: { id: posts.bravo },
        byId: { title: 'Alpha gardens' },
        wrongType: null,
      });
    });

    it('filters on declared filterable fields with typed inputs, and on page columns', async () => {
      const data = await client.request<{
        byTag: PostList;
        byAuthor: PostList;
        byDate: PostList;
        bySlug: { items: Array<{ title: string }> };
        categories: { items: Array<{ name: string }> };
      }>(
        gql`
          query ($author: ID!) {
            byTag: blogPosts(filter: { tags: { has: "news" } }) {
              totalCount
              items {
                title
              }
            }
            byAuthor: blogPosts(filter: { author: { eq: $author } }) {
              totalCount
            }
            byDate: blogPosts(filter: { date: { in: ["2026-02-01", "2027-01-01"] } }) {
              items {
                title
              }
            }
            bySlug: pages(filter: { slug: { contains: "brav" } }) {
              items {
                title
              }
            }
            categories(filter: { slug: { eq: "cities" } }) {
              items {
                name
              }
            }
          }
        `,
        { author: site.authorId },
      );
      expect(data.byTag.items.map((item) => item.title)).toEqual(['Alpha gardens']);
      expect(data.byAuthor.totalCount).toBe(2);
      expect(data.byDate.items.map((item) => item.title)).toEqual(['Bravo city']);
      expect(data.bySlug.items.map((item) => item.title)).toEqual(['Bravo city']);
      expect(data.categories.items).toEqual([{ name: 'Cities' }]);
    });

    it('answers the operation asked for in a document of several, also once compiled (JIT)', async () => {
      const document = `query First { site { name } } query Second { page(urlPath: "/") { title } }`;
      for (let round = 0; round < 4; round++) {
        for (const operationName of ['First', 'Second']) {
          const response = await fetch(`${app.baseUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: document, operationName }),
          });
          const body = (await response.json()) as { data: Record<string, unknown> };
          expect(Object.keys(body.data)).toEqual([operationName === 'First' ? 'site' : 'page']);
        }
      }
    });

    it('gives each page the path a frontend routes it by, and takes it back in page(urlPath:)', async () => {
      const data = await client.request<{
        blogPost: { urlPath: string; url: string };
      }>(
        gql`
          query ($id: ID!) {
            blogPost(id: $id) {
              urlPath
              url
            }
          }
        `,
        { id: posts.alpha },
      );
      expect(data.blogPost).toEqual({ urlPath: '/blog/alpha/', url: '/blog/alpha/' });
      const again = await client.request<{ page: { id: string } }>(
        gql`
          query ($path: String!) {
            page(urlPath: $path) {
              id
            }
          }
        `,
        { path: data.blogPost.urlPath },
      );
      expect(again.page.id).toBe(posts.alpha);
    });

    it('lists the feeds a page owns, for its <link rel="alternate"> tags; none on a post', async () => {
      const data = await client.request<{
        blog: { feeds: Array<{ format: string; type: string; url: string; title: string }> };
        post: { feeds: unknown[] };
      }>(
        gql`
          query ($post: ID!) {
            blog: page(urlPath: "/blog/") {
              feeds {
                format
                type
                url
                title
              }
            }
            post: page(id: $post) {
              feeds {
                url
              }
            }
          }
        `,
        { post: posts.alpha },
      );
      expect(data.blog.feeds.map((feed) => [feed.format, feed.type])).toEqual([
        ['rss', 'application/rss+xml'],
        ['atom', 'application/atom+xml'],
        ['json', 'application/feed+json'],
      ]);
      for (const feed of data.blog.feeds) {
        expect(feed.url).toMatch(/^https?:\/\/[^/]+\/blog\/feed\.(rss|atom|json)$/);
      }
      expect(data.post.feeds).toEqual([]);
    });

    it('filters posts on the categories they have', async () => {
      const data = await client.request<{ blogPosts: PostList }>(
        gql`
          query ($category: ID!) {
            blogPosts(filter: { categories: { has: $category } }) {
              items {
                title
              }
            }
          }
        `,
        { category: site.categoryIds[1] },
      );
      expect(data.blogPosts.items.map((item) => item.title)).toEqual(['Bravo city']);
    });

    it('searches pages and snippets together, best first', async () => {
      const data = await client.request<{
        search: { totalCount: number; items: Array<{ __typename: string; title?: string }> };
      }>(gql`
        {
          search(query: "gardens") {
            totalCount
            items {
              __typename
              ... on BlogPost {
                title
              }
              ... on Category {
                name
              }
            }
          }
        }
      `);
      // The post's title, the category's name and the author's biography mention gardens.
      expect(data.search.items.map((item) => item.__typename).sort()).toEqual([
        'Author',
        'BlogPost',
        'Category',
      ]);
      expect(data.search.totalCount).toBe(3);
    });

    it('answers me and site, Finch’s own queries', async () => {
      const anonymous = await client.request<{ me: unknown; site: { hostname: string } }>(gql`
        {
          me {
            id
          }
          site {
            hostname
            rootPageId
          }
        }
      `);
      expect(anonymous).toEqual({
        me: null,
        site: { hostname: 'www.example.com', rootPageId: site.homeId },
      });
      const signedIn = await client.request<{ me: { email: string; scopes: string[] } }>(
        gql`
          {
            me {
              email
              scopes
            }
          }
        `,
        {},
        asAdmin,
      );
      expect(signedIn.me.scopes).toEqual(['read', 'write']);
    });

    it('never shows unpublished pages to anonymous callers', async () => {
      const data = await client.request<{
        blogPosts: PostList;
        draft: unknown;
        page: unknown;
      }>(
        gql`
          query ($id: ID!) {
            blogPosts {
              totalCount
            }
            draft: blogPost(id: $id) {
              id
            }
            page(urlPath: "/blog/charlie/") {
              id
            }
          }
        `,
        { id: posts.draft },
      );
      expect(data).toEqual({ blogPosts: { totalCount: 2 }, draft: null, page: null });
    });

    it('sends cache headers: public for anonymous GETs, never stored for anything signed in', async () => {
      const query = encodeURIComponent('{ blogPosts { totalCount } }');
      const response = await fetch(`${app.baseUrl}/graphql?query=${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      expect(response.headers.get('vary')).toContain('X-Preview-Token');
      const signedIn = await fetch(`${app.baseUrl}/graphql?query=${query}`, { headers: asAdmin });
      expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
    });
  });

  describe('drafts', () => {
    async function apiToken(scopes: string[]): Promise<string> {
      const response = await sendJson(
        `${app.baseUrl}/api/auth/tokens`,
        { name: `graphql ${scopes.join('+')}`, scopes },
        { headers: asAdmin },
      );
      expect(response.status).toBe(201);
      return ((await response.json()) as { token: string }).token;
    }

    const listing = gql`
      {
        blogPosts(order: DATE_DESC) {
          totalCount
          items {
            title
          }
        }
      }
    `;

    it('shows the latest drafts, listings included, to an API token with the read scope', async () => {
      const token = await apiToken(['read']);
      const data = await client.request<{ blogPosts: PostList }>(listing, {}, bearer(token));
      expect(data.blogPosts.items.map((item) => item.title)).toEqual([
        'Charlie secret',
        'Bravo city',
        'Alpha gardens',
      ]);
      const response = await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query: '{ blogPosts { totalCount } }' }),
      });
      expect(response.headers.get('cache-control')).toBe('private, no-store');
    });

    it('shows only published content to a token without the read scope', async () => {
      const token = await apiToken(['write']);
      const data = await client.request<{ blogPosts: PostList }>(listing, {}, bearer(token));
      expect(data.blogPosts.totalCount).toBe(2);
    });

    it('shows the one page a preview token is for, as its draft, wherever the query meets it', async () => {
      const token = (
        await adminPost(app, asAdmin, '/api/admin/preview-tokens', { pageId: posts.draft })
      ).token as string;
      const headers = { 'x-preview-token': token };
      const data = await client.request<{
        blogPosts: PostList;
        page: { title: string } | null;
      }>(
        gql`
          query ($id: ID!) {
            blogPosts(order: DATE_DESC) {
              items {
                title
              }
            }
            page(id: $id) {
              title
            }
          }
        `,
        { id: posts.draft },
        headers,
      );
      expect(data.page).toEqual({ title: 'Charlie secret' });
      expect(data.blogPosts.items.map((item) => item.title)).toEqual([
        'Charlie secret',
        'Bravo city',
        'Alpha gardens',
      ]);
    });

    it('refuses a preview token that is not one, instead of quietly showing published content', async () => {
      const response = await refusal(
        client.request(listing, {}, { 'x-preview-token': 'fpv1.not.valid' }),
      );
      expect(response.errors?.[0]).toMatchObject({
        extensions: { code: 'PREVIEW_TOKEN_INVALID' },
      });
    });
  });

  describe('SQL per request', () => {
    const query = gql`
      query ($limit: Int!) {
        blogPosts(limit: $limit) {
          totalCount
          items {
            title
            heroImage {
              id
            }
            author {
              name
            }
            categories {
              name
            }
            parent {
              title
            }
          }
        }
      }
    `;

    async function count(limit: number): Promise<{ items: number; queries: string[] }> {
      const response = await fetchCountingQueries(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { limit } }),
      });
      expect(response.status).toBe(200);
      const body = JSON.parse(response.body) as { data: { blogPosts: PostList }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return { items: body.data.blogPosts.items.length, queries: response.queries };
    }

    it('sends the same number of statements for 1, 20 and 100 posts with author, categories, image and parent', async () => {
      const more = await Promise.all(
        Array.from({ length: 98 }, (_, index) =>
          createPost(app, asAdmin, site.blogId, {
            title: `Bulk post ${index}`,
            slug: `bulk-${index}`,
            date: '2025-06-01',
            author: index % 2 === 0 ? site.authorId : undefined,
            categories: site.categoryIds,
          }),
        ),
      );
      expect(more).toHaveLength(98);
      const one = await count(1);
      const twenty = await count(20);
      const hundred = await count(100);
      expect([one.items, twenty.items, hundred.items]).toEqual([1, 20, 100]);
      // The listing, the snippets it links (authors and categories, one batch) and the parents.
      expect(one.queries).toHaveLength(3);
      expect(twenty.queries).toHaveLength(one.queries.length);
      expect(hundred.queries).toHaveLength(one.queries.length);
    }, 120_000);
  });

  describe('counting matches only when asked', () => {
    async function statementsOf(query: string): Promise<string[]> {
      const response = await fetchCountingQueries(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as { errors?: unknown }).errors).toBeUndefined();
      return response.queries;
    }

    it('counts every match for totalCount, through fragments too, and skips the count otherwise', async () => {
      const counts = (statements: string[]) =>
        statements.some((statement) => statement.includes('count(*)'));
      expect(counts(await statementsOf('{ blogPosts(limit: 2) { items { title } } }'))).toBe(false);
      expect(counts(await statementsOf('{ blogPosts(limit: 2) { totalCount } }'))).toBe(true);
      expect(
        counts(
          await statementsOf(
            '{ pages(limit: 2) { ...Paging } } fragment Paging on PageList { ... on PageList { totalCount } }',
          ),
        ),
      ).toBe(true);
    });
  });

  describe('a schema that follows the content types', () => {
    /** Waits (5 s at most) until the schema served has the list query `name`. */
    const untilServed = (name: string) =>
      waitFor(
        `${name} in the served schema`,
        () =>
          client.request(`{ ${name} { totalCount } }`).then(
            () => true,
            () => false,
          ),
        5_000,
      );

    const faq = {
      key: 'faq',
      label: 'FAQ',
      kind: 'snippet' as const,
      fields: [
        { key: 'question', type: 'text' as const, required: true },
        { key: 'answer_text', type: 'long_text' as const },
      ],
    };

    it('serves a new content type within seconds, while requests in flight keep being answered', async () => {
      const inFlight: Array<Promise<unknown>> = [];
      let running = true;
      const hammer = (async () => {
        while (running) {
          inFlight.push(
            client.request(gql`
              {
                blogPosts(limit: 5) {
                  totalCount
                }
              }
            `),
          );
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await applyContentTypes(app, adminToken, [faq]);
      await createSnippet(app, asAdmin, 'faq', { question: 'Why?', answer_text: 'Because.' });
      const data = await waitFor(
        'the faq type in the GraphQL schema',
        async () => {
          try {
            return await client.request<{
              faqs: { items: Array<{ question: string; answerText: string }> };
            }>(gql`
              {
                faqs {
                  items {
                    question
                    answerText
                  }
                }
              }
            `);
          } catch {
            return undefined;
          }
        },
        5_000,
      );
      running = false;
      await hammer;
      expect(data?.faqs.items).toEqual([{ question: 'Why?', answerText: 'Because.' }]);
      const results = await Promise.allSettled(inFlight);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      expect(results.length).toBeGreaterThan(5);
    });

    it('refuses to save a content type whose GraphQL names would clash, naming the field', async () => {
      const response = await sendJson(
        `${app.baseUrl}/api/admin/content-types`,
        {
          key: 'page',
          label: 'Page',
          kind: 'page',
          fields: [
            { key: 'hero_2', type: 'text' },
            { key: 'hero2', type: 'text' },
            { key: 'depth', type: 'number' },
          ],
        },
        { headers: asAdmin },
      );
      expect(response.status).toBe(400);
      const problem = (await response.json()) as {
        errors: Array<{ path: string; message: string }>;
      };
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            path: 'key',
            message: expect.stringContaining('GraphQL type Page'),
          }),
          expect.objectContaining({
            path: 'fields[1].key',
            message: expect.stringContaining('hero2'),
          }),
          expect.objectContaining({
            path: 'fields[2].key',
            message: expect.stringContaining('depth'),
          }),
        ]),
      );
      const clash = await sendJson(
        `${app.baseUrl}/api/admin/content-types`,
        { ...faq, key: 'blog__post', label: 'Clash' },
        { headers: asAdmin },
      );
      expect(clash.status).toBe(400);
      expect(await clash.text()).toContain('BlogPost');
    });

    it('follows `finch schema apply` run beside the server', async () => {
      if (!app.config.databaseUrl) return; // the embedded database serves one process
      const directory = await mkdtemp(path.join(tmpdir(), 'finch-graphql-'));
      try {
        // The file holds every type, as `schema export` writes it, plus a new one.
        const exported = await runFinch(['schema', 'export'], app.database);
        const schema = JSON.parse(exported.stdout) as { contentTypes: unknown[] };
        schema.contentTypes.push({ ...faq, key: 'press_release', label: 'Press release' });
        const file = path.join(directory, 'schema.json');
        await writeFile(file, JSON.stringify(schema));
        const applied = await runFinch(['schema', 'apply', file, '--yes'], app.database);
        if (applied.code !== 0)
          throw new Error(`schema apply failed: ${applied.stdout}${applied.stderr}`);
        await untilServed('pressReleases');
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });

    it('follows a change made through another server on the same database', async () => {
      if (!app.config.databaseUrl) return; // the embedded database serves one process
      const other = await startTestApp({
        DATABASE_URL: app.config.databaseUrl,
        DATA_DIR: app.config.dataDir,
      });
      try {
        await applyContentTypes(other, adminToken, [
          { ...faq, key: 'glossary_entry', label: 'Glossary entry' },
        ]);
        await untilServed('glossaryEntries');
      } finally {
        await other.close();
      }
    });
  });

  it('names list queries with English plurals (blog_index → blogIndexes)', async () => {
    await createPage(app, asAdmin, {
      parentId: site.homeId,
      type: 'blog_index',
      title: 'News',
      slug: 'news',
      content: { intro: 'More', posts_per_page: 5 },
    });
    const data = await client.request<{ blogIndexes: { totalCount: number } }>(gql`
      {
        blogIndexes {
          totalCount
        }
      }
    `);
    expect(data.blogIndexes.totalCount).toBe(2);
  });
});
