import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import {
  type BlogSite,
  buildBlogSite,
  createPage,
  createPost,
} from '#test/helpers/delivery-site.js';
import { sendJson } from '#test/helpers/problem.js';
import { fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

interface Listing {
  meta: { total_count: number };
  items: Array<{ id: string; title: string; meta: { html_url: string | null } }>;
}

describe('the delivery API: ETags and the cache', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let site: BlogSite;

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_CACHE_MAX_AGE: '120' });
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    await createPost(app, asAdmin, site.blogId, {
      title: 'First',
      slug: 'first',
      author: site.authorId,
    });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  const listingUrl = () => `${app.baseUrl}/api/v2/pages?type=blog_post&fields=author`;
  async function titles(): Promise<string[]> {
    const response = await fetch(listingUrl());
    return ((await response.json()) as Listing).items.map((item) => item.title);
  }
  const admin = (method: string, path: string, body: unknown = {}) =>
    sendJson(`${app.baseUrl}${path}`, body, { method, headers: asAdmin });

  it('sends an ETag and public Cache-Control, and 304 for a matching If-None-Match', async () => {
    const first = await fetch(listingUrl());
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=120');
    expect(first.headers.get('vary')).toMatch(/X-Preview-Token/i);
    const again = await fetch(listingUrl(), { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    const other = await fetch(listingUrl(), { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it('answers a repeated request from memory, without SQL, whatever the order of its parameters', async () => {
    const url = `${app.baseUrl}/api/v2/pages?limit=5&type=blog_post`;
    const cold = await fetchCountingQueries(url);
    expect(cold.queries.length).toBeGreaterThan(0);
    const warm = await fetchCountingQueries(`${app.baseUrl}/api/v2/pages/?type=blog_post&limit=5`);
    expect(warm.queries).toHaveLength(0);
    expect(warm.body).toBe(cold.body);
    expect(warm.headers.get('etag')).toBe(cold.headers.get('etag'));
  });

  it('never serves preview requests from the cache', async () => {
    const issued = await admin('POST', '/api/admin/preview-tokens', { siteId: site.siteId });
    const { token } = (await issued.json()) as { token: string };
    for (let round = 0; round < 2; round += 1) {
      const response = await fetchCountingQueries(`${listingUrl()}&preview_token=${token}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(response.queries.length).toBeGreaterThan(0);
    }
  });

  it('forgets cached responses when a page is published', async () => {
    expect(await titles()).toEqual(['First']);
    const etag = (await fetch(listingUrl())).headers.get('etag');
    await createPost(app, asAdmin, site.blogId, { title: 'Second', slug: 'second' });
    expect(await titles()).toEqual(['First', 'Second']);
    expect((await fetch(listingUrl())).headers.get('etag')).not.toBe(etag);
  });

  it('forgets cached responses when a page is unpublished', async () => {
    const id = await createPost(app, asAdmin, site.blogId, { title: 'Short-lived', slug: 'short' });
    expect(await titles()).toContain('Short-lived');
    expect((await admin('POST', `/api/admin/pages/${id}/unpublish`)).status).toBe(200);
    expect(await titles()).not.toContain('Short-lived');
  });

  it('forgets cached responses when a page moves', async () => {
    const archive = await createPage(app, asAdmin, {
      parentId: site.homeId,
      type: 'blog_index',
      title: 'Archive',
      slug: 'archive',
      content: {},
    });
    const id = await createPost(app, asAdmin, site.blogId, { title: 'Mover', slug: 'mover' });
    const before = await fetch(`${app.baseUrl}/api/v2/pages/${id}`);
    expect(((await before.json()) as Listing['items'][number]).meta.html_url).toBe('/blog/mover/');
    expect((await admin('POST', `/api/admin/pages/${id}/move`, { parentId: archive })).status).toBe(
      200,
    );
    const after = await fetch(`${app.baseUrl}/api/v2/pages/${id}`);
    expect(((await after.json()) as Listing['items'][number]).meta.html_url).toBe(
      '/archive/mover/',
    );
  });

  it('forgets cached responses when a page is deleted', async () => {
    const id = await createPost(app, asAdmin, site.blogId, { title: 'Doomed', slug: 'doomed' });
    expect((await fetch(`${app.baseUrl}/api/v2/pages/${id}`)).status).toBe(200);
    expect(await titles()).toContain('Doomed');
    const deleted = await fetch(`${app.baseUrl}/api/admin/pages/${id}?confirm=1`, {
      method: 'DELETE',
      headers: asAdmin,
    });
    expect(deleted.status).toBe(200);
    expect((await fetch(`${app.baseUrl}/api/v2/pages/${id}`)).status).toBe(404);
    expect(await titles()).not.toContain('Doomed');
  });

  it('forgets cached responses when a linked snippet is published again', async () => {
    const detail = async () => {
      const response = await fetch(listingUrl());
      const body = (await response.json()) as {
        items: Array<{ author: { title: string } | null }>;
      };
      return body.items[0].author?.title;
    };
    expect(await detail()).toBe('Ann Writer');
    const saved = await admin('PUT', `/api/admin/snippets/author/${site.authorId}`, {
      content: { name: 'Ann Gardener' },
    });
    expect(saved.status).toBe(200);
    // A draft changes nothing readers see.
    expect(await detail()).toBe('Ann Writer');
    expect(
      (await admin('POST', `/api/admin/snippets/author/${site.authorId}/publish`)).status,
    ).toBe(200);
    expect(await detail()).toBe('Ann Gardener');
  });

  it('keeps no response when DELIVERY_CACHE_SIZE is 0', async () => {
    const uncached = await startTestApp({ DELIVERY_CACHE_SIZE: '0' });
    try {
      const url = `${uncached.baseUrl}/api/v2/pages`;
      await fetch(url);
      const again = await fetchCountingQueries(url);
      expect(again.status).toBe(200);
      expect(again.queries.length).toBeGreaterThan(0);
      expect(again.headers.get('etag')).toMatch(/^"/);
    } finally {
      await uncached.close();
    }
  }, 120_000);

  it('refuses a site that does not exist, uncached', async () => {
    const response = await fetch(`${app.baseUrl}/api/v2/pages?site=nowhere.example.com`);
    expect(response.status).toBe(400);
    expect(response.headers.get('etag')).toBeNull();
  });
});
