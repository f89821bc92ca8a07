import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import { ApiTokensService } from '#src/auth/api-tokens.service.js';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { PageTreeService } from '#src/pages/page-tree.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { applyContentTypes } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

const TYPES: ContentTypeDefinition[] = [
  { key: 'home', label: 'Home', kind: 'page', parentTypes: [], fields: [] },
  {
    key: 'section',
    label: 'Section',
    kind: 'page',
    fields: [{ key: 'intro', type: 'long_text' }],
  },
];

interface PageBody {
  id: string;
  title: string;
  url_path: string;
  permissions: Record<'change' | 'publish' | 'delete' | 'lock' | 'unlock' | 'add', boolean>;
  draft: { title: string };
}

describe('page permissions per subtree', () => {
  let app: TestApp;
  let db: DataSource;
  let admin: TestUser;
  let asAdmin: Record<string, string>;
  let groups: GroupsService;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    groups = app.finch.app.get(GroupsService);
    admin = await createUser(app, { isSuperuser: true });
    const token = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(token);
    await applyContentTypes(app, token, TYPES);
    const tree = app.finch.app.get(PageTreeService);
    const actor = { actorId: admin.id };
    const make = async (name: string, parent: string | null, type = 'section') => {
      ids[name] = (
        await tree.create({ parentId: parent ? ids[parent] : null, type, title: name }, actor)
      ).id;
    };
    await make('home', null, 'home');
    await make('blog', 'home');
    await make('post', 'blog');
    await make('deep', 'post');
    await make('about', 'home');
  });
  afterAll(async () => {
    await app?.close();
  });

  const url = (path = '') => `${app.baseUrl}/api/admin/pages${path}`;

  async function userInGroup(
    groupName: string,
    codenames: string[] = [],
  ): Promise<{ user: TestUser; headers: Record<string, string>; groupId: string }> {
    const group = await groups.create(
      { name: groupName, permissions: codenames },
      { actorId: admin.id },
    );
    const user = await createUser(app);
    await groups.addMember(group.id, user.id, { actorId: admin.id });
    const headers = bearer((await signIn(app, user.email, TEST_PASSWORD)).accessToken);
    return { user, headers, groupId: group.id };
  }

  async function grant(groupId: string, grants: Array<{ pageId: string; permissions: string[] }>) {
    const response = await sendJson(
      `${app.baseUrl}/api/admin/groups/${groupId}/page-permissions`,
      { grants },
      { method: 'PUT', headers: asAdmin },
    );
    expect(response.status).toBe(200);
    return response.json();
  }

  const saveDraft = (id: string, headers: Record<string, string>, title: string) =>
    sendJson(url(`/${id}`), { title }, { method: 'PUT', headers });

  it('lets a group granted change on /home/blog/ edit below it and nowhere else', async () => {
    const editor = await userInGroup('Blog editors');
    await grant(editor.groupId, [{ pageId: ids.blog, permissions: ['change'] }]);
    for (const name of ['blog', 'post', 'deep']) {
      const response = await saveDraft(ids[name], editor.headers, `${name} by editor`);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
    }
    for (const name of ['home', 'about']) {
      await expectProblem(await saveDraft(ids[name], editor.headers, 'nope'), 403);
    }
    // Change is not add, publish or delete.
    await expectProblem(
      await sendJson(
        url(),
        { parentId: ids.blog, type: 'section', title: 'New' },
        { headers: editor.headers },
      ),
      403,
    );
    await expectProblem(
      await sendJson(url(`/${ids.post}/publish`), {}, { headers: editor.headers }),
      403,
    );
    await expectProblem(
      await fetch(url(`/${ids.deep}?confirm=1`), { method: 'DELETE', headers: editor.headers }),
      403,
    );
    const detail = (await (
      await fetch(url(`/${ids.post}`), { headers: editor.headers })
    ).json()) as PageBody;
    expect(detail.permissions).toEqual({
      add: false,
      change: true,
      publish: false,
      delete: false,
      lock: false,
      unlock: false,
    });
    const about = (await (
      await fetch(url(`/${ids.about}`), { headers: editor.headers })
    ).json()) as PageBody;
    expect(about.permissions.change).toBe(false);

    // Granting add lets them create below the blog, not at the root or under about.
    await grant(editor.groupId, [{ pageId: ids.blog, permissions: ['change', 'add'] }]);
    const created = await sendJson(
      url(),
      { parentId: ids.blog, type: 'section', title: 'By editor' },
      { headers: editor.headers },
    );
    expect(created.status).toBe(201);
    await expectProblem(
      await sendJson(url(), { type: 'home', title: 'Root' }, { headers: editor.headers }),
      403,
    );
    await expectProblem(
      await sendJson(
        url(),
        { parentId: ids.about, type: 'section', title: 'x' },
        { headers: editor.headers },
      ),
      403,
    );
    // Moving needs change on the page and add on the destination.
    const createdId = ((await created.json()) as PageBody).id;
    await expectProblem(
      await sendJson(
        url(`/${createdId}/move`),
        { parentId: ids.about },
        { headers: editor.headers },
      ),
      403,
    );
    const moved = await sendJson(
      url(`/${createdId}/move`),
      { parentId: ids.post },
      { headers: editor.headers },
    );
    expect(moved.status).toBe(200);
  });

  it('lets a group holding a page codename model-wide act on every page', async () => {
    const everywhere = await userInGroup('Site editors', ['change_page']);
    for (const name of ['home', 'about', 'deep']) {
      expect((await saveDraft(ids[name], everywhere.headers, 'site edit')).status).toBe(200);
    }
    await expectProblem(
      await sendJson(url(`/${ids.about}/publish`), {}, { headers: everywhere.headers }),
      403,
    );
  });

  it('refuses users without a grant (403), anonymous callers (401) and read-only API tokens (403)', async () => {
    const nobody = await userInGroup('Nobodies');
    await expectProblem(await saveDraft(ids.post, nobody.headers, 'x'), 403);
    await expectProblem(
      await sendJson(url(`/${ids.post}/lock`), {}, { headers: nobody.headers }),
      403,
    );
    await expectProblem(await saveDraft(ids.post, {}, 'x'), 401);
    await expectProblem(await fetch(url()), 401);
    await expectProblem(await fetch(url(`/${ids.post}`)), 401);
    const tokens = app.finch.app.get(ApiTokensService);
    const readOnly = await tokens.create(admin.id, { name: 'reader', scopes: ['read'] });
    await expectProblem(await saveDraft(ids.post, bearer(readOnly.token), 'x'), 403);
    const writer = await tokens.create(admin.id, { name: 'writer', scopes: ['read', 'write'] });
    expect((await saveDraft(ids.post, bearer(writer.token), 'by token')).status).toBe(200);
    const [row] = await db.query<Array<{ title: string }>>(
      `SELECT r.title FROM pages p JOIN revisions r ON r.id = p.latest_revision_id WHERE p.id = $1`,
      [ids.post],
    );
    expect(row.title).toBe('by token');
  });

  it('answers a check in one indexed query whatever the number of grants (500 here)', async () => {
    const tree = app.finch.app.get(PageTreeService);
    const sections: string[] = [];
    for (let index = 0; index < 10; index++) {
      sections.push(
        (
          await tree.create(
            { parentId: ids.home, type: 'section', title: `Granted ${index}` },
            { actorId: admin.id },
          )
        ).id,
      );
    }
    const target = (
      await tree.create(
        { parentId: sections[7], type: 'section', title: 'Target' },
        { actorId: admin.id },
      )
    ).id;
    const many = await createUser(app);
    const few = await createUser(app);
    const groupIds: string[] = [];
    for (let index = 0; index < 50; index++) {
      const group = await groups.create({ name: `Grant group ${index}` }, { actorId: admin.id });
      groupIds.push(group.id);
      await groups.addMember(group.id, many.id, { actorId: admin.id });
    }
    await db.query(
      `INSERT INTO page_permissions (group_id, page_id, permission)
       SELECT g, p, 'change' FROM unnest($1::uuid[]) AS g, unnest($2::uuid[]) AS p`,
      [groupIds, sections],
    );
    const fewGroup = await groups.create({ name: 'One grant' }, { actorId: admin.id });
    await groups.addMember(fewGroup.id, few.id, { actorId: admin.id });
    await grant(fewGroup.id, [{ pageId: sections[7], permissions: ['change'] }]);
    const [{ count }] = await db.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM page_permissions pp
         JOIN user_groups ug ON ug.group_id = pp.group_id WHERE ug.user_id = $1`,
      [many.id],
    );
    expect(count).toBe(500);

    const explain = (user: string, permission: string, objectId: string) =>
      fetchCountingQueries(
        `${app.baseUrl}/api/admin/permissions/explain?user=${user}&permission=${permission}&objectType=page&objectId=${objectId}`,
        { headers: asAdmin },
      );
    const grantQueries = (queries: string[]) =>
      queries.filter((query) => query.includes('page_permissions'));

    const allowedMany = await explain(many.id, 'change_page', target);
    const allowedFew = await explain(few.id, 'change_page', target);
    expect(allowedMany.status).toBe(200);
    expect(JSON.parse(allowedMany.body)).toMatchObject({
      allowed: true,
      reasons: expect.arrayContaining([
        expect.objectContaining({
          code: 'object_rule',
          message: expect.stringContaining('/granted-7/'),
        }),
      ]),
    });
    expect(JSON.parse(allowedFew.body)).toMatchObject({ allowed: true });
    expect(grantQueries(allowedMany.queries)).toHaveLength(1);
    expect(allowedMany.queries).toHaveLength(allowedFew.queries.length);
    // No OR chain per grant: the query is the same text for 1 grant and for 500.
    expect(grantQueries(allowedMany.queries)).toEqual(grantQueries(allowedFew.queries));

    const deniedMany = await explain(many.id, 'change_page', ids.about);
    expect(JSON.parse(deniedMany.body)).toMatchObject({
      allowed: false,
      reasons: [expect.objectContaining({ code: 'no_group_grants' })],
    });
    expect(grantQueries(deniedMany.queries)).toHaveLength(1);
    const wrongType = await explain(many.id, 'publish_page', target);
    expect(JSON.parse(wrongType.body)).toMatchObject({ allowed: false });

    // The query uses the indexes: no sequential scan of page_permissions.
    const [{ 'QUERY PLAN': plan }] = await db.query<Array<{ 'QUERY PLAN': unknown }>>(
      `EXPLAIN (FORMAT JSON) ${grantQueries(allowedMany.queries)[0]}`,
      [target, 'change', groupIds],
    );
    expect(JSON.stringify(plan)).toContain('Index');
  });

  it('keeps others out of a locked page (423) until its holder or an unlocker unlocks it', async () => {
    const lockers = await userInGroup('Lockers');
    await grant(lockers.groupId, [
      { pageId: ids.blog, permissions: ['change', 'lock', 'publish'] },
    ]);
    const other = await userInGroup('Other editors');
    await grant(other.groupId, [{ pageId: ids.blog, permissions: ['change', 'publish'] }]);

    const locked = await sendJson(url(`/${ids.post}/lock`), {}, { headers: lockers.headers });
    expect(locked.status).toBe(200);
    expect(await locked.json()).toMatchObject({ lock: { lockedBy: lockers.user.id } });
    await expectProblem(await saveDraft(ids.post, other.headers, 'blocked'), 423);
    await expectProblem(
      await sendJson(url(`/${ids.post}/publish`), {}, { headers: other.headers }),
      423,
    );
    await expectProblem(
      await fetch(url(`/${ids.post}/schedule`), { method: 'DELETE', headers: other.headers }),
      423,
    );
    await expectProblem(
      await sendJson(url(`/${ids.post}/unlock`), {}, { headers: other.headers }),
      403,
    );
    const otherView = (await (
      await fetch(url(`/${ids.post}`), { headers: other.headers })
    ).json()) as PageBody;
    expect(otherView.permissions).toMatchObject({ change: false, unlock: false });
    // The holder still edits.
    expect((await saveDraft(ids.post, lockers.headers, 'mine')).status).toBe(200);

    // An unlock grant overrides someone else's lock.
    await grant(other.groupId, [
      { pageId: ids.blog, permissions: ['change', 'publish', 'unlock'] },
    ]);
    const unlocked = await sendJson(url(`/${ids.post}/unlock`), {}, { headers: other.headers });
    expect(unlocked.status).toBe(200);
    expect((await saveDraft(ids.post, other.headers, 'free')).status).toBe(200);

    // The holder lifts their own lock with lock alone.
    await sendJson(url(`/${ids.post}/lock`), {}, { headers: lockers.headers });
    expect(
      (await sendJson(url(`/${ids.post}/unlock`), {}, { headers: lockers.headers })).status,
    ).toBe(200);
    const actions = await db.query<Array<{ action: string }>>(
      `SELECT action FROM audit_log WHERE object_id = $1 AND action LIKE 'pages.%lock%' ORDER BY id`,
      [ids.post],
    );
    expect(actions.map((row) => row.action)).toEqual([
      'pages.locked',
      'pages.unlocked',
      'pages.locked',
      'pages.unlocked',
    ]);
  });

  it('manages a group’s page grants through the API, audited, with bad input refused', async () => {
    const group = await groups.create({ name: 'Granted via API' }, { actorId: admin.id });
    const endpoint = `${app.baseUrl}/api/admin/groups/${group.id}/page-permissions`;
    const put = (body: unknown, headers = asAdmin) =>
      sendJson(endpoint, body, { method: 'PUT', headers });
    const set = await put({
      grants: [
        { pageId: ids.blog, permissions: ['publish', 'change'] },
        { pageId: ids.about, permissions: ['add'] },
      ],
    });
    expect(set.status).toBe(200);
    const listed = (await (await fetch(endpoint, { headers: asAdmin })).json()) as {
      items: Array<{ pageId: string; permissions: string[]; page: { urlPath: string } }>;
    };
    expect(listed.items).toEqual([
      {
        pageId: ids.blog,
        permissions: ['change', 'publish'],
        page: { title: expect.any(String), urlPath: '/home/blog/' },
      },
      {
        pageId: ids.about,
        permissions: ['add'],
        page: { title: expect.any(String), urlPath: '/home/about/' },
      },
    ]);
    await put({ grants: [{ pageId: ids.blog, permissions: ['change'] }] });
    const [entry] = await db.query<Array<{ data: { added: string[]; removed: string[] } }>>(
      `SELECT data FROM audit_log WHERE action = 'groups.page_permissions_changed' AND object_id = $1
        ORDER BY id DESC LIMIT 1`,
      [group.id],
    );
    expect(entry.data.removed.sort()).toEqual([`${ids.about}:add`, `${ids.blog}:publish`].sort());

    for (const [body, field] of [
      [{ grants: [{ pageId: ids.blog, permissions: ['own'] }] }, 'grants.0.permissions'],
      [{ grants: [{ pageId: 'x', permissions: ['add'] }] }, 'grants.0.pageId'],
      [{ grants: [{ pageId: NO_SUCH_ID, permissions: ['add'] }] }, 'grants[0].pageId'],
      [{ grants: 'all' }, 'grants'],
      [{ grants: [], extra: 1 }, 'extra'],
    ] as Array<[unknown, string]>) {
      const problem = await expectProblem(await put(body), 400);
      expect(problem.errors?.map((error) => error.path).join(' ')).toContain(field.split('.')[0]);
    }
    await expectProblem(
      await sendJson(
        `${app.baseUrl}/api/admin/groups/${NO_SUCH_ID}/page-permissions`,
        { grants: [] },
        { method: 'PUT', headers: asAdmin },
      ),
      404,
    );
    const outsider = await userInGroup('Not group managers');
    await expectProblem(await put({ grants: [] }, outsider.headers), 403);
    await expectProblem(await fetch(endpoint), 401);
    const after = (await (await fetch(endpoint, { headers: asAdmin })).json()) as {
      items: unknown[];
    };
    expect(after.items).toEqual([
      {
        pageId: ids.blog,
        permissions: ['change'],
        page: { title: expect.any(String), urlPath: '/home/blog/' },
      },
    ]);
  });
});
