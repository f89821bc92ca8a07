import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_PASSWORD } from '#test/helpers/auth.js';
import { EXAMPLE_SCHEMA_FILE } from '#test/helpers/content.js';
import { SmtpTestServer } from '#test/helpers/smtp-test-server.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

/**
 * The delayed job does it within moments; the minute sweep is the promise when a busy
 * machine delays the job. Waiting past one sweep keeps the test about the behaviour, not
 * the machine's load.
 */
const SCHEDULE_WAIT_MS = 75_000;

/**
 * The acceptance test of the content issue, told as one story and only through HTTP: a
 * superuser defines the example blog's types from its schema file and builds the site; an
 * editor limited to the blog's subtree drafts a post, previews it, is refused publishing
 * until granted it, publishes, edits, compares, reverts, schedules, expires, locks; a
 * frontend reads it all through the delivery API. The steps run in order and share state.
 */

interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}
interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}
interface State {
  status: string;
  live: boolean;
  hasUnpublishedChanges: boolean;
  goLiveAt: string | null;
  expireAt: string | null;
  lock: { lockedBy: string | null; lockedAt: string | null } | null;
  latestRevisionId: string | null;
  liveRevisionId: string | null;
}
interface PageDetail {
  id: string;
  type: string;
  title: string;
  slug: string;
  status: string;
  live: boolean;
  html_path: string | null;
  parent_id: string | null;
  content: Record<string, unknown>;
  draft: { revisionId: string | null; title: string; content: Record<string, unknown> };
  state: State;
  permissions: Record<string, boolean>;
}
interface RichTextValue {
  json: unknown;
  html: string;
}
interface Link {
  id: string;
  meta: { type: string; detail_url: string };
  title: string;
  [field: string]: unknown;
}
interface DeliveryItem {
  id: string;
  meta: {
    type: string;
    detail_url: string;
    html_url: string | null;
    slug: string;
    first_published_at: string | null;
    parent: { id: string; title: string } | null;
    search_score?: number;
  };
  title: string;
  [field: string]: unknown;
}
interface Listing {
  meta: { total_count: number };
  items: DeliveryItem[];
}

const QUOTE_ID = '5b0f2f7e-3c1d-4e55-8a5e-0d6c9a1b2c3d';
const HEADING_ID = 'a3f1c2d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
const PARAGRAPH_ID = '0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f';

