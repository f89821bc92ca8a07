import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { ContentChanges, type ContentChange } from '#src/publishing/content-changes.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** Page types for tree tests: a root-only home, nestable sections, leaf articles. */
const TYPES: ContentTypeDefinition[] = [
  {
    key: 'home',
    label: 'Home',
    kind: 'page',
    parentTypes: [],
    fields: [{ key: 'intro', type: 'long_text' }],
  },
  {
    key: 'section',
    label: 'Section',
    kind: 'page',
    parentTypes: ['home', 'section'],
    fields: [{ key: 'intro', type: 'long_text' }],
  },
  {
    key: 'article',
    label: 'Article',
    kind: 'page',
    parentTypes: ['section'],
    childTypes: [],
    fields: [{ key: 'body', type: 'long_text' }],
  },
  {
    key: 'gallery',
    label: 'Gallery',
    kind: 'page',
    parentTypes: ['home', 'section'],
    childTypes: ['article'],
    fields: [],
  },
];

interface PageBody {
  id: string;
  type: string;
  title: string;
  slug: string;
  url_path: string;
  depth: number;
  children_count: number;
  locale: string;
  status: string;
  live: boolean;
  parent_id: string | null;
  ancestors: Array<{ id: string; slug: string }>;
  draft: { revisionId: string | null; title: string; content: Record<string, unknown> };
  permissions: Record<string, boolean>;
}

