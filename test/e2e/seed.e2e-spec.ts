import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { queryDatabase, runFinch } from '#test/helpers/finch-cli.js';
import {
  createTestDatabase,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from '#test/helpers/test-app.js';

interface DeliveryList {
  meta: { total_count: number };
  items: Array<{
    id: string;
    title: string;
    meta: { type: string; slug: string; html_url: string | null };
  }>;
}

describe('npm run finch -- seed --example', () => {
  let database: TestDatabase;
  let first: Awaited<ReturnType<typeof runFinch>>;
  let app: TestApp | undefined;

  const counts = async () =>
    (
      await queryDatabase<Record<string, number>>(
        database,
        `SELECT (SELECT count(*)::int FROM content_types) AS types,
              (SELECT count(*)::int FROM pages) AS pages,
              (SELECT count(*)::int FROM pages WHERE live) AS live,
              (SELECT count(*)::int FROM pages WHERE go_live_at IS NOT NULL AND NOT live) AS scheduled,
              (SELECT count(*)::int FROM snippets WHERE live) AS snippets,
              (SELECT count(*)::int FROM revisions) AS revisions,
              (SELECT count(*)::int FROM sites) AS sites,
              (SELECT count(*)::int FROM content_references WHERE live) AS live_references,
              (SELECT count(*)::int FROM audit_log) AS audit`,
      )
    )[0];

  beforeAll(async () => {
    database = await createTestDatabase();
    first = await runFinch(['seed', '--example'], database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('creates the example types, a localhost site, authors, categories and posts through the services', async () => {
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /Seeded the example blog: 5 content types created, 6 authors and categories, 8 published pages, 1 draft, 1 scheduled \("Coming soon: feeds" at \d{4}-/,
    );
    // Not a terminal: progress as plain lines on standard error.
    expect(first.stderr).toContain('Creating the example content: 17/17 (100%)');
    expect(await counts()).toMatchObject({
      types: 5,
      pages: 10,
      live: 8,
      scheduled: 1,
      snippets: 6,
      sites: 1,
    });
    const [site] = await queryDatabase<{ hostname: string; is_default: boolean; url_path: string }>(
      database,
      `SELECT s.hostname, s.is_default, p.url_path FROM sites s JOIN pages p ON p.id = s.root_page_id`,
    );
    expect(site).toEqual({ hostname: 'localhost', is_default: true, url_path: '/home/' });
    // Every post links its author and categories: the reference index knows.
    const [links] = await queryDatabase<{ authors: number }>(
      database,
      `SELECT count(DISTINCT r.source_id)::int AS authors FROM content_references r
        JOIN snippets s ON s.id = r.target_id WHERE r.field_path = 'author' AND s.content_type_key = 'author'`,
    );
    expect(links.authors).toBe(8);
    const actions = await queryDatabase<{ action: string }>(
      database,
      `SELECT DISTINCT action FROM audit_log ORDER BY action`,
    );
    expect(actions.map((row) => row.action)).toEqual(
      expect.arrayContaining([
        'content_types.created',
        'pages.created',
        'pages.published',
        'pages.scheduled',
        'sites.created',
        'snippets.created',
      ]),
    );
  });

  it('says so on a second run and changes nothing', async () => {
    const before = await counts();
    const second = await runFinch(['seed', '--example'], database);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      'The example site is already seeded (a site for localhost exists): nothing was changed.',
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses without --example (exit 2)', async () => {
    const result = await runFinch(['seed'], database);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('npm run finch -- seed --example');
  });

  it('refuses a database with pages of its own, changing nothing', async () => {
    const other = await createTestDatabase();
    try {
      await runFinch(['seed', '--example'], other);
      await queryDatabase(other, 'DELETE FROM sites');
      const before = await queryDatabase<{ count: number }>(
        other,
        'SELECT count(*)::int AS count FROM pages',
      );
      const result = await runFinch(['seed', '--example'], other);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'The database already has 10 pages and 6 author or category snippets, but no site for localhost.',
      );
      expect(await queryDatabase(other, 'SELECT count(*)::int AS count FROM pages')).toEqual(
        before,
      );
    } finally {
      await other.drop();
    }
  });

  it('serves the published posts, and only those, through the delivery API', async () => {
    // The server takes the seeded database (after the commands are done with it: the
    // embedded one allows one process at a time).
    app = await startTestApp({ DATA_DIR: database.dataDir, DATABASE_URL: database.url });
    const response = await fetch(
      `${app.baseUrl}/api/v2/pages?type=blog_post&order=-first_published_at&limit=20`,
      { headers: { host: 'localhost' } },
    );
    expect(response.status).toBe(200);
    const list = (await response.json()) as DeliveryList;
    expect(list.meta.total_count).toBe(6);
    expect(list.items.map((item) => item.meta.slug)).toEqual([
      'revisions-and-reverts',
      'scheduling-posts',
      'fast-reads',
      'schema-files-in-git',
      'modelling-a-blog',
      'hello-finch',
    ]);
    const found = await fetch(`${app.baseUrl}/api/v2/pages/find?html_path=/blog/hello-finch/`, {
      headers: { host: 'localhost' },
      redirect: 'manual',
    });
    expect([200, 302]).toContain(found.status);
    const authors = await fetch(`${app.baseUrl}/api/v2/snippets/author`);
    expect(authors.status).toBe(200);
    expect(((await authors.json()) as DeliveryList).meta.total_count).toBe(3);
  });
});
