import { randomUUID } from 'node:crypto';
import type { ContentValues } from '#src/content-types/content-type-definition.js';
import { applyContentTypes, loadExampleSchema } from '#test/helpers/content.js';
import type { TestApp } from '#test/helpers/test-app.js';

/**
 * Builds content through the management API, as an editor would, for the delivery API's
 * tests: the example blog schema, a site, pages and snippets.
 */

async function post(app: TestApp, headers: Record<string, string>, path: string, body: unknown) {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`POST ${path} failed: ${response.status} ${text}`);
  return JSON.parse(text) as { id: string } & Record<string, unknown>;
}

export interface NewPage {
  parentId?: string | null;
  type: string;
  title: string;
  slug?: string;
  content?: ContentValues;
  publish?: boolean;
}

export async function createPage(
  app: TestApp,
  headers: Record<string, string>,
  page: NewPage,
): Promise<string> {
  return (await post(app, headers, '/api/admin/pages', { publish: true, ...page })).id;
}

export async function createSnippet(
  app: TestApp,
  headers: Record<string, string>,
  type: string,
  content: ContentValues,
  publish = true,
): Promise<string> {
  return (await post(app, headers, `/api/admin/snippets/${type}`, { content, publish })).id;
}

export function adminPost(
  app: TestApp,
  headers: Record<string, string>,
  path: string,
  body: unknown,
): Promise<{ id: string } & Record<string, unknown>> {
  return post(app, headers, path, body);
}

/** A rich text document of one paragraph, with a link to `linkTo` (a page id) when given. */
export function paragraph(text: string, linkTo?: string): unknown {
  return {
    type: 'doc',
    content: [
      {
        type: 'paragraph',
        content: [
          { type: 'text', text },
          ...(linkTo
            ? [
                {
                  type: 'text',
                  text: ' (link)',
                  marks: [{ type: 'link', attrs: { href: `page:${linkTo}` } }],
                },
              ]
            : []),
        ],
      },
    ],
  };
}

export interface PostInput {
  title: string;
  slug?: string;
  date?: string;
  intro?: string;
  bodyText?: string;
  linkTo?: string;
  author?: string;
  categories?: string[];
  tags?: string[];
  publish?: boolean;
}

export function blogPostContent(post: PostInput): ContentValues {
  return {
    intro: post.intro ?? `About ${post.title}`,
    date: post.date ?? '2026-01-01',
    body: [
      {
        type: 'paragraph',
        id: randomUUID(),
        value: paragraph(post.bodyText ?? 'Some words.', post.linkTo),
      },
    ],
    ...(post.author ? { author: { id: post.author } } : {}),
    ...(post.categories ? { categories: post.categories.map((id) => ({ id })) } : {}),
    ...(post.tags ? { tags: post.tags } : {}),
  };
}

export interface BlogSite {
  siteId: string;
  homeId: string;
  blogId: string;
  authorId: string;
  categoryIds: string[];
}

/**
 * The example schema, a home page (site `www.example.com`, the default), a blog index
 * (`/blog/`), a published author and two categories. Posts are added by the tests.
 */
export async function buildBlogSite(
  app: TestApp,
  headers: Record<string, string>,
  accessToken: string,
): Promise<BlogSite> {
  await applyContentTypes(app, accessToken, await loadExampleSchema());
  const homeId = await createPage(app, headers, {
    type: 'home',
    title: 'Home',
    slug: 'home',
    content: { intro: 'Welcome', body: [] },
  });
  const site = await post(app, headers, '/api/admin/sites', {
    hostname: 'www.example.com',
    name: 'Example',
    rootPageId: homeId,
    isDefault: true,
  });
  const blogId = await createPage(app, headers, {
    parentId: homeId,
    type: 'blog_index',
    title: 'Blog',
    slug: 'blog',
    content: { intro: 'All the posts', posts_per_page: 10 },
  });
  const authorId = await createSnippet(app, headers, 'author', {
    name: 'Ann Writer',
    bio: paragraph('Writes about gardens.'),
  });
  const categoryIds = [
    await createSnippet(app, headers, 'category', { name: 'Gardens', slug: 'gardens' }),
    await createSnippet(app, headers, 'category', { name: 'Cities', slug: 'cities' }),
  ];
  return { siteId: site.id, homeId, blogId, authorId, categoryIds };
}

export async function createPost(
  app: TestApp,
  headers: Record<string, string>,
  parentId: string,
  post: PostInput,
): Promise<string> {
  return createPage(app, headers, {
    parentId,
    type: 'blog_post',
    title: post.title,
    slug: post.slug,
    content: blogPostContent(post),
    publish: post.publish ?? true,
  });
}