describe('the page tree', () => {
  let app: TestApp;
  let db: DataSource;
  let asAdmin: Record<string, string>;
  const changes: ContentChange[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true });
    const token = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(token);
    await applyContentTypes(app, token, TYPES);
    app.finch.app.get(ContentChanges).onChange((change) => changes.push(change));
  });
  afterAll(async () => {
    await app?.close();
  });

  const url = (path = '') => `${app.baseUrl}/api/admin/pages${path}`;
  const send = (method: string, path: string, body: unknown) =>
    sendJson(url(path), body, { method, headers: asAdmin });

  async function create(body: Record<string, unknown>): Promise<PageBody> {
    const response = await send('POST', '', body);
    if (response.status !== 201) throw new Error(`${response.status} ${await response.text()}`);
    return (await response.json()) as PageBody;
  }

  async function ok(response: Response): Promise<PageBody> {
    if (response.status !== 200) throw new Error(`${response.status} ${await response.text()}`);
    return (await response.json()) as PageBody;
  }

  /** Every page's url path in tree order (depth-first, siblings by position). */
  async function outline(rootPath = ''): Promise<string[]> {
    const rows = await db.query<Array<{ url_path: string }>>(
      `SELECT url_path FROM pages WHERE path LIKE $1 || '%' ORDER BY path`,
      [rootPath],
    );
    return rows.map((row) => row.url_path);
  }

  async function pathOf(id: string): Promise<string> {
    const [row] = await db.query<Array<{ path: string }>>('SELECT path FROM pages WHERE id = $1', [
      id,
    ]);
    return row.path;
  }

  /** The materialized path holds together: the checks treebeard's `find_problems` makes. */
  async function expectTreeIntact(): Promise<void> {
    const problems = await db.query<Array<{ problem: string; id: string }>>(`
      SELECT 'path length is not 4 x depth' AS problem, id FROM pages WHERE length(path) <> depth * 4
      UNION ALL
      SELECT 'orphan', c.id FROM pages c
        LEFT JOIN pages p ON p.path = substr(c.path, 1, length(c.path) - 4)
       WHERE c.depth > 1 AND p.id IS NULL
      UNION ALL
      SELECT 'numchild is wrong', p.id FROM pages p
       WHERE p.numchild <> (SELECT count(*) FROM pages c
                             WHERE c.path LIKE p.path || '%' AND c.depth = p.depth + 1)
      UNION ALL
      SELECT 'url_path is not the parent''s plus the slug', c.id FROM pages c
        LEFT JOIN pages p ON p.path = substr(c.path, 1, length(c.path) - 4)
       WHERE c.url_path <> COALESCE(p.url_path, '/') || c.slug || '/'
      UNION ALL
      SELECT 'path has a character outside base 36', id FROM pages WHERE path !~ '^[0-9A-Z]+$'`);
    expect(problems).toEqual([]);
  }

  async function auditActions(id: string): Promise<string[]> {
    const rows = await db.query<Array<{ action: string }>>(
      `SELECT action FROM audit_log WHERE object_type = 'page' AND object_id = $1 ORDER BY id`,
      [id],
    );
    return rows.map((row) => row.action);
  }

  async function pageCount(): Promise<number> {
    const [row] = await db.query<Array<{ count: number }>>(
      'SELECT count(*)::int AS count FROM pages',
    );
    return row.count;
  }

  let home: PageBody;

  it('creates a root page and children with paths, depths, url paths and a first revision', async () => {
    home = await create({ type: 'home', title: 'Home', slug: 'home' });
    expect(home).toMatchObject({
      type: 'home',
      slug: 'home',
      url_path: '/home/',
      depth: 1,
      children_count: 0,
      status: 'draft',
      parent_id: null,
      ancestors: [],
    });
    expect(home.draft.revisionId).toEqual(expect.any(String));
    const news = await create({ parentId: home.id, type: 'section', title: 'News & Views!' });
    expect(news).toMatchObject({ slug: 'news-views', url_path: '/home/news-views/', depth: 2 });
    expect(news.ancestors.map((ancestor) => ancestor.id)).toEqual([home.id]);
    const again = await create({ parentId: home.id, type: 'section', title: 'News & Views' });
    expect(again.slug).toBe('news-views-2');
    expect(await pathOf(news.id)).toBe(`${await pathOf(home.id)}0001`);
    expect(await pathOf(again.id)).toBe(`${await pathOf(home.id)}0002`);
    const listed = (await (
      await fetch(url(`?parent=${home.id}`), { headers: asAdmin })
    ).json()) as {
      items: Array<{ id: string; children_count: number; url_path: string; status: string }>;
      meta: { total_count: number };
    };
    expect(listed.meta.total_count).toBe(2);
    expect(listed.items.map((item) => item.url_path)).toEqual([
      '/home/news-views/',
      '/home/news-views-2/',
    ]);
    const roots = (await (await fetch(url(), { headers: asAdmin })).json()) as {
      items: Array<{ id: string; children_count: number; lock: unknown }>;
    };
    expect(roots.items).toEqual([
      expect.objectContaining({ id: home.id, children_count: 2, lock: null }),
    ]);
    expect(await auditActions(news.id)).toEqual(['pages.created']);
    await expectTreeIntact();
  });

  it('enforces parentTypes and childTypes, and keeps a type with parentTypes off the root', async () => {
    const before = await pageCount();
    const section = await create({ parentId: home.id, type: 'section', title: 'Rules' });
    const article = await create({ parentId: section.id, type: 'article', title: 'Leaf' });
    const gallery = await create({ parentId: home.id, type: 'gallery', title: 'Gallery' });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ parentId: home.id, type: 'article', title: 'x' }, 'type'],
      [{ type: 'section', title: 'x' }, 'type'],
      [{ parentId: article.id, type: 'article', title: 'x' }, 'type'],
      [{ parentId: gallery.id, type: 'section', title: 'x' }, 'type'],
      [{ parentId: home.id, type: 'no_such_type', title: 'x' }, 'type'],
    ];
    for (const [body, field] of cases) {
      const problem = await expectProblem(await send('POST', '', body), 400);
      expect(problem.errors?.map((error) => error.path)).toContain(field);
    }
    // A move obeys the same rules: an article cannot go under home.
    const moved = await expectProblem(
      await send('POST', `/${article.id}/move`, { parentId: home.id }),
      400,
    );
    expect(moved.errors?.[0]?.path).toBe('parentId');
    expect(await pageCount()).toBe(before + 3);
    await expectTreeIntact();
  });

  it('refuses a slug used by a sibling with 409 naming slug, and allows it elsewhere', async () => {
    const a = await create({ parentId: home.id, type: 'section', title: 'A', slug: 'clash' });
    const problem = await expectProblem(
      await send('POST', '', { parentId: home.id, type: 'section', title: 'B', slug: 'clash' }),
      409,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'slug' })]);
    const nested = await create({ parentId: a.id, type: 'section', title: 'B', slug: 'clash' });
    expect(nested.url_path).toBe('/home/clash/clash/');
    // Moving it up next to its namesake clashes too, and changes nothing.
    const before = await outline();
    await expectProblem(await send('POST', `/${nested.id}/move`, { parentId: home.id }), 409);
    const renamed = await send('PUT', `/${nested.id}`, { slug: 'clash' });
    expect(renamed.status).toBe(200);
    const sibling = await create({ parentId: home.id, type: 'section', title: 'C', slug: 'other' });
    await expectProblem(await send('PUT', `/${sibling.id}`, { slug: 'clash' }), 409);
    expect(await outline()).toEqual([...before, '/home/other/']);
    await expectTreeIntact();
  });

  it('moves a deep subtree in one go: paths, depths, numchild and url paths all follow', async () => {
    const from = await create({ parentId: home.id, type: 'section', title: 'From' });
    const to = await create({ parentId: home.id, type: 'section', title: 'To' });
    let parent = from;
    const chain: PageBody[] = [];
    for (let level = 0; level < 6; level++) {
      parent = await create({ parentId: parent.id, type: 'section', title: `Level ${level}` });
      chain.push(parent);
      await create({ parentId: parent.id, type: 'article', title: `Article ${level}` });
    }
    const top = chain[0];
    const before = await outline(await pathOf(top.id));
    expect(before).toHaveLength(12);
    changes.length = 0;
    const moved = await ok(await send('POST', `/${top.id}/move`, { parentId: to.id }));
    expect(moved).toMatchObject({ url_path: '/home/to/level-0/', depth: 3, parent_id: to.id });
    const after = await outline(await pathOf(top.id));
    expect(after).toEqual(before.map((path) => path.replace('/home/from/', '/home/to/')));
    const deepest = chain.at(-1)!;
    const [row] = await db.query<Array<{ depth: number; url_path: string }>>(
      'SELECT depth, url_path FROM pages WHERE id = $1',
      [deepest.id],
    );
    expect(row).toEqual({
      depth: 8,
      url_path: '/home/to/level-0/level-1/level-2/level-3/level-4/level-5/',
    });
    const counts = await db.query<Array<{ id: string; numchild: number }>>(
      'SELECT id, numchild FROM pages WHERE id = ANY($1::uuid[])',
      [[from.id, to.id]],
    );
    expect(Object.fromEntries(counts.map((count) => [count.id, count.numchild]))).toEqual({
      [from.id]: 0,
      [to.id]: 1,
    });
    expect(await auditActions(top.id)).toContain('pages.moved');
    // Nothing here is live, so no cache needs telling.
    expect(changes.filter((change) => change.action === 'moved')).toEqual([]);
    await expectTreeIntact();

    // And back, as the first child, with a position.
    await create({ parentId: from.id, type: 'section', title: 'Already here' });
    const back = await ok(
      await send('POST', `/${top.id}/move`, { parentId: from.id, position: 0 }),
    );
    expect(back.url_path).toBe('/home/from/level-0/');
    expect(await outline(await pathOf(from.id))).toEqual([
      '/home/from/',
      ...before,
      '/home/from/already-here/',
    ]);
    await expectTreeIntact();
  });

  it('refuses to move a page into itself or a descendant (400, nothing changes)', async () => {
    const outer = await create({ parentId: home.id, type: 'section', title: 'Outer' });
    const inner = await create({ parentId: outer.id, type: 'section', title: 'Inner' });
    const innermost = await create({ parentId: inner.id, type: 'section', title: 'Innermost' });
    const before = await outline();
    for (const target of [outer.id, inner.id, innermost.id]) {
      const problem = await expectProblem(
        await send('POST', `/${outer.id}/move`, { parentId: target }),
        400,
      );
      expect(problem.errors?.[0]?.path).toBe('parentId');
    }
    expect(await outline()).toEqual(before);
  });

  it('reorders siblings, carrying each subtree along', async () => {
    const list = await create({ parentId: home.id, type: 'section', title: 'List' });
    const [one, two, three] = [
      await create({ parentId: list.id, type: 'section', title: 'One' }),
      await create({ parentId: list.id, type: 'section', title: 'Two' }),
      await create({ parentId: list.id, type: 'section', title: 'Three' }),
    ];
    await create({ parentId: three.id, type: 'article', title: 'Under three' });
    await create({ parentId: one.id, type: 'article', title: 'Under one' });
    const reordered = await send('POST', `/${three.id}/reorder`, { position: 0 });
    expect(reordered.status).toBe(200);
    expect(await outline(await pathOf(list.id))).toEqual([
      '/home/list/',
      '/home/list/three/',
      '/home/list/three/under-three/',
      '/home/list/one/',
      '/home/list/one/under-one/',
      '/home/list/two/',
    ]);
    await ok(await send('POST', `/${three.id}/reorder`, { position: 2 }));
    const listed = (await (
      await fetch(url(`?parent=${list.id}`), { headers: asAdmin })
    ).json()) as {
      items: Array<{ slug: string }>;
    };
    expect(listed.items.map((item) => item.slug)).toEqual(['one', 'two', 'three']);
    const problem = await expectProblem(
      await send('POST', `/${two.id}/reorder`, { position: 3 }),
      400,
    );
    expect(problem.errors?.[0]?.path).toBe('position');
    expect(await auditActions(three.id)).toContain('pages.reordered');
    await expectTreeIntact();
  });

  it('changes a slug at once and rewrites the url paths of the whole subtree', async () => {
    const old = await create({ parentId: home.id, type: 'section', title: 'Old name' });
    const child = await create({ parentId: old.id, type: 'section', title: 'Child' });
    await create({ parentId: child.id, type: 'article', title: 'Grandchild' });
    const renamed = await ok(await send('PUT', `/${old.id}`, { slug: 'new-name', title: 'New' }));
    expect(renamed).toMatchObject({ slug: 'new-name', url_path: '/home/new-name/' });
    expect(renamed.draft.title).toBe('New');
    expect(await outline(await pathOf(old.id))).toEqual([
      '/home/new-name/',
      '/home/new-name/child/',
      '/home/new-name/child/grandchild/',
    ]);
    await expectTreeIntact();
  });

  it('copies a page with its subtree: new ids, unpublished, a free slug and a revision each', async () => {
    const source = await create({
      parentId: home.id,
      type: 'section',
      title: 'Source',
      content: { intro: 'hello' },
      publish: true,
    });
    expect(source.live).toBe(true);
    const child = await create({ parentId: source.id, type: 'section', title: 'Kid' });
    await create({ parentId: child.id, type: 'article', title: 'Story', content: { body: 'b' } });
    const copy = await send('POST', `/${source.id}/copy`, {
      parentId: home.id,
      includeSubtree: true,
    });
    expect(copy.status).toBe(201);
    const copied = (await copy.json()) as PageBody;
    expect(copied).toMatchObject({
      slug: 'source-2',
      url_path: '/home/source-2/',
      live: false,
      status: 'draft',
      children_count: 1,
      title: 'Source',
    });
    expect(copied.id).not.toBe(source.id);
    const rows = await db.query<
      Array<{ id: string; url_path: string; live: boolean; revisions: number; content: unknown }>
    >(
      `SELECT p.id, p.url_path, p.live, p.content,
              (SELECT count(*)::int FROM revisions r WHERE r.object_type = 'page' AND r.object_id = p.id) AS revisions
         FROM pages p WHERE p.path LIKE $1 || '%' ORDER BY p.path`,
      [await pathOf(copied.id)],
    );
    expect(rows.map((row) => [row.url_path, row.live, row.revisions])).toEqual([
      ['/home/source-2/', false, 1],
      ['/home/source-2/kid/', false, 1],
      ['/home/source-2/kid/story/', false, 1],
    ]);
    expect(rows[2].content).toEqual({ body: 'b' });
    expect(await auditActions(copied.id)).toEqual(['pages.copied']);

    // Without the subtree, with a slug and title of its own.
    const single = await send('POST', `/${source.id}/copy`, {
      parentId: home.id,
      slug: 'single',
      title: 'Single copy',
    });
    expect(await single.json()).toMatchObject({
      slug: 'single',
      title: 'Single copy',
      children_count: 0,
    });
    // A slug that clashes when asked for explicitly.
    await expectProblem(
      await send('POST', `/${source.id}/copy`, { parentId: home.id, slug: 'single' }),
      409,
    );
    // Into its own subtree, with the subtree: refused.
    await expectProblem(
      await send('POST', `/${source.id}/copy`, { parentId: child.id, includeSubtree: true }),
      400,
    );
    await expectTreeIntact();
  });

  it('asks for the number of pages before deleting a subtree, then deletes pages and revisions', async () => {
    const doomed = await create({ parentId: home.id, type: 'section', title: 'Doomed' });
    const kid = await create({ parentId: doomed.id, type: 'section', title: 'Kid', publish: true });
    await create({ parentId: kid.id, type: 'article', title: 'A1' });
    await create({ parentId: kid.id, type: 'article', title: 'A2' });
    const preview = (await (
      await fetch(url(`/${doomed.id}/delete-preview`), { headers: asAdmin })
    ).json()) as { descendants: number; live: number; usages: unknown[] };
    expect(preview).toEqual({ descendants: 3, live: 1, usages: [] });

    const homeChildren = async () =>
      (
        await db.query<Array<{ numchild: number }>>('SELECT numchild FROM pages WHERE id = $1', [
          home.id,
        ])
      )[0].numchild;
    const childrenBefore = await homeChildren();
    const unconfirmed = await expectProblem(
      await fetch(url(`/${doomed.id}`), { method: 'DELETE', headers: asAdmin }),
      409,
    );
    expect(unconfirmed.detail).toContain('4 pages');
    await expectProblem(
      await fetch(url(`/${doomed.id}?confirm=3`), { method: 'DELETE', headers: asAdmin }),
      409,
    );
    await expectProblem(
      await fetch(url(`/${doomed.id}?confirm=abc`), { method: 'DELETE', headers: asAdmin }),
      400,
    );
    expect(await pathOf(doomed.id)).toEqual(expect.any(String));

    changes.length = 0;
    const deleted = await fetch(url(`/${doomed.id}?confirm=4`), {
      method: 'DELETE',
      headers: asAdmin,
    });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ deleted: 4 });
    await expectProblem(await fetch(url(`/${doomed.id}`), { headers: asAdmin }), 404);
    const [left] = await db.query<Array<{ revisions: number }>>(
      `SELECT count(*)::int AS revisions FROM revisions WHERE object_type = 'page' AND object_id = $1`,
      [kid.id],
    );
    expect(left.revisions).toBe(0);
    expect(await homeChildren()).toBe(childrenBefore - 1);
    expect(await auditActions(doomed.id)).toContain('pages.deleted');
    expect(changes).toContainEqual({ objectType: 'page', objectId: kid.id, action: 'deleted' });
    await expectTreeIntact();
  });

  it('records a content change when a live page moves or changes slug', async () => {
    const shelf = await create({ parentId: home.id, type: 'section', title: 'Shelf' });
    const book = await create({
      parentId: shelf.id,
      type: 'section',
      title: 'Book',
      publish: true,
    });
    // (A change may be heard twice in this process: after the commit and through NOTIFY.)
    const heard = () => changes.filter((change) => change.objectId === book.id);
    changes.length = 0;
    await ok(await send('POST', `/${book.id}/move`, { parentId: home.id }));
    expect(heard()).toContainEqual({ objectType: 'page', objectId: book.id, action: 'moved' });
    changes.length = 0;
    await ok(await send('PUT', `/${book.id}`, { slug: 'novel' }));
    expect(heard()).toContainEqual({ objectType: 'page', objectId: book.id, action: 'moved' });
    // A draft saved without a new slug changes nothing readers see.
    changes.length = 0;
    await ok(await send('PUT', `/${book.id}`, { title: 'Novel' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard()).toEqual([]);
  });

  it('serializes concurrent creates under one parent: distinct paths, right numchild', async () => {
    const busy = await create({ parentId: home.id, type: 'section', title: 'Busy' });
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        send('POST', '', { parentId: busy.id, type: 'section', title: `Concurrent ${index}` }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(201));
    const children = await db.query<Array<{ path: string }>>(
      `SELECT path FROM pages WHERE path LIKE $1 || '%' AND depth = 3`,
      [await pathOf(busy.id)],
    );
    expect(new Set(children.map((child) => child.path)).size).toBe(12);
    const [row] = await db.query<Array<{ numchild: number }>>(
      'SELECT numchild FROM pages WHERE id = $1',
      [busy.id],
    );
    expect(row.numchild).toBe(12);

    // Concurrent moves of sibling subtrees into each other's place never corrupt paths.
    const [a, b] = [
      await create({ parentId: busy.id, type: 'section', title: 'Swap A' }),
      await create({ parentId: busy.id, type: 'section', title: 'Swap B' }),
    ];
    await Promise.all([
      send('POST', `/${a.id}/move`, { parentId: home.id }),
      send('POST', `/${b.id}/move`, { parentId: home.id }),
      send('POST', `/${busy.id}/reorder`, { position: 0 }),
    ]);
    await expectTreeIntact();
  });

  it('refuses a page whose url path would outgrow its column (400), on create and on move', async () => {
    const long = (letter: string) => letter.repeat(255);
    const first = await create({ parentId: home.id, type: 'section', title: 'x', slug: long('a') });
    const second = await create({
      parentId: first.id,
      type: 'section',
      title: 'x',
      slug: long('b'),
    });
    const third = await create({
      parentId: second.id,
      type: 'section',
      title: 'x',
      slug: long('c'),
    });
    const tooLong = await expectProblem(
      await send('POST', '', { parentId: third.id, type: 'section', title: 'x', slug: long('d') }),
      400,
    );
    expect(tooLong.errors?.[0]?.path).toBe('slug');
    const elsewhere = await create({
      parentId: home.id,
      type: 'section',
      title: 'y',
      slug: long('e'),
    });
    const before = await outline();
    const moved = await expectProblem(
      await send('POST', `/${elsewhere.id}/move`, { parentId: third.id }),
      400,
    );
    expect(moved.errors?.[0]?.path).toBe('parentId');
    expect(await outline()).toEqual(before);
    await ok(await send('PUT', `/${first.id}`, { slug: 'short' }));
    await ok(await send('POST', `/${elsewhere.id}/move`, { parentId: third.id }));
    await expectTreeIntact();
  });

  it('answers bad input with 4xx problems naming the field, and changes nothing', async () => {
    const before = await outline();
    const count = await pageCount();
    const section = await create({ parentId: home.id, type: 'section', title: 'Target' });
    const cases: Array<[string, string, unknown, number, string | undefined]> = [
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', slug: '../' }, 400, 'slug'],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', slug: 'a/b' }, 400, 'slug'],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', slug: 'a b' }, 400, 'slug'],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x'.repeat(256) }, 400, 'title'],
      ['POST', '', { parentId: home.id, type: 'section', title: '' }, 400, 'title'],
      ['POST', '', { parentId: home.id, type: 'section', title: 7 }, 400, 'title'],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', role: 'admin' }, 400, 'role'],
      ['POST', '', { parentId: 'not-a-uuid', type: 'section', title: 'x' }, 400, 'parentId'],
      ['POST', '', { parentId: NO_SUCH_ID, type: 'section', title: 'x' }, 400, 'parentId'],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', content: [] }, 400, 'content'],
      ['POST', '', { parentId: home.id, title: 'x' }, 400, 'type'],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', locale: 'x' }, 400, 'locale'],
      [
        'POST',
        '',
        { parentId: home.id, type: 'section', title: 'x', locale: 'en<script>' },
        400,
        'locale',
      ],
      [
        'POST',
        '',
        { parentId: home.id, type: 'section', title: 'x', locale: `en-${'a'.repeat(40)}` },
        400,
        'locale',
      ],
      ['POST', '', { parentId: home.id, type: 'section', title: 'x', locale: 7 }, 400, 'locale'],
      ['PUT', `/${section.id}`, { slug: '..' }, 400, 'slug'],
      ['PUT', `/${section.id}`, { title: 'x'.repeat(300) }, 400, 'title'],
      ['PUT', `/${section.id}`, { parentId: home.id }, 400, 'parentId'],
      ['PUT', '/not-a-uuid', { title: 'x' }, 400, 'id'],
      ['PUT', `/${NO_SUCH_ID}`, { title: 'x' }, 404, undefined],
      ['POST', `/${section.id}/move`, {}, 400, 'parentId'],
      ['POST', `/${section.id}/move`, { parentId: NO_SUCH_ID }, 400, 'parentId'],
      ['POST', `/${section.id}/move`, { parentId: home.id, position: -1 }, 400, 'position'],
      ['POST', `/${section.id}/move`, { parentId: home.id, position: 'first' }, 400, 'position'],
      ['POST', `/${section.id}/copy`, { parentId: NO_SUCH_ID }, 400, 'parentId'],
      ['POST', `/${section.id}/copy`, { parentId: home.id, slug: 'a/b' }, 400, 'slug'],
      [
        'POST',
        `/${section.id}/copy`,
        { parentId: home.id, includeSubtree: 'yes' },
        400,
        'includeSubtree',
      ],
      ['POST', `/${section.id}/reorder`, {}, 400, 'position'],
      ['POST', `/${section.id}/reorder`, { position: 1.5 }, 400, 'position'],
      ['POST', `/${section.id}/publish`, { goLiveAt: 'tomorrow' }, 400, 'goLiveAt'],
      ['POST', `/${section.id}/publish`, { revisionId: '1; DROP TABLE pages' }, 400, 'revisionId'],
      [
        'POST',
        `/${section.id}/unpublish`,
        { includeDescendants: 'all' },
        400,
        'includeDescendants',
      ],
      ['POST', `/${NO_SUCH_ID}/move`, { parentId: home.id }, 404, undefined],
    ];
    for (const [method, path, body, status, field] of cases) {
      const problem = await expectProblem(await send(method, path, body), status);
      if (field) {
        expect({ method, path, body, errors: problem.errors?.map((error) => error.path) }).toEqual({
          method,
          path,
          body,
          errors: expect.arrayContaining([field]),
        });
      }
    }
    for (const path of [
      '/not-a-uuid',
      `/${NO_SUCH_ID}`,
      `/${section.id}/revisions/abc`,
      `/${section.id}/revisions/compare?a=1`,
      `?parent=${NO_SUCH_ID}`,
      '?parent=nope',
      '?limit=100000',
      '?offset=-1',
      '/not-a-uuid/delete-preview',
      `/${NO_SUCH_ID}/delete-preview`,
      `/${section.id}/usage?limit=0`,
      `/${NO_SUCH_ID}/usage`,
      `/${section.id}/revisions?limit=abc`,
      `/${section.id}/revisions/compare?a=1&b=x`,
    ]) {
      const response = await fetch(url(path), { headers: asAdmin });
      expect({ path, clientError: response.status >= 400 && response.status < 500 }).toEqual({
        path,
        clientError: true,
      });
    }
    for (const [method, path] of [
      ['POST', '/not-a-uuid/lock'],
      ['POST', `/${NO_SUCH_ID}/lock`],
      ['POST', '/not-a-uuid/unlock'],
      ['POST', `/${NO_SUCH_ID}/unlock`],
      ['DELETE', '/not-a-uuid/schedule'],
      ['DELETE', `/${NO_SUCH_ID}/schedule`],
      ['DELETE', '/not-a-uuid?confirm=1'],
      ['DELETE', `/${NO_SUCH_ID}?confirm=1`],
      ['DELETE', `/${section.id}?confirm=1&force=maybe`],
      ['DELETE', `/${section.id}?confirm=0`],
      ['POST', `/${section.id}/revisions/1;select/revert`],
      ['POST', `/${NO_SUCH_ID}/revisions/1/revert`],
    ]) {
      const response = await fetch(url(path), { method, headers: asAdmin });
      expect({ path, clientError: response.status >= 400 && response.status < 500 }).toEqual({
        path,
        clientError: true,
      });
    }
    expect(await pageCount()).toBe(count + 1);
    expect((await outline()).filter((path) => path !== '/home/target/')).toEqual(before);
  });

  it('creates a page in a locale; children take their parent’s locale unless told', async () => {
    const french = await create({ type: 'home', title: 'Accueil', slug: 'accueil', locale: 'fr' });
    expect(french.locale).toBe('fr');
    const child = await create({ parentId: french.id, type: 'section', title: 'Nouvelles' });
    expect(child.locale).toBe('fr');
    const brazilian = await create({
      parentId: french.id,
      type: 'section',
      title: 'Notícias',
      locale: 'pt-BR',
    });
    expect(brazilian.locale).toBe('pt-BR');
    expect(home.locale).toBe('en');
    const rows = await db.query<Array<{ locale: string }>>(
      'SELECT locale FROM pages WHERE id = ANY($1::uuid[]) ORDER BY path',
      [[french.id, child.id, brazilian.id]],
    );
    expect(rows.map((row) => row.locale)).toEqual(['fr', 'fr', 'pt-BR']);
  });
});
