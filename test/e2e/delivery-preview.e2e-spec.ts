import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliveryService } from '#src/delivery/delivery.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import {
  adminPost,
  type BlogSite,
  blogPostContent,
  buildBlogSite,
  createPost,
} from '#test/helpers/delivery-site.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

interface Item {
  id: string;
  title: string;
  intro?: string;
  meta: { html_url: string | null };
}
interface Listing {
  meta: { total_count: number };
  items: Item[];
}
interface TokenView {
  token: string;
  expiresAt: string;
  previewUrl?: string;
}

describe('the delivery API: previews and drafts', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let asEditor: Record<string, string>;
  let asNobody: Record<string, string>;
  let site: BlogSite;
  let alpha: string;
  let secret: string;

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    alpha = await createPost(app, asAdmin, site.blogId, { title: 'Alpha', slug: 'alpha' });
    secret = await createPost(app, asAdmin, site.blogId, {
      title: 'Secret plans',
      slug: 'secret',
      publish: false,
    });
    // A newer draft of a live page: the live version stays "Alpha".
    const saved = await fetch(`${app.baseUrl}/api/admin/pages/${alpha}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...asAdmin },
      body: JSON.stringify({ title: 'Alpha, second draft' }),
    });
    expect(saved.status).toBe(200);

    // An editor of the blog's subtree (change on /blog/), and a user with no grants.
    const editor = await createUser(app);
    const group = await adminPost(app, asAdmin, '/api/admin/groups', { name: 'Blog editors' });
    for (const [path, body] of [
      [
        `/api/admin/groups/${group.id}/page-permissions`,
        { grants: [{ pageId: site.blogId, permissions: ['change'] }] },
      ],
      [`/api/admin/users/${editor.id}/groups`, { groupIds: [group.id] }],
    ] as const) {
      const response = await sendJson(`${app.baseUrl}${path}`, body, {
        method: 'PUT',
        headers: asAdmin,
      });
      expect(response.status).toBe(200);
    }
    asEditor = bearer((await signIn(app, editor.email, TEST_PASSWORD)).accessToken);
    const nobody = await createUser(app);
    asNobody = bearer((await signIn(app, nobody.email, TEST_PASSWORD)).accessToken);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}${path}`, { headers, redirect: 'manual' });
  const issue = (body: unknown, headers = asAdmin) =>
    sendJson(`${app.baseUrl}/api/admin/preview-tokens`, body, { headers });
  async function tokenFor(body: unknown, headers = asAdmin): Promise<TokenView> {
    const response = await issue(body, headers);
    expect(response.status).toBe(201);
    return (await response.json()) as TokenView;
  }

  describe('POST /api/admin/preview-tokens', () => {
    it('issues a signed, short-lived token for a page, with the preview URL of its type', async () => {
      const before = Date.now();
      const view = await tokenFor({ pageId: secret });
      expect(view.token).toMatch(/^fpv1\.[\w-]+\.[\w-]+$/);
      const expires = Date.parse(view.expiresAt);
      expect(expires).toBeGreaterThan(before + 3_500_000);
      expect(expires).toBeLessThan(before + 3_700_000);
      expect(view.previewUrl).toBeUndefined();
      const home = await tokenFor({ pageId: site.homeId });
      expect(home.previewUrl).toBe(
        `http://localhost:3001/preview?path=%2F&token=${encodeURIComponent(home.token)}`,
      );
    });

    it('lets an editor preview pages of their subtree only, and the whole site only with rights on its root', async () => {
      expect((await issue({ pageId: secret }, asEditor)).status).toBe(201);
      await expectProblem(await issue({ pageId: site.homeId }, asEditor), 403);
      await expectProblem(await issue({ siteId: site.siteId }, asEditor), 403);
      await expectProblem(await issue({ pageId: secret }, asNobody), 403);
      expect((await issue({ siteId: site.siteId })).status).toBe(201);
    });

    it('refuses anonymous callers and bad input, naming the field', async () => {
      const anonymous = await sendJson(`${app.baseUrl}/api/admin/preview-tokens`, {
        pageId: secret,
      });
      await expectProblem(anonymous, 401);
      for (const [body, path] of [
        [{}, 'pageId'],
        [{ pageId: secret, siteId: site.siteId }, 'siteId'],
        [{ pageId: 'nope' }, 'pageId'],
        [{ siteId: 42 }, 'siteId'],
        [{ pageId: secret, expiresAt: '2099-01-01' }, 'expiresAt'],
      ] as const) {
        const problem = await expectProblem(await issue(body), 400);
        expect(problem.errors?.map((error) => error.path)).toContain(path);
      }
      await expectProblem(await issue({ pageId: '00000000-0000-4000-8000-000000000000' }), 404);
      await expectProblem(await issue({ siteId: '00000000-0000-4000-8000-000000000000' }), 404);
      await expectProblem(await issue('[not json'), 400);
    });
  });

  describe('reading with a preview token', () => {
    it('shows a draft-only page to its token, in detail, listing and find, never cached publicly', async () => {
      const { token } = await tokenFor({ pageId: secret });
      await expectProblem(await get(`/api/v2/pages/${secret}`), 404);

      const detail = await get(`/api/v2/pages/${secret}?preview_token=${token}`);
      expect(detail.status).toBe(200);
      expect(detail.headers.get('cache-control')).toBe('private, no-store');
      expect(((await detail.json()) as Item).title).toBe('Secret plans');

      const byHeader = await get(`/api/v2/pages/${secret}`, { 'x-preview-token': token });
      expect(byHeader.status).toBe(200);

      const listing = await get(`/api/v2/pages?type=blog_post&preview_token=${token}`);
      expect(listing.headers.get('cache-control')).toBe('private, no-store');
      const titles = ((await listing.json()) as Listing).items.map((item) => item.title);
      // The token is for Secret only: Alpha shows its live version.
      expect(titles).toEqual(['Alpha', 'Secret plans']);

      const found = await get(`/api/v2/pages/find?html_path=/blog/secret/&preview_token=${token}`);
      expect(found.status).toBe(302);
      expect(found.headers.get('location')).toBe(
        `/api/v2/pages/${secret}/?preview_token=${encodeURIComponent(token)}`,
      );

      // And the public listing still does not show it.
      const publicTitles = ((await (await get('/api/v2/pages?type=blog_post')).json()) as Listing)
        .items;
      expect(publicTitles.map((item) => item.title)).toEqual(['Alpha']);
    });

    it('shows the latest draft of a live page instead of its live version', async () => {
      const { token } = await tokenFor({ pageId: alpha });
      const live = (await (await get(`/api/v2/pages/${alpha}`)).json()) as Item;
      expect(live.title).toBe('Alpha');
      const draft = (await (
        await get(`/api/v2/pages/${alpha}?preview_token=${token}`)
      ).json()) as Item;
      expect(draft.title).toBe('Alpha, second draft');
    });

    it('shows every draft of the site to a site token', async () => {
      const { token } = await tokenFor({ siteId: site.siteId });
      const listing = (await (
        await get(`/api/v2/pages?type=blog_post&preview_token=${token}`)
      ).json()) as Listing;
      expect(listing.items.map((item) => item.title)).toEqual([
        'Alpha, second draft',
        'Secret plans',
      ]);
    });

    it('refuses forged, malformed and expired tokens with a 401 saying which', async () => {
      const { token } = await tokenFor({ pageId: secret });
      const forged = `${token.slice(0, -2)}xx`;
      const bad = await expectProblem(
        await get(`/api/v2/pages/${secret}?preview_token=${forged}`),
        401,
      );
      expect(bad.detail).toMatch(/malformed|not issued/);
      await expectProblem(await get('/api/v2/pages', { 'x-preview-token': 'garbage' }), 401);
      const signer = app.finch.app.get(DeliveryService).signer;
      const expired = signer.sign({
        scope: { kind: 'page', id: secret },
        expiresAt: Math.floor(Date.now() / 1000) - 1,
      });
      const problem = await expectProblem(
        await get(`/api/v2/pages/${secret}?preview_token=${expired}`),
        401,
      );
      expect(problem.detail).toMatch(/expired/);
      const conflicting = await expectProblem(
        await get(`/api/v2/pages?preview_token=${token}`, { 'x-preview-token': 'other' }),
        400,
      );
      expect(conflicting.errors?.[0]?.path).toBe('preview_token');
    });
  });

  describe('draft=true with an API token', () => {
    async function apiToken(headers: Record<string, string>, scopes: string[]): Promise<string> {
      const response = await sendJson(
        `${app.baseUrl}/api/auth/tokens`,
        { name: `delivery ${scopes.join('+')}`, scopes },
        { headers },
      );
      expect(response.status).toBe(201);
      return ((await response.json()) as { token: string }).token;
    }

    it('shows every draft to a read token of someone who may change the whole site', async () => {
      const token = await apiToken(asAdmin, ['read']);
      const response = await get('/api/v2/pages?type=blog_post&draft=true', bearer(token));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(((await response.json()) as Listing).items.map((item) => item.title)).toEqual([
        'Alpha, second draft',
        'Secret plans',
      ]);
      const detail = await get(`/api/v2/pages/${secret}?draft=true`, bearer(token));
      expect(detail.status).toBe(200);
    });

    it('shows snippet drafts to draft=true with change_snippet, never to preview tokens', async () => {
      const saved = await sendJson(
        `${app.baseUrl}/api/admin/snippets/author/${site.authorId}`,
        { content: { name: 'Ann Draftname' } },
        { method: 'PUT', headers: asAdmin },
      );
      expect(saved.status).toBe(200);
      const token = await apiToken(asAdmin, ['read']);
      const drafts = await get(
        `/api/v2/snippets/author/${site.authorId}?draft=true`,
        bearer(token),
      );
      expect(((await drafts.json()) as Item).title).toBe('Ann Draftname');
      const { token: preview } = await tokenFor({ siteId: site.siteId });
      const previewed = await get(
        `/api/v2/snippets/author/${site.authorId}?preview_token=${preview}`,
      );
      expect(previewed.headers.get('cache-control')).toBe('private, no-store');
      expect(((await previewed.json()) as Item).title).toBe('Ann Writer');
      const editors = await apiToken(asEditor, ['read']);
      await expectProblem(await get('/api/v2/snippets/author?draft=true', bearer(editors)), 403);
    });

    it('refuses draft=true without credentials, with a token lacking the read scope, and to users without rights', async () => {
      await expectProblem(await get('/api/v2/pages?draft=true'), 401);
      const writeOnly = await apiToken(asAdmin, ['write']);
      await expectProblem(await get('/api/v2/pages?draft=true', bearer(writeOnly)), 401);
      const nobodys = await apiToken(asNobody, ['read']);
      await expectProblem(await get('/api/v2/pages?draft=true', bearer(nobodys)), 403);
      const editors = await apiToken(asEditor, ['read']);
      await expectProblem(await get('/api/v2/pages?draft=true', bearer(editors)), 403);
      // draft=false is the public listing.
      expect((await get('/api/v2/pages?draft=false')).status).toBe(200);
    });
  });

  // Last: it adds a post, which the listings above do not expect.
  describe('links in a preview', () => {
    it("resolves the links of the version it shows: the draft's to the token, the live one's to everyone", async () => {
      const gamma = await createPost(app, asAdmin, site.blogId, { title: 'Gamma', slug: 'gamma' });
      const saved = await sendJson(
        `${app.baseUrl}/api/admin/pages/${gamma}`,
        {
          content: blogPostContent({ title: 'Gamma', linkTo: site.blogId, author: site.authorId }),
        },
        { method: 'PUT', headers: asAdmin },
      );
      expect(saved.status).toBe(200);
      type Detail = { author: { title: string } | null; body: Array<{ value: { html: string } }> };
      const live = (await (await get(`/api/v2/pages/${gamma}`)).json()) as Detail;
      expect(live.author).toBeNull();
      expect(live.body[0].value.html).toBe('<p>Some words.</p>');

      const { token } = await tokenFor({ pageId: gamma });
      const draft = (await (
        await get(`/api/v2/pages/${gamma}?preview_token=${token}`)
      ).json()) as Detail;
      expect(draft.author).toMatchObject({ id: site.authorId, title: 'Ann Writer' });
      expect(draft.body[0].value.html).toBe('<p>Some words.<a href="/blog/"> (link)</a></p>');
    });
  });
});