describe('an editor builds and runs the example blog through the API alone', () => {
  let smtp: SmtpTestServer;
  let app: TestApp;

  // Filled in as the story goes.
  let admin: Record<string, string>;
  let adminId: string;
  let editor: Record<string, string>;
  let editorId: string;
  let groupId: string;
  let homeId: string;
  let blogId: string;
  let olderId: string;
  let authorId: string;
  let categoryIds: string[];
  let postId: string;
  let firstRevision: string;
  let secondRevision: string;
  let etag: string;
  let firstPublishedAt: string | null;
  /** The first step that failed: the later ones depend on it, so they stop at once. */
  let brokenAt: string | undefined;

  /** One step of the story; it runs only when every step before it passed. */
  function step(name: string, run: () => Promise<void>, timeoutMs?: number): void {
    it(
      name,
      async () => {
        if (brokenAt) throw new Error(`Not run: step "${brokenAt}" failed.`);
        try {
          await run();
        } catch (error) {
          brokenAt = name;
          throw error;
        }
      },
      timeoutMs,
    );
  }

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { as?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.as, ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers,
      body,
      redirect: 'manual',
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (/json/.test(response.headers.get('content-type') ?? '') && text !== '') {
      parsed = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  }

  /** A call that must succeed with `status`; fails showing the answer otherwise. */
  async function ok<T = Record<string, unknown>>(
    status: number,
    method: string,
    path: string,
    options: Parameters<typeof call>[2] = {},
  ): Promise<T> {
    const answer = await call<T>(method, path, options);
    if (answer.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${answer.status} ${answer.text}`);
    }
    return answer.body;
  }

  /** A call that must be refused with `status` and an RFC 9457 problem. */
  async function refused(
    status: number,
    method: string,
    path: string,
    options: Parameters<typeof call>[2] = {},
  ): Promise<Problem> {
    const answer = await call<Problem>(method, path, options);
    expect({ request: `${method} ${path}`, status: answer.status }).toEqual({
      request: `${method} ${path}`,
      status,
    });
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status, type: expect.any(String) });
    return answer.body;
  }

  async function signIn(email: string): Promise<Record<string, string>> {
    const body = await ok<{ accessToken: string }>(200, 'POST', '/api/auth/login', {
      body: { email, password: TEST_PASSWORD },
    });
    return { authorization: `Bearer ${body.accessToken}` };
  }

  const page = (id: string) => ok<PageDetail>(200, 'GET', `/api/admin/pages/${id}`, { as: admin });
  const delivered = (query: string) => ok<Listing>(200, 'GET', `/api/v2/pages?${query}`);
  const titlesOf = (listing: Listing) => listing.items.map((item) => item.title);
  const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

  function paragraphDoc(): unknown {
    return {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Start with ' },
            {
              type: 'text',
              text: 'the older post',
              marks: [{ type: 'link', attrs: { href: `page:${olderId}` } }],
            },
            { type: 'text', text: ' or ' },
            {
              type: 'text',
              text: 'this guide',
              marks: [{ type: 'link', attrs: { href: 'https://example.org/hedgehogs' } }],
            },
            { type: 'text', text: '. <script>alert(1)</script>', marks: [{ type: 'bold' }] },
          ],
        },
      ],
    };
  }

  function postContent(intro: string, quote: string): Record<string, unknown> {
    return {
      intro,
      date: '2026-11-20',
      body: [
        { type: 'heading', id: HEADING_ID, value: 'Why hedgehogs matter' },
        { type: 'paragraph', id: PARAGRAPH_ID, value: paragraphDoc() },
        { type: 'quote', id: QUOTE_ID, value: { text: quote, attribution: 'Beatrix Potter' } },
      ],
      author: { id: authorId },
      categories: categoryIds.map((id) => ({ id })),
      tags: ['howto'],
    };
  }

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    app = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Finch <cms@example.com>',
      PUBLIC_URL: 'https://cms.example.com',
      // Scheduled publications and expiries are delayed jobs: run them in this process.
      RUN_WORKERS_IN_PROCESS: 'true',
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  step('1. the first superuser is created on the setup screen and signs in', async () => {
    expect(await ok(200, 'GET', '/api/setup')).toEqual({ needsFirstUser: true });
    const created = await ok<{ user: { id: string; isSuperuser: boolean } }>(
      201,
      'POST',
      '/api/setup/first-user',
      { body: { email: 'ada@example.com', name: 'Ada Admin', password: TEST_PASSWORD } },
    );
    expect(created.user.isSuperuser).toBe(true);
    adminId = created.user.id;
    admin = await signIn('ada@example.com');
    expect(await ok(200, 'GET', '/api/setup')).toEqual({ needsFirstUser: false });
  });

  step(
    '2. the content types are defined by POSTing examples/blog.schema.json as it is',
    async () => {
      const file = await readFile(EXAMPLE_SCHEMA_FILE, 'utf8');
      const answer = await fetch(`${app.baseUrl}/api/admin/content-types/apply`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: file,
      });
      expect(answer.status).toBe(200);
      const result = (await answer.json()) as Record<
        string,
        Array<{ key: string; version: number }>
      >;
      expect(result.created.map((type) => type.key).sort()).toEqual([
        'author',
        'blog_index',
        'blog_post',
        'category',
        'home',
      ]);
      expect(result.created.every((type) => type.version === 1)).toBe(true);

      const pageTypes = await ok<{ items: Array<{ key: string }>; meta: { total_count: number } }>(
        200,
        'GET',
        '/api/admin/content-types?kind=page',
        { as: admin },
      );
      expect(pageTypes.items.map((type) => type.key).sort()).toEqual([
        'blog_index',
        'blog_post',
        'home',
      ]);
      const post = await ok<{ definition: { fields: Array<{ key: string }> } }>(
        200,
        'GET',
        '/api/admin/content-types/blog_post',
        { as: admin },
      );
      expect(post.definition.fields.map((field) => field.key)).toEqual([
        'intro',
        'hero_image',
        'date',
        'body',
        'author',
        'categories',
        'tags',
      ]);
      // Applying the same file again changes nothing.
      const again = await fetch(`${app.baseUrl}/api/admin/content-types/apply`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: file,
      });
      const second = (await again.json()) as Record<string, unknown[]>;
      expect([second.created.length, second.updated.length, second.unchanged.length]).toEqual([
        0, 0, 5,
      ]);
    },
  );

  step(
    '3. the superuser builds the site: home, site on this host, blog index, author and categories',
    async () => {
      const home = await ok<PageDetail>(201, 'POST', '/api/admin/pages', {
        as: admin,
        body: {
          type: 'home',
          title: 'Home',
          slug: 'home',
          content: { intro: 'Welcome to the hedgehog blog', body: [] },
          publish: true,
        },
      });
      homeId = home.id;
      expect(home).toMatchObject({ status: 'live', parent_id: null });

      const site = await ok<{ id: string; hostname: string; rootPageId: string }>(
        201,
        'POST',
        '/api/admin/sites',
        {
          as: admin,
          body: { hostname: '127.0.0.1', name: 'Hedgehogs', rootPageId: homeId, isDefault: true },
        },
      );
      expect(site).toMatchObject({ hostname: '127.0.0.1', rootPageId: homeId });

      // A blog_index may not be a root page, and a blog_post may not go under home.
      await refused(400, 'POST', '/api/admin/pages', {
        as: admin,
        body: { parentId: homeId, type: 'blog_post', title: 'Misplaced' },
      });

      const blog = await ok<PageDetail>(201, 'POST', '/api/admin/pages', {
        as: admin,
        body: {
          parentId: homeId,
          type: 'blog_index',
          title: 'Blog',
          slug: 'blog',
          content: { intro: 'Notes from the hedge' },
          publish: true,
        },
      });
      blogId = blog.id;
      expect(blog).toMatchObject({ status: 'live', html_path: '/blog/', parent_id: homeId });
      expect(blog.content).toMatchObject({ intro: 'Notes from the hedge' });

      const author = await ok<{ id: string; title: string; status: string }>(
        201,
        'POST',
        '/api/admin/snippets/author',
        {
          as: admin,
          body: {
            content: {
              name: 'Beatrix Hedge',
              bio: {
                type: 'doc',
                content: [
                  { type: 'paragraph', content: [{ type: 'text', text: 'Counts hedgehogs.' }] },
                ],
              },
            },
            publish: true,
          },
        },
      );
      expect(author).toMatchObject({ title: 'Beatrix Hedge', status: 'live' });
      authorId = author.id;
      categoryIds = [];
      for (const [name, slug] of [
        ['Wildlife', 'wildlife'],
        ['Gardens', 'gardens'],
      ]) {
        const category = await ok<{ id: string; status: string }>(
          201,
          'POST',
          '/api/admin/snippets/category',
          {
            as: admin,
            body: { content: { name, slug }, publish: true },
          },
        );
        expect(category.status).toBe('live');
        categoryIds.push(category.id);
      }
      // A category slug is unique.
      const duplicate = await refused(400, 'POST', '/api/admin/snippets/category', {
        as: admin,
        body: { content: { name: 'Other gardens', slug: 'gardens' }, publish: true },
      });
      expect(duplicate.errors?.map((error) => error.path)).toContain('content.slug');

      const older = await ok<PageDetail>(201, 'POST', '/api/admin/pages', {
        as: admin,
        body: {
          parentId: blogId,
          type: 'blog_post',
          title: 'An older post',
          slug: 'older-post',
          content: {
            intro: 'Before it all',
            date: '2026-01-05',
            body: [{ type: 'heading', value: 'The first post' }],
          },
          publish: true,
        },
      });
      olderId = older.id;
      expect(older.html_path).toBe('/blog/older-post/');

      const snippets = await ok<Listing>(200, 'GET', '/api/v2/snippets/category?fields=slug');
      expect(snippets.items.map((item) => [item.title, item.slug])).toEqual([
        ['Gardens', 'gardens'],
        ['Wildlife', 'wildlife'],
      ]);
      expect(titlesOf(await delivered(''))).toEqual(['Home', 'Blog', 'An older post']);
    },
  );

  step(
    '4. an editor is invited into a group that holds page permissions on the blog subtree only',
    async () => {
      const group = await ok<{ id: string; name: string }>(201, 'POST', '/api/admin/groups', {
        as: admin,
        body: { name: 'Blog editors' },
      });
      groupId = group.id;
      const grants = await ok<{ items: Array<{ pageId: string; permissions: string[] }> }>(
        200,
        'PUT',
        `/api/admin/groups/${groupId}/page-permissions`,
        {
          as: admin,
          body: { grants: [{ pageId: blogId, permissions: ['add', 'change', 'lock'] }] },
        },
      );
      expect(grants.items).toEqual([
        expect.objectContaining({
          pageId: blogId,
          permissions: expect.arrayContaining(['add', 'change', 'lock']),
        }),
      ]);
      expect(grants.items[0].permissions).toHaveLength(3);

      const invited = await ok<{ id: string; groups?: Array<{ id: string }> }>(
        201,
        'POST',
        '/api/admin/users/invite',
        {
          as: admin,
          body: { email: 'eddie@example.com', name: 'Eddie Editor', groupIds: [groupId] },
        },
      );
      editorId = invited.id;
      expect(invited.groups?.map((item) => item.id)).toEqual([groupId]);
      await waitFor('the invitation mail', () => smtp.deliveredTo('eddie@example.com').length > 0);
      const token = /accept-invitation#token=([\w-]+)/.exec(
        smtp.deliveredTo('eddie@example.com')[0].text ?? '',
      )?.[1];
      expect(token).toBeDefined();
      await ok(204, 'POST', '/api/auth/invitations/accept', {
        body: { token, password: TEST_PASSWORD },
      });
      editor = await signIn('eddie@example.com');
    },
  );

  step(
    '5. the editor may add pages under the blog but not elsewhere, and hostile rich text is refused',
    async () => {
      await refused(403, 'POST', '/api/admin/pages', {
        as: editor,
        body: { parentId: homeId, type: 'blog_index', title: 'A second blog' },
      });
      await refused(403, 'PUT', `/api/admin/pages/${homeId}`, {
        as: editor,
        body: { title: 'Taken over' },
      });
      // Publishing while creating needs publish, which the group does not hold yet.
      await refused(403, 'POST', '/api/admin/pages', {
        as: editor,
        body: {
          parentId: blogId,
          type: 'blog_post',
          title: 'Too eager',
          content: postContent('x', 'y'),
          publish: true,
        },
      });

      const hostile = postContent('Hostile', 'Nope') as { body: Array<{ value: unknown }> };
      hostile.body[1].value = {
        type: 'doc',
        content: [
          {
            type: 'paragraph',
            content: [
              {
                type: 'text',
                text: 'click',
                marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }],
              },
            ],
          },
        ],
      };
      const problem = await refused(400, 'POST', '/api/admin/pages', {
        as: editor,
        body: { parentId: blogId, type: 'blog_post', title: 'Hostile', content: hostile },
      });
      expect(problem.errors?.map((error) => error.path)).toContain(
        'content.body[1].value.content[0].content[0].marks[0].attrs.href',
      );
      // Nothing was created by the refused requests.
      const children = await ok<{ meta: { total_count: number } }>(
        200,
        'GET',
        `/api/admin/pages?parent=${blogId}`,
        {
          as: admin,
        },
      );
      expect(children.meta.total_count).toBe(1);
    },
  );

  step(
    '6. the editor drafts a post with a stream body linking the author and categories',
    async () => {
      const created = await ok<PageDetail>(201, 'POST', '/api/admin/pages', {
        as: editor,
        body: {
          parentId: blogId,
          type: 'blog_post',
          title: 'Hedgehogs in winter',
          slug: 'hedgehogs-in-winter',
          content: postContent('How hedgehogs survive the cold.', 'Leave the leaves.'),
        },
      });
      postId = created.id;
      expect(created).toMatchObject({
        type: 'blog_post',
        title: 'Hedgehogs in winter',
        status: 'draft',
        live: false,
        parent_id: blogId,
        html_path: '/blog/hedgehogs-in-winter/',
        permissions: { change: true, publish: false, lock: true, add: true },
      });
      expect(created.draft.content).toMatchObject({
        intro: 'How hedgehogs survive the cold.',
        author: { id: authorId },
        categories: categoryIds.map((id) => ({ id })),
        body: [
          { type: 'heading', id: HEADING_ID, value: 'Why hedgehogs matter' },
          { type: 'paragraph', id: PARAGRAPH_ID },
          {
            type: 'quote',
            id: QUOTE_ID,
            value: { text: 'Leave the leaves.', attribution: 'Beatrix Potter' },
          },
        ],
      });
      firstRevision = created.state.latestRevisionId!;
      expect(firstRevision).toMatch(/^\d+$/);
      expect(created.state.liveRevisionId).toBeNull();
    },
  );

  step('7. the delivery API does not show the draft', async () => {
    await refused(404, 'GET', `/api/v2/pages/${postId}`);
    expect(titlesOf(await delivered('type=blog_post'))).toEqual(['An older post']);
    await refused(404, 'GET', '/api/v2/pages/find?html_path=/blog/hedgehogs-in-winter/');
    // The home page's intro mentions hedgehogs; the draft does not show up beside it.
    expect(titlesOf(await delivered('search=hedgehogs'))).toEqual(['Home']);
  });

  step(
    '8. a preview token shows the draft in the detail and in listings, never cached publicly',
    async () => {
      const issued = await ok<{ token: string; expiresAt: string }>(
        201,
        'POST',
        '/api/admin/preview-tokens',
        {
          as: editor,
          body: { pageId: postId },
        },
      );
      expect(Date.parse(issued.expiresAt)).toBeGreaterThan(Date.now());
      const detail = await call<DeliveryItem>('GET', `/api/v2/pages/${postId}`, {
        headers: { 'x-preview-token': issued.token },
      });
      expect(detail.status).toBe(200);
      expect(detail.headers.get('cache-control')).toBe('private, no-store');
      expect(detail.body).toMatchObject({
        id: postId,
        title: 'Hedgehogs in winter',
        intro: 'How hedgehogs survive the cold.',
        meta: { type: 'blog_post', html_url: '/blog/hedgehogs-in-winter/' },
      });
      const listing = await call<Listing>(
        'GET',
        `/api/v2/pages?type=blog_post&child_of=${blogId}&preview_token=${encodeURIComponent(issued.token)}`,
      );
      expect(listing.status).toBe(200);
      expect(listing.headers.get('cache-control')).toBe('private, no-store');
      expect(titlesOf(listing.body)).toEqual(['An older post', 'Hedgehogs in winter']);
      expect(listing.headers.get('vary')).toMatch(/x-preview-token/i);
      // find takes the token along to the detail.
      const find = await call(
        'GET',
        `/api/v2/pages/find?html_path=/blog/hedgehogs-in-winter/&preview_token=${encodeURIComponent(issued.token)}`,
      );
      expect(find.status).toBe(302);
      expect(find.headers.get('location')).toBe(
        `/api/v2/pages/${postId}/?preview_token=${encodeURIComponent(issued.token)}`,
      );
      // A forged token is refused, and the public listing still has no draft.
      await refused(401, 'GET', `/api/v2/pages/${postId}`, {
        headers: { 'x-preview-token': `${issued.token.slice(0, -4)}AAAA` },
      });
      expect(titlesOf(await delivered('type=blog_post'))).toEqual(['An older post']);
    },
  );

  step(
    '9. the editor cannot publish without publish; once the superuser grants it, they can',
    async () => {
      const problem = await refused(403, 'POST', `/api/admin/pages/${postId}/publish`, {
        as: editor,
        body: {},
      });
      expect(problem.detail).toMatch(/publish/i);
      expect((await page(postId)).status).toBe('draft');

      await ok(200, 'PUT', `/api/admin/groups/${groupId}/page-permissions`, {
        as: admin,
        body: { grants: [{ pageId: blogId, permissions: ['add', 'change', 'lock', 'publish'] }] },
      });
      const outcome = await ok<{ scheduled: boolean; state: State; revision: { id: string } }>(
        200,
        'POST',
        `/api/admin/pages/${postId}/publish`,
        { as: editor, body: {} },
      );
      expect(outcome.scheduled).toBe(false);
      expect(outcome.revision.id).toBe(firstRevision);
      expect(outcome.state).toMatchObject({
        status: 'live',
        live: true,
        hasUnpublishedChanges: false,
        liveRevisionId: firstRevision,
      });
      expect(
        (await ok<PageDetail>(200, 'GET', `/api/admin/pages/${postId}`, { as: editor }))
          .permissions,
      ).toMatchObject({
        change: true,
        publish: true,
        delete: false,
      });
    },
  );

  step('10. a frontend reads the post through the delivery API', async () => {
    const listing = await delivered(`type=blog_post&child_of=${blogId}&fields=*`);
    expect(listing.meta.total_count).toBe(2);
    expect(titlesOf(listing)).toEqual(['An older post', 'Hedgehogs in winter']);
    const item = listing.items[1];
    expect(item).toMatchObject({
      id: postId,
      meta: {
        type: 'blog_post',
        detail_url: `https://cms.example.com/api/v2/pages/${postId}/`,
        html_url: '/blog/hedgehogs-in-winter/',
        slug: 'hedgehogs-in-winter',
        first_published_at: expect.stringMatching(/Z$/),
        parent: { id: blogId, title: 'Blog' },
      },
      intro: 'How hedgehogs survive the cold.',
      date: '2026-11-20',
      tags: ['howto'],
      author: { id: authorId, meta: { type: 'author' }, title: 'Beatrix Hedge' },
    });
    expect((item.categories as Link[]).map((category) => category.title)).toEqual([
      'Wildlife',
      'Gardens',
    ]);

    // Rich text: the JSON and sanitized HTML with the internal link resolved.
    const body = item.body as Array<{ type: string; id: string; value: unknown }>;
    expect(body.map((block) => [block.type, block.id])).toEqual([
      ['heading', HEADING_ID],
      ['paragraph', PARAGRAPH_ID],
      ['quote', QUOTE_ID],
    ]);
    expect(body[0].value).toBe('Why hedgehogs matter');
    const paragraph = body[1].value as RichTextValue;
    expect(paragraph.json).toEqual(paragraphDoc());
    expect(paragraph.html).toBe(
      '<p>Start with <a href="/blog/older-post/">the older post</a> or ' +
        '<a href="https://example.org/hedgehogs" rel="noopener noreferrer">this guide</a>' +
        '<strong>. &lt;script&gt;alert(1)&lt;/script&gt;</strong></p>',
    );
    expect(paragraph.html).not.toMatch(/<script|javascript:|page:/);
    expect(body[2].value).toEqual({ text: 'Leave the leaves.', attribution: 'Beatrix Potter' });

    // The linked author expanded with its own fields.
    const expanded = await delivered('type=blog_post&fields=_,title,author(name,bio)');
    const withAuthor = expanded.items.find((entry) => entry.title === 'Hedgehogs in winter')!;
    expect(withAuthor.author).toMatchObject({
      id: authorId,
      title: 'Beatrix Hedge',
      name: 'Beatrix Hedge',
      bio: { html: '<p>Counts hedgehogs.</p>' },
    });

    // Search, ranked, over the title and the search fields.
    const found = await delivered('search=hedgehogs&type=blog_post');
    expect(titlesOf(found)).toEqual(['Hedgehogs in winter']);
    expect(found.items[0].meta.search_score).toBeGreaterThan(0);
    expect(titlesOf(await delivered('search=leaves'))).toEqual(['Hedgehogs in winter']);
    // A match in the title (weight A) ranks above one in the home page's intro (B).
    const ranked = await delivered('search=hedgehogs');
    expect(titlesOf(ranked)).toEqual(['Hedgehogs in winter', 'Home']);
    expect(ranked.items[0].meta.search_score).toBeGreaterThan(ranked.items[1].meta.search_score!);
    // A filter on a filterable field, and on the linked author.
    expect(titlesOf(await delivered(`type=blog_post&author=${authorId}`))).toEqual([
      'Hedgehogs in winter',
    ]);
    expect(titlesOf(await delivered('type=blog_post&tags__contains=howto'))).toEqual([
      'Hedgehogs in winter',
    ]);

    // find?html_path= redirects to the detail.
    const find = await call('GET', '/api/v2/pages/find?html_path=/blog/hedgehogs-in-winter/');
    expect(find.status).toBe(302);
    expect(find.headers.get('location')).toBe(`/api/v2/pages/${postId}/`);

    // The detail carries an ETag; If-None-Match gets a 304 without a body.
    const detail = await call<DeliveryItem>('GET', `/api/v2/pages/${postId}/`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: postId, title: 'Hedgehogs in winter' });
    expect(detail.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    etag = detail.headers.get('etag')!;
    firstPublishedAt = detail.body.meta.first_published_at;
    expect(etag).toMatch(/^(W\/)?".+"$/);
    const again = await call('GET', `/api/v2/pages/${postId}/`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');

    // The author snippet is served too.
    const author = await ok<DeliveryItem>(200, 'GET', `/api/v2/snippets/author/${authorId}`);
    expect(author).toMatchObject({ id: authorId, title: 'Beatrix Hedge', name: 'Beatrix Hedge' });
  });

  step(
    '11. a second edit makes the post live + draft while delivery still serves the live version',
    async () => {
      const saved = await ok<PageDetail>(200, 'PUT', `/api/admin/pages/${postId}`, {
        as: editor,
        body: {
          title: 'Hedgehogs in a cold winter',
          content: postContent(
            'How hedgehogs get through frost.',
            'Leave the leaves, and a bowl of water.',
          ),
        },
      });
      secondRevision = saved.state.latestRevisionId!;
      expect(BigInt(secondRevision)).toBeGreaterThan(BigInt(firstRevision));
      expect(saved).toMatchObject({
        status: 'live + draft',
        title: 'Hedgehogs in winter',
        draft: { revisionId: secondRevision, title: 'Hedgehogs in a cold winter' },
        state: { hasUnpublishedChanges: true, liveRevisionId: firstRevision },
      });
      expect(saved.content).toMatchObject({ intro: 'How hedgehogs survive the cold.' });

      const detail = await call<DeliveryItem>('GET', `/api/v2/pages/${postId}/`);
      expect(detail.body).toMatchObject({
        title: 'Hedgehogs in winter',
        intro: 'How hedgehogs survive the cold.',
      });
      expect(detail.headers.get('etag')).toBe(etag);
      const cached = await call('GET', `/api/v2/pages/${postId}/`, {
        headers: { 'if-none-match': etag },
      });
      expect(cached.status).toBe(304);
    },
  );

  step('12. comparing the two revisions names the changed title, field and block', async () => {
    const revisions = await ok<{
      total_count: number;
      items: Array<{ id: string; isLive: boolean; isLatest: boolean; authorId: string }>;
    }>(200, 'GET', `/api/admin/pages/${postId}/revisions`, { as: editor });
    expect(revisions.total_count).toBe(2);
    expect(
      revisions.items.map((revision) => [
        revision.id,
        revision.isLive,
        revision.isLatest,
        revision.authorId,
      ]),
    ).toEqual([
      [secondRevision, false, true, editorId],
      [firstRevision, true, false, editorId],
    ]);

    const diff = await ok<{
      title: { changed: boolean; from: string; to: string };
      changes: Array<{
        path: string;
        change: string;
        before?: unknown;
        after?: unknown;
        blocks?: Array<{
          id: string;
          type: string;
          change: string;
          fields?: Array<{ key: string; before?: unknown; after?: unknown }>;
        }>;
      }>;
    }>(
      200,
      'GET',
      `/api/admin/pages/${postId}/revisions/compare?a=${firstRevision}&b=${secondRevision}`,
      {
        as: editor,
      },
    );
    const bad = await refused(
      400,
      'GET',
      `/api/admin/pages/${postId}/revisions/compare?a=first&b=${secondRevision}`,
      { as: editor },
    );
    expect(bad.errors?.map((error) => error.path)).toEqual(['a']);
    expect(diff.title).toEqual({
      changed: true,
      from: 'Hedgehogs in winter',
      to: 'Hedgehogs in a cold winter',
    });
    expect(diff.changes.map((change) => change.path).sort()).toEqual(['body', 'intro']);
    expect(diff.changes.find((change) => change.path === 'intro')).toMatchObject({
      change: 'changed',
      before: 'How hedgehogs survive the cold.',
      after: 'How hedgehogs get through frost.',
    });
    const body = diff.changes.find((change) => change.path === 'body')!;
    expect(body.change).toBe('changed');
    expect(body.blocks).toEqual([
      expect.objectContaining({
        id: QUOTE_ID,
        type: 'quote',
        change: 'changed',
        fields: [
          expect.objectContaining({
            key: 'text',
            before: 'Leave the leaves.',
            after: 'Leave the leaves, and a bowl of water.',
          }),
        ],
      }),
    ]);
  });

  step(
    '13. publishing the second revision, then reverting to the first (a new draft) and publishing it',
    async () => {
      await ok(200, 'POST', `/api/admin/pages/${postId}/publish`, { as: editor, body: {} });
      // Publishing empties the cache: the old ETag no longer matches.
      const fresh = await call<DeliveryItem>('GET', `/api/v2/pages/${postId}/`, {
        headers: { 'if-none-match': etag },
      });
      expect(fresh.status).toBe(200);
      expect(fresh.body.title).toBe('Hedgehogs in a cold winter');
      expect(fresh.headers.get('etag')).not.toBe(etag);

      const reverted = await ok<{
        id: string;
        title: string;
        message: string;
        content: Record<string, unknown>;
        isLatest: boolean;
      }>(200, 'POST', `/api/admin/pages/${postId}/revisions/${firstRevision}/revert`, {
        as: editor,
      });
      expect(BigInt(reverted.id)).toBeGreaterThan(BigInt(secondRevision));
      expect(reverted).toMatchObject({
        title: 'Hedgehogs in winter',
        isLatest: true,
        content: { intro: 'How hedgehogs survive the cold.' },
      });
      expect(reverted.message).toContain(firstRevision);
      const state = await page(postId);
      expect(state).toMatchObject({
        status: 'live + draft',
        state: { latestRevisionId: reverted.id, liveRevisionId: secondRevision },
      });
      // Delivery still serves the second revision until the revert is published.
      expect((await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}`)).title).toBe(
        'Hedgehogs in a cold winter',
      );

      await ok(200, 'POST', `/api/admin/pages/${postId}/publish`, { as: editor, body: {} });
      const live = await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}`);
      expect(live).toMatchObject({
        title: 'Hedgehogs in winter',
        intro: 'How hedgehogs survive the cold.',
      });
      expect((live.body as Array<{ value: unknown }>)[2].value).toEqual({
        text: 'Leave the leaves.',
        attribution: 'Beatrix Potter',
      });
      expect((await page(postId)).state).toMatchObject({
        liveRevisionId: reverted.id,
        hasUnpublishedChanges: false,
      });
    },
  );

  step(
    '14. a publication scheduled a few seconds ahead goes live by itself',
    async () => {
      await ok(200, 'PUT', `/api/admin/pages/${postId}`, {
        as: editor,
        body: { title: 'Hedgehogs in spring' },
      });
      // A schedule an hour ahead, cancelled: the draft stays a draft.
      const later = await ok<{ scheduled: boolean; state: State }>(
        200,
        'POST',
        `/api/admin/pages/${postId}/publish`,
        { as: editor, body: { goLiveAt: inFuture(3_600_000) } },
      );
      expect(later).toMatchObject({ scheduled: true, state: { status: 'live + scheduled' } });
      const children = await ok<{ items: Array<{ id: string; status: string }> }>(
        200,
        'GET',
        `/api/admin/pages?parent=${blogId}`,
        { as: editor },
      );
      expect(children.items.map((item) => [item.id, item.status])).toEqual([
        [olderId, 'live'],
        [postId, 'live + scheduled'],
      ]);
      const cancelled = await ok<State>(200, 'DELETE', `/api/admin/pages/${postId}/schedule`, {
        as: editor,
      });
      expect(cancelled).toMatchObject({ status: 'live + draft', goLiveAt: null });

      const goLiveAt = inFuture(3000);
      const outcome = await ok<{ scheduled: boolean; state: State }>(
        200,
        'POST',
        `/api/admin/pages/${postId}/publish`,
        {
          as: editor,
          body: { goLiveAt },
        },
      );
      expect(outcome.scheduled).toBe(true);
      expect(outcome.state).toMatchObject({ status: 'live + scheduled', goLiveAt });
      expect((await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}`)).title).toBe(
        'Hedgehogs in winter',
      );

      await waitFor(
        'the scheduled revision to go live',
        async () =>
          (await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}`)).title ===
          'Hedgehogs in spring',
        SCHEDULE_WAIT_MS,
      );
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(goLiveAt));
      const meta = (await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}`))
        .meta as DeliveryItem['meta'] & { last_published_at: string };
      expect(meta.first_published_at).toBe(firstPublishedAt);
      expect(Date.parse(meta.last_published_at)).toBeGreaterThanOrEqual(Date.parse(goLiveAt));
      expect(await page(postId)).toMatchObject({
        status: 'live',
        title: 'Hedgehogs in spring',
        state: { goLiveAt: null },
      });
      expect(titlesOf(await delivered('type=blog_post'))).toEqual([
        'An older post',
        'Hedgehogs in spring',
      ]);
    },
    SCHEDULE_WAIT_MS + 20_000,
  );

  step(
    '15. an expiry takes the post offline by itself; publishing again brings it back',
    async () => {
      const expireAt = inFuture(3000);
      const outcome = await ok<{ scheduled: boolean; state: State }>(
        200,
        'POST',
        `/api/admin/pages/${postId}/publish`,
        {
          as: editor,
          body: { expireAt },
        },
      );
      expect(outcome.state).toMatchObject({ status: 'live', expireAt });
      await waitFor(
        'the post to expire',
        async () => (await call('GET', `/api/v2/pages/${postId}`)).status === 404,
        SCHEDULE_WAIT_MS,
      );
      expect(await page(postId)).toMatchObject({ status: 'expired', live: false });
      expect(titlesOf(await delivered('type=blog_post'))).toEqual(['An older post']);

      await ok(200, 'POST', `/api/admin/pages/${postId}/publish`, { as: editor, body: {} });
      expect(await page(postId)).toMatchObject({ status: 'live', state: { expireAt: null } });
      expect((await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}`)).title).toBe(
        'Hedgehogs in spring',
      );
    },
    SCHEDULE_WAIT_MS + 20_000,
  );

  step('16. a lock by the editor blocks the superuser (423) until it is released', async () => {
    const locked = await ok<State>(200, 'POST', `/api/admin/pages/${postId}/lock`, { as: editor });
    expect(locked.lock).toMatchObject({ lockedBy: editorId });
    const seen = await page(postId);
    expect(seen.permissions).toMatchObject({ change: false, publish: false, unlock: true });

    await refused(423, 'PUT', `/api/admin/pages/${postId}`, {
      as: admin,
      body: { title: 'Overwritten' },
    });
    await refused(423, 'POST', `/api/admin/pages/${postId}/publish`, { as: admin, body: {} });
    await refused(423, 'POST', `/api/admin/pages/${postId}/unpublish`, { as: admin, body: {} });
    expect(await page(postId)).toMatchObject({
      title: 'Hedgehogs in spring',
      draft: { title: 'Hedgehogs in spring' },
      live: true,
    });

    const unlocked = await ok<State>(200, 'POST', `/api/admin/pages/${postId}/unlock`, {
      as: editor,
    });
    expect(unlocked.lock).toBeNull();
  });

  step('17a. renaming the author and moving the linked page show in the post at once', async () => {
    // Warm the cache with the current answer first.
    const before = await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}/`);
    expect(before.author).toMatchObject({ title: 'Beatrix Hedge' });

    await ok(200, 'PUT', `/api/admin/snippets/author/${authorId}`, {
      as: admin,
      body: { content: { name: 'Beatrix Hedgerow' } },
    });
    // A draft of the author changes nothing for readers.
    expect((await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}/`)).author).toMatchObject({
      title: 'Beatrix Hedge',
    });
    await ok(200, 'POST', `/api/admin/snippets/author/${authorId}/publish`, {
      as: admin,
      body: {},
    });
    await ok(200, 'PUT', `/api/admin/pages/${olderId}`, {
      as: admin,
      body: { slug: 'first-post' },
    });

    const after = await ok<DeliveryItem>(200, 'GET', `/api/v2/pages/${postId}/`);
    expect(after.author).toMatchObject({ id: authorId, title: 'Beatrix Hedgerow' });
    const paragraph = (after.body as Array<{ value: RichTextValue }>)[1].value;
    expect(paragraph.html).toContain('<a href="/blog/first-post/">the older post</a>');
  });

  step(
    '17. the author snippet lists the post among its uses, and cannot be deleted while it is live',
    async () => {
      const usage = await ok<{
        total_count: number;
        items: Array<{
          source: { type: string; id: string; title: string; contentType: string };
          fieldPath: string;
          live: boolean;
        }>;
      }>(200, 'GET', `/api/admin/snippets/author/${authorId}/usage`, { as: admin });
      expect(usage.items).toContainEqual({
        source: {
          type: 'page',
          id: postId,
          title: 'Hedgehogs in spring',
          contentType: 'blog_post',
        },
        fieldPath: 'author',
        live: true,
      });
      expect(usage.items.every((item) => item.source.id === postId)).toBe(true);
      const pageUsage = await ok<{
        items: Array<{ source: { id: string }; fieldPath: string; live: boolean }>;
      }>(200, 'GET', `/api/admin/pages/${olderId}/usage`, { as: admin });
      expect(pageUsage.items).toContainEqual(
        expect.objectContaining({ source: expect.objectContaining({ id: postId }), live: true }),
      );

      const problem = await refused(409, 'DELETE', `/api/admin/snippets/author/${authorId}`, {
        as: admin,
      });
      expect(problem.errors?.map((error) => error.message).join('\n')).toContain(postId);
      expect(
        (await ok<DeliveryItem>(200, 'GET', `/api/v2/snippets/author/${authorId}`)).title,
      ).toBe('Beatrix Hedgerow');
    },
  );

  step("18. the audit log holds the post's history", async () => {
    const log = await ok<{
      meta: { total_count: number };
      items: Array<{ action: string; actorId: string | null; objectId: string }>;
    }>(200, 'GET', `/api/admin/audit-log?objectType=page&objectId=${postId}&limit=100`, {
      as: admin,
    });
    const actions = log.items.map((entry) => entry.action);
    for (const action of [
      'pages.created',
      'pages.edited',
      'pages.published',
      'pages.reverted',
      'pages.scheduled',
      'pages.locked',
      'pages.unlocked',
      'pages.unpublished',
    ]) {
      expect(actions).toContain(action);
    }
    expect(log.items.every((entry) => entry.objectId === postId)).toBe(true);
    const byEditor = (action: string) =>
      log.items.filter((entry) => entry.action === action && entry.actorId === editorId).length;
    expect(byEditor('pages.created')).toBe(1);
    expect(byEditor('pages.reverted')).toBe(1);
    expect(byEditor('pages.scheduled')).toBe(2);
    expect(byEditor('pages.schedule_cancelled')).toBe(1);
    expect(byEditor('pages.locked')).toBe(1);
    // By hand: the first and second revisions, the revert, with an expiry, again after it;
    // and once by the schedule.
    expect(actions.filter((action) => action === 'pages.published')).toHaveLength(6);
    // The expiry was the system's doing.
    expect(log.items.filter((entry) => entry.action === 'pages.unpublished')).toEqual([
      expect.objectContaining({ actorId: null }),
    ]);
    expect(log.items.some((entry) => entry.actorId === adminId)).toBe(false);
  });

  step(
    '19. unpublishing takes the post out of the delivery API; then the author may go',
    async () => {
      const result = await ok<{ unpublished: string[]; state: State }>(
        200,
        'POST',
        `/api/admin/pages/${postId}/unpublish`,
        {
          as: editor,
          body: {},
        },
      );
      expect(result).toMatchObject({
        unpublished: [postId],
        state: { status: 'draft', live: false },
      });
      await refused(404, 'GET', `/api/v2/pages/${postId}`);
      await refused(404, 'GET', '/api/v2/pages/find?html_path=/blog/hedgehogs-in-spring/');
      await refused(404, 'GET', '/api/v2/pages/find?html_path=/blog/hedgehogs-in-winter/');
      expect(titlesOf(await delivered('type=blog_post'))).toEqual(['An older post']);
      expect(titlesOf(await delivered('search=hedgehogs'))).toEqual(['Home']);
      const stale = await call('GET', `/api/v2/pages/${postId}/`, {
        headers: { 'if-none-match': etag },
      });
      expect(stale.status).toBe(404);

      // No live content uses the author any more: it may be deleted.
      await ok(204, 'DELETE', `/api/admin/snippets/author/${authorId}`, { as: admin });
      await refused(404, 'GET', `/api/v2/snippets/author/${authorId}`);
    },
  );
});
