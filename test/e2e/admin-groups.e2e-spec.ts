import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

interface GroupView {
  id: string;
  name: string;
  permissions: string[];
  memberCount: number;
}

describe('the groups management API', () => {
  let app: TestApp;
  let db: DataSource;
  let admin: TestUser;
  let asAdmin: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    admin = await createUser(app, { isSuperuser: true });
    asAdmin = bearer((await signIn(app, admin.email, TEST_PASSWORD)).accessToken);
  });
  afterAll(async () => {
    await app?.close();
  });

  const url = (path = '') => `${app.baseUrl}/api/admin/groups${path}`;
  const send = (method: string, path: string, body: unknown) =>
    sendJson(url(path), body, { method, headers: asAdmin });
  const actionsOn = async (id: string) =>
    (
      await db.query<Array<{ action: string; actor_id: string; ip: string }>>(
        'SELECT action, actor_id, ip FROM audit_log WHERE object_id = $1 ORDER BY id',
        [id],
      )
    ).map(
      (entry) =>
        `${entry.action} by ${entry.actor_id === admin.id ? 'admin' : entry.actor_id} from ${entry.ip}`,
    );

  it('lists the default groups with their grants and member counts', async () => {
    const response = await fetch(url(), { headers: asAdmin });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: GroupView[]; meta: { total_count: number } };
    expect(body.items.map((group) => group.name)).toEqual(['Editors', 'Moderators']);
    expect(body.meta.total_count).toBe(2);
    expect(body.items[0]).toMatchObject({
      permissions: expect.arrayContaining(['add_page', 'change_page']),
      memberCount: 0,
    });
  });

  it('creates, shows, renames, grants and deletes a group, auditing each change', async () => {
    const created = await send('POST', '', { name: 'Reviewers', permissions: ['view_audit_log'] });
    expect(created.status).toBe(201);
    const group = (await created.json()) as GroupView;
    expect(group).toMatchObject({
      name: 'Reviewers',
      permissions: ['view_audit_log'],
      memberCount: 0,
    });

    const shown = await fetch(url(`/${group.id}`), { headers: asAdmin });
    expect(await shown.json()).toMatchObject({ id: group.id, name: 'Reviewers' });

    const renamed = await send('PATCH', `/${group.id}`, { name: 'Senior reviewers' });
    expect(await renamed.json()).toMatchObject({ name: 'Senior reviewers' });

    const granted = await send('PUT', `/${group.id}/permissions`, {
      codenames: ['manage_users', 'manage_groups'],
    });
    expect(granted.status).toBe(200);
    expect(((await granted.json()) as GroupView).permissions).toEqual([
      'manage_groups',
      'manage_users',
    ]);

    const deleted = await fetch(url(`/${group.id}`), { method: 'DELETE', headers: asAdmin });
    expect(deleted.status).toBe(204);
    await expectProblem(await fetch(url(`/${group.id}`), { headers: asAdmin }), 404);
    expect(await actionsOn(group.id)).toEqual([
      'groups.created by admin from 127.0.0.1',
      'groups.renamed by admin from 127.0.0.1',
      'groups.permissions_changed by admin from 127.0.0.1',
      'groups.deleted by admin from 127.0.0.1',
    ]);
  });

  it('refuses unknown codenames with 400 naming each one, and grants nothing', async () => {
    const group = (await (await send('POST', '', { name: 'Careful' })).json()) as GroupView;
    const problem = await expectProblem(
      await send('PUT', `/${group.id}/permissions`, {
        codenames: ['manage_users', 'be_god', 'passwordHash'],
      }),
      400,
    );
    expect(problem.errors?.map((error) => error.message)).toEqual([
      expect.stringContaining('"be_god"'),
      expect.stringContaining('"passwordHash"'),
    ]);
    expect((await app.finch.app.get(GroupsService).get(group.id)).permissions).toEqual([]);
    await expectProblem(await send('POST', '', { name: 'Bad', permissions: ['nope'] }), 400);
    expect(await app.finch.app.get(GroupsService).findByName('Bad')).toBeNull();
  });

  it('refuses a duplicate name (409, case-insensitive) and an empty one', async () => {
    await expectProblem(await send('POST', '', { name: 'editors' }), 409);
    await expectProblem(await send('POST', '', { name: '' }), 400);
    await expectProblem(await send('POST', '', { name: '   ' }), 400);
    const moderators = await app.finch.app.get(GroupsService).findByName('Moderators');
    await expectProblem(await send('PATCH', `/${moderators!.id}`, { name: 'Editors' }), 409);
  });

  it('answers bad input with 400 problem details, never 500', async () => {
    const editors = (await app.finch.app.get(GroupsService).findByName('Editors'))!;
    const editorsBefore = await app.finch.app.get(GroupsService).get(editors.id);
    for (const [method, path, body] of [
      ['POST', '', { name: 'X', id: NO_SUCH_ID }],
      ['POST', '', { name: 'X', memberCount: 9 }],
      ['POST', '', { name: 42 }],
      ['POST', '', { name: 'X', permissions: 'manage_users' }],
      ['POST', '', '{"name": "unterminated'],
      ['PATCH', `/${editors.id}`, { name: 'X', permissions: [] }],
      ['PATCH', '/not-a-uuid', { name: 'X' }],
      ['PUT', `/${editors.id}/permissions`, { codenames: [1, 2] }],
      ['PUT', `/${editors.id}/permissions`, {}],
      ['PUT', '/not-a-uuid/permissions', { codenames: [] }],
    ] as Array<[string, string, unknown]>) {
      await expectProblem(await send(method, path, body), 400);
    }
    await expectProblem(await fetch(url('/not-a-uuid'), { headers: asAdmin }), 400);
    await expectProblem(
      await fetch(url('/not-a-uuid'), { method: 'DELETE', headers: asAdmin }),
      400,
    );
    await expectProblem(
      await fetch(url(`/${NO_SUCH_ID}`), { method: 'DELETE', headers: asAdmin }),
      404,
    );
    await expectProblem(
      await send('POST', '', { name: 'x'.repeat(app.config.bodyLimit + 10) }),
      413,
    );
    expect(await app.finch.app.get(GroupsService).get(editors.id)).toEqual(editorsBefore);
  });

  it('takes away what a deleted group granted at once', async () => {
    const member = await createUser(app);
    const asMember = bearer((await signIn(app, member.email, TEST_PASSWORD)).accessToken);
    const group = (await (
      await send('POST', '', { name: 'Temporary managers', permissions: ['manage_groups'] })
    ).json()) as GroupView;
    await app.finch.app.get(GroupsService).addMember(group.id, member.id, { actorId: admin.id });
    expect((await fetch(url(), { headers: asMember })).status).toBe(200);
    expect((await fetch(url(`/${group.id}`), { method: 'DELETE', headers: asAdmin })).status).toBe(
      204,
    );
    await expectProblem(await fetch(url(), { headers: asMember }), 403);
  });
});
