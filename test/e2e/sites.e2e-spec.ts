import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { PageTreeService } from '#src/pages/page-tree.service.js';
import { PagesService } from '#src/pages/pages.service.js';
import { SitesService } from '#src/pages/sites.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

const TYPES: ContentTypeDefinition[] = [
  { key: 'home', label: 'Home', kind: 'page', parentTypes: [], fields: [] },
  { key: 'section', label: 'Section', kind: 'page', parentTypes: ['home', 'section'], fields: [] },
];

interface SiteBody {
  id: string;
  hostname: string;
  name: string;
  rootPageId: string;
  isDefault: boolean;
  rootUrlPath: string;
}

describe('sites', () => {
  let app: TestApp;
  let db: DataSource;
  let admin: TestUser;
  let asAdmin: Record<string, string>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    admin = await createUser(app, { isSuperuser: true });
    const token = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(token);
    await applyContentTypes(app, token, TYPES);
    const tree = app.finch.app.get(PageTreeService);
    const make = async (name: string, parent: string | null, type = 'section') => {
      ids[name] = (
        await tree.create(
          { parentId: parent ? ids[parent] : null, type, title: name },
          { actorId: admin.id },
        )
      ).id;
    };
    await make('main', null, 'home');
    await make('blog', 'main');
    await make('hello', 'blog');
    await make('other', null, 'home');
    await make('third', null, 'home');
    await make('unused', null, 'home');
  });
  afterAll(async () => {
    await app?.close();
  });

  const url = (path = '') => `${app.baseUrl}/api/admin/sites${path}`;
  const send = (method: string, path: string, body: unknown, headers = asAdmin) =>
    sendJson(url(path), body, { method, headers });
  const defaults = async () =>
    (
      await db.query<Array<{ hostname: string }>>('SELECT hostname FROM sites WHERE is_default')
    ).map((row) => row.hostname);

  let main: SiteBody;
  let other: SiteBody;

  it('creates sites; the first is the default, and one default is kept as defaults change', async () => {
    const created = await send('POST', '', {
      hostname: 'WWW.Example.com',
      name: 'Main',
      rootPageId: ids.main,
    });
    expect(created.status).toBe(201);
    main = (await created.json()) as SiteBody;
    expect(main).toMatchObject({
      hostname: 'www.example.com',
      isDefault: true,
      rootPageId: ids.main,
      rootUrlPath: '/main/',
    });
    other = (await (
      await send('POST', '', {
        hostname: 'other.example.com',
        name: 'Other',
        rootPageId: ids.other,
      })
    ).json()) as SiteBody;
    expect(other.isDefault).toBe(false);
    const third = (await (
      await send('POST', '', {
        hostname: 'third.example.com',
        name: 'Third',
        rootPageId: ids.third,
        isDefault: true,
      })
    ).json()) as SiteBody;
    expect(third.isDefault).toBe(true);
    expect(await defaults()).toEqual(['third.example.com']);
    await expectProblem(await send('PATCH', `/${third.id}`, { isDefault: false }), 409);
    await expectProblem(
      await fetch(url(`/${third.id}`), { method: 'DELETE', headers: asAdmin }),
      409,
    );
    const patched = await send('PATCH', `/${main.id}`, { isDefault: true, name: 'Main site' });
    expect(await patched.json()).toMatchObject({ isDefault: true, name: 'Main site' });
    expect(await defaults()).toEqual(['www.example.com']);
    expect((await fetch(url(`/${third.id}`), { method: 'DELETE', headers: asAdmin })).status).toBe(
      204,
    );
    await expectProblem(await fetch(url(`/${third.id}`), { headers: asAdmin }), 404);

    const listed = (await (await fetch(url(), { headers: asAdmin })).json()) as {
      items: SiteBody[];
      meta: { total_count: number };
    };
    expect(listed.items.map((site) => site.hostname)).toEqual([
      'www.example.com',
      'other.example.com',
    ]);
    const actions = await db.query<Array<{ action: string }>>(
      `SELECT action FROM audit_log WHERE object_type = 'site' AND object_id = $1 ORDER BY id`,
      [third.id],
    );
    expect(actions.map((row) => row.action)).toEqual(['sites.created', 'sites.deleted']);
  });

  it('finds the site for a host and the path of a page on its site', async () => {
    const sites = app.finch.app.get(SitesService);
    expect((await sites.forHost('www.example.com'))?.id).toBe(main.id);
    expect((await sites.forHost('OTHER.example.com:8080'))?.id).toBe(other.id);
    expect((await sites.forHost('unknown.example.org'))?.id).toBe(main.id);
    expect((await sites.forHost(undefined))?.id).toBe(main.id);
    const pages = app.finch.app.get(PagesService);
    const hello = await pages.get(ids.hello);
    expect(await sites.htmlPathOf(hello)).toBe('/blog/hello/');
    expect(await pages.urlFor(hello)).toBe('/blog/hello/');
    expect(await sites.htmlPathOf(await pages.get(ids.main))).toBe('/');
    expect(await sites.htmlPathOf(await pages.get(ids.unused))).toBeNull();

    // A new slug on the site's root page is followed at once.
    const renamed = await sendJson(
      `${app.baseUrl}/api/admin/pages/${ids.main}`,
      { slug: 'start' },
      { method: 'PUT', headers: asAdmin },
    );
    expect(renamed.status).toBe(200);
    expect(await sites.htmlPathOf(await pages.get(ids.hello))).toBe('/blog/hello/');
    expect((await sites.get(main.id)).rootUrlPath).toBe('/start/');
  });

  it('refuses a clashing host name or root, a root page that is not a root, and bad input', async () => {
    const count = async () =>
      (await db.query<Array<{ count: number }>>('SELECT count(*)::int AS count FROM sites'))[0]
        .count;
    const before = await count();
    const cases: Array<[string, string, unknown, number, string]> = [
      [
        'POST',
        '',
        { hostname: 'www.example.com', name: 'x', rootPageId: ids.unused },
        409,
        'hostname',
      ],
      [
        'POST',
        '',
        { hostname: 'new.example.com', name: 'x', rootPageId: ids.main },
        409,
        'rootPageId',
      ],
      [
        'POST',
        '',
        { hostname: 'new.example.com', name: 'x', rootPageId: ids.blog },
        400,
        'rootPageId',
      ],
      [
        'POST',
        '',
        { hostname: 'new.example.com', name: 'x', rootPageId: NO_SUCH_ID },
        400,
        'rootPageId',
      ],
      [
        'POST',
        '',
        { hostname: 'new.example.com', name: 'x', rootPageId: 'nope' },
        400,
        'rootPageId',
      ],
      [
        'POST',
        '',
        { hostname: 'http://x.com', name: 'x', rootPageId: ids.unused },
        400,
        'hostname',
      ],
      ['POST', '', { hostname: 'x.com/a', name: 'x', rootPageId: ids.unused }, 400, 'hostname'],
      ['POST', '', { hostname: 'x.com:80', name: 'x', rootPageId: ids.unused }, 400, 'hostname'],
      [
        'POST',
        '',
        { hostname: 'a'.repeat(300), name: 'x', rootPageId: ids.unused },
        400,
        'hostname',
      ],
      ['POST', '', { hostname: 'ok.com', name: '', rootPageId: ids.unused }, 400, 'name'],
      [
        'POST',
        '',
        { hostname: 'ok.com', name: 'x'.repeat(151), rootPageId: ids.unused },
        400,
        'name',
      ],
      [
        'POST',
        '',
        { hostname: 'ok.com', name: 'x', rootPageId: ids.unused, isDefault: 'yes' },
        400,
        'isDefault',
      ],
      [
        'POST',
        '',
        { hostname: 'ok.com', name: 'x', rootPageId: ids.unused, id: NO_SUCH_ID },
        400,
        'id',
      ],
      ...[
        'ftp://example.com',
        'https://example.com/?q=1',
        'https://example.com/#top',
        'https://user:pw@example.com',
        'javascript:alert(1)',
        `https://example.com/${'a'.repeat(2000)}`,
        42,
      ].map((baseUrl): [string, string, unknown, number, string] => [
        'PATCH',
        `/${other.id}`,
        { baseUrl },
        400,
        'baseUrl',
      ]),
      ['PATCH', `/${other.id}`, { hostname: 'www.example.com' }, 409, 'hostname'],
      ['PATCH', '/nope', { name: 'x' }, 400, 'id'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const problem = await expectProblem(await send(method, path, body), status);
      expect({ body, paths: problem.errors?.map((error) => error.path) }).toEqual({
        body,
        paths: expect.arrayContaining([field]),
      });
    }
    await expectProblem(await send('PATCH', `/${NO_SUCH_ID}`, { name: 'x' }), 404);
    expect(await count()).toBe(before);
    expect((await app.finch.app.get(SitesService).get(other.id)).hostname).toBe(
      'other.example.com',
    );
  });

  it('keeps a base URL for absolute links (feeds): set, trailing slash dropped, null clears it', async () => {
    const set = await send('PATCH', `/${other.id}`, { baseUrl: 'https://www.other.example/en/' });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ baseUrl: 'https://www.other.example/en' });
    expect((await app.finch.app.get(SitesService).get(other.id)).baseUrl).toBe(
      'https://www.other.example/en',
    );
    const cleared = await send('PATCH', `/${other.id}`, { baseUrl: null });
    expect(await cleared.json()).toMatchObject({ baseUrl: null });
    const created = await send('POST', '', {
      hostname: 'base.example.com',
      name: 'With base',
      rootPageId: ids.unused,
      baseUrl: 'http://localhost:3001',
    });
    expect(created.status).toBe(201);
    const site = (await created.json()) as SiteBody & { baseUrl: string };
    expect(site.baseUrl).toBe('http://localhost:3001');
    const deleted = await fetch(url(`/${site.id}`), { method: 'DELETE', headers: asAdmin });
    expect(deleted.status).toBe(204);
  });

  it('refuses to delete a page a site is served from', async () => {
    const preview = (await (
      await fetch(`${app.baseUrl}/api/admin/pages/${ids.other}/delete-preview`, {
        headers: asAdmin,
      })
    ).json()) as { descendants: number };
    expect(preview.descendants).toBe(0);
    await expectProblem(
      await fetch(`${app.baseUrl}/api/admin/pages/${ids.other}?confirm=1`, {
        method: 'DELETE',
        headers: asAdmin,
      }),
      409,
    );
    expect(await app.finch.app.get(PagesService).find(ids.other)).not.toBeNull();
    // Nor move it under another page: a site is served from a root page.
    const moved = await expectProblem(
      await sendJson(
        `${app.baseUrl}/api/admin/pages/${ids.other}/move`,
        { parentId: ids.main },
        { headers: asAdmin },
      ),
      409,
    );
    expect(moved.errors?.[0]?.path).toBe('parentId');
  });

  it('lets only superusers and holders of manage_sites change sites; anyone signed in reads them', async () => {
    const groups = app.finch.app.get(GroupsService);
    const plain = await createUser(app);
    const asPlain = bearer((await signIn(app, plain.email, TEST_PASSWORD)).accessToken);
    await expectProblem(
      await send(
        'POST',
        '',
        { hostname: 'a.example.com', name: 'A', rootPageId: ids.unused },
        asPlain,
      ),
      403,
    );
    await expectProblem(await send('PATCH', `/${other.id}`, { name: 'Hijacked' }, asPlain), 403);
    await expectProblem(
      await fetch(url(`/${other.id}`), { method: 'DELETE', headers: asPlain }),
      403,
    );
    expect((await fetch(url(), { headers: asPlain })).status).toBe(200);
    await expectProblem(await fetch(url()), 401);
    await expectProblem(
      await send('POST', '', { hostname: 'a.example.com', name: 'A', rootPageId: ids.unused }, {}),
      401,
    );

    const managers = await groups.create(
      { name: 'Site managers', permissions: ['manage_sites'] },
      { actorId: admin.id },
    );
    const manager = await createUser(app);
    await groups.addMember(managers.id, manager.id, { actorId: admin.id });
    const asManager = bearer((await signIn(app, manager.email, TEST_PASSWORD)).accessToken);
    const created = await send(
      'POST',
      '',
      { hostname: 'a.example.com', name: 'A', rootPageId: ids.unused },
      asManager,
    );
    expect(created.status).toBe(201);
    expect((await app.finch.app.get(SitesService).get(other.id)).name).toBe('Other');
  });
});
