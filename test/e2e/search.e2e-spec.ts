import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { SearchIndexService } from '#src/search/search-index.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { type BlogSite, buildBlogSite, createPost } from '#test/helpers/delivery-site.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

interface Listing {
  meta: { total_count: number };
  items: Array<{ id: string; title: string; meta: { search_score?: number } }>;
}

describe('search', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let site: BlogSite;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    ids.body = await createPost(app, asAdmin, site.blogId, {
      title: 'Notes from the week',
      slug: 'notes',
      intro: 'Odds and ends',
      bodyText: 'We walked through the botanical gardens and the market.',
    });
    ids.title = await createPost(app, asAdmin, site.blogId, {
      title: 'Winter gardens',
      slug: 'winter',
      intro: 'Cold frames',
      bodyText: 'Nothing grows without light.',
    });
    ids.intro = await createPost(app, asAdmin, site.blogId, {
      title: 'A walk',
      slug: 'walk',
      intro: 'The gardens by the river',
      bodyText: 'Rain all day.',
    });
    ids.draft = await createPost(app, asAdmin, site.blogId, {
      title: 'Gardens draft',
      slug: 'draft',
      publish: false,
    });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  async function search(query: string): Promise<Listing> {
    const response = await fetch(`${app.baseUrl}/api/v2/pages?${query}`);
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status: 200 });
    return JSON.parse(text) as Listing;
  }

  it('ranks a match in the title above one in the intro, above one in the body', async () => {
    const result = await search('search=garden');
    expect(result.items.map((item) => item.id)).toEqual([ids.title, ids.intro, ids.body]);
    expect(result.meta.total_count).toBe(3);
    const scores = result.items.map((item) => item.meta.search_score ?? 0);
    expect(scores[0]).toBeGreaterThan(scores[1]);
    expect(scores[1]).toBeGreaterThan(scores[2]);
  });

  it('reads the search box as websearch_to_tsquery does: phrases, or, and -word', async () => {
    expect((await search('search="botanical gardens"')).items.map((item) => item.id)).toEqual([
      ids.body,
    ]);
    expect((await search('search=gardens -winter')).items).toHaveLength(2);
    expect((await search('search=river or light')).items).toHaveLength(2);
    expect((await search('search=zebra')).items).toEqual([]);
    // Operators that to_tsquery would choke on are plain text here.
    expect((await search(`search=${encodeURIComponent("garden & | ! ( ' :*")}`)).items.length).toBe(
      3,
    );
  });

  it('leaves drafts and unpublished pages out of the results', async () => {
    expect((await search('search=draft')).items).toEqual([]);
    const unpublished = await sendJson(
      `${app.baseUrl}/api/admin/pages/${ids.intro}/unpublish`,
      {},
      { headers: asAdmin },
    );
    expect(unpublished.status).toBe(200);
    expect((await search('search=garden')).items.map((item) => item.id)).toEqual([
      ids.title,
      ids.body,
    ]);
  });

  it('combines with type, filters and an explicit order', async () => {
    const ordered = await search('search=garden&type=blog_post&order=title&date=2026-01-01');
    expect(ordered.items.map((item) => item.title)).toEqual([
      'Notes from the week',
      'Winter gardens',
    ]);
  });

  it('searches snippets over their title and search fields', async () => {
    const response = await fetch(`${app.baseUrl}/api/v2/snippets/author?search=gardens`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Listing;
    expect(body.items.map((item) => item.title)).toEqual(['Ann Writer']);
  });

  it('indexes text with parameters only, whatever it holds', async () => {
    const service = app.finch.app.get(SearchIndexService);
    const db = app.finch.app.get(DataSource);
    await db.transaction(async (manager) => {
      await service.index(manager, 'page', ids.body, [
        { text: "Robert'); DROP TABLE pages; --", weight: 'A' },
      ]);
    });
    const rows: Array<{ v: string }> = await db.query(
      'SELECT search_vector::text AS v FROM pages WHERE id = $1',
      [ids.body],
    );
    expect(rows[0].v).toContain("'robert':1A");
    await db.transaction((manager) => service.clear(manager, 'page', ids.body));
    const cleared: Array<{ v: string | null }> = await db.query(
      'SELECT search_vector AS v FROM pages WHERE id = $1',
      [ids.body],
    );
    expect(cleared[0].v).toBeNull();
  });

  it('refuses bad search parameters naming them', async () => {
    for (const query of ['search=', `search=${'a'.repeat(256)}`, 'search=a&search=b']) {
      const problem = await expectProblem(await fetch(`${app.baseUrl}/api/v2/pages?${query}`), 400);
      expect(problem.errors?.[0]?.path).toBe('search');
    }
  });
});

describe('SEARCH_LANGUAGE', () => {
  it('refuses to start with a language the database does not know, naming the variable', async () => {
    await expect(startTestApp({ SEARCH_LANGUAGE: 'klingon' })).rejects.toThrow(
      /SEARCH_LANGUAGE="klingon" is not a text search configuration.*english/s,
    );
  });

  it('refuses a value that is not a configuration name at all', async () => {
    await expect(
      startTestApp({ SEARCH_LANGUAGE: "english'; DROP TABLE pages; --" }),
    ).rejects.toThrow(/SEARCH_LANGUAGE/);
  });

  it('searches in the configured language: simple does not stem', async () => {
    const app = await startTestApp({ SEARCH_LANGUAGE: 'simple' });
    try {
      const admin = await createUser(app, { isSuperuser: true });
      const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
      const headers = bearer(accessToken);
      const site = await buildBlogSite(app, headers, accessToken);
      await createPost(app, headers, site.blogId, { title: 'Gardens', slug: 'gardens' });
      const count = async (word: string) => {
        const response = await fetch(`${app.baseUrl}/api/v2/pages?search=${word}`);
        return ((await response.json()) as Listing).meta.total_count;
      };
      expect(await count('gardens')).toBe(1);
      expect(await count('garden')).toBe(0);
    } finally {
      await app.close();
    }
  }, 180_000);
});
