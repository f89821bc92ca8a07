import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MANAGE_USERS } from '#src/accounts/accounts.permissions.js';
import { GroupsService } from '#src/accounts/groups.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { SmtpTestServer } from '#test/helpers/smtp-test-server.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

const SYSTEM = { actorId: null };
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

interface UserView {
  id: string;
  email: string;
  name: string;
  isActive: boolean;
  isSuperuser: boolean;
  groups?: Array<{ id: string; name: string }>;
}

describe('the users management API', () => {
  let smtp: SmtpTestServer;
  let app: TestApp;
  let db: DataSource;
  let groups: GroupsService;
  let admin: TestUser;
  let asAdmin: Record<string, string>;
  let manager: TestUser;
  let asManager: Record<string, string>;
  let plain: TestUser;
  let asPlain: Record<string, string>;
  let editorsId: string;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    app = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Finch <cms@example.com>',
      PUBLIC_URL: 'https://cms.example.com',
      RUN_WORKERS_IN_PROCESS: 'true',
    });
    db = app.finch.app.get(DataSource);
    groups = app.finch.app.get(GroupsService);
    editorsId = (await groups.findByName('Editors'))!.id;
    const managers = await groups.create(
      { name: 'User managers', permissions: [MANAGE_USERS] },
      SYSTEM,
    );
    admin = await createUser(app, {
      isSuperuser: true,
      email: 'admin@example.com',
      name: 'Ada Admin',
    });
    manager = await createUser(app, { email: 'manager@example.com', name: 'Manny' });
    await groups.addMember(managers.id, manager.id, SYSTEM);
    plain = await createUser(app, { email: 'plain@example.com', name: 'Plain Jane' });
    asAdmin = bearer((await signIn(app, admin.email, TEST_PASSWORD)).accessToken);
    asManager = bearer((await signIn(app, manager.email, TEST_PASSWORD)).accessToken);
    asPlain = bearer((await signIn(app, plain.email, TEST_PASSWORD)).accessToken);
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  const url = (path: string) => `${app.baseUrl}/api/admin/users${path}`;
  const get = (path: string, headers = asAdmin) => fetch(url(path), { headers });
  const patch = (id: string, body: unknown, headers = asAdmin) =>
    sendJson(url(`/${id}`), body, { method: 'PATCH', headers });
  const row = async (id: string) =>
    (
      await db.query<Array<Record<string, unknown>>>(
        'SELECT name, email, is_active, is_superuser, token_version FROM users WHERE id = $1',
        [id],
      )
    )[0];

  describe('listing', () => {
    it('pages, counts, searches email and name, and never shows secrets', async () => {
      const response = await get('?limit=2&order=email');
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: UserView[]; meta: { total_count: number } };
      expect(body.items).toHaveLength(2);
      expect(body.meta.total_count).toBeGreaterThanOrEqual(3);
      expect(body.items[0].email).toBe('admin@example.com');
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/password|hash|tokenVersion|token_version/i);

      const byName = (await (await get('?search=jane')).json()) as { items: UserView[] };
      expect(byName.items.map((user) => user.email)).toEqual(['plain@example.com']);
    });

    it('treats % and _ in a search as the characters themselves', async () => {
      await createUser(app, { email: 'under_score@example.com', name: '100% real' });
      const percent = (await (await get('?search=%25')).json()) as { items: UserView[] };
      expect(percent.items.map((user) => user.name)).toEqual(['100% real']);
      const underscore = (await (await get('?search=_')).json()) as { items: UserView[] };
      expect(underscore.items.map((user) => user.email)).toEqual(['under_score@example.com']);
    });

    it('filters on active, superuser and group, and sorts descending', async () => {
      const superusers = (await (await get('?isSuperuser=true')).json()) as { items: UserView[] };
      expect(superusers.items.map((user) => user.email)).toEqual(['admin@example.com']);
      const managers = (await (
        await get(`?group=${(await groups.findByName('User managers'))!.id}`)
      ).json()) as { items: UserView[] };
      expect(managers.items.map((user) => user.email)).toEqual(['manager@example.com']);
      const inactive = (await (await get('?isActive=false')).json()) as { items: UserView[] };
      expect(inactive.items.every((user) => !user.isActive)).toBe(true);
      const descending = (await (await get('?order=-email')).json()) as { items: UserView[] };
      const emails = descending.items.map((user) => user.email);
      expect(emails).toEqual([...emails].sort().reverse());
    });

    it('refuses a limit over 100, unlisted order fields and unknown filters with 400', async () => {
      for (const query of [
        'limit=1000',
        'limit=0',
        'limit=abc',
        'offset=-1',
        'order=passwordHash',
        'order=-passwordHash',
        'order=tokenVersion',
        'passwordHash=x',
        'isActive=maybe',
        'group=not-a-uuid',
      ]) {
        await expectProblem(await get(`?${query}`), 400);
      }
    });
  });

  it('shows one user with their groups, 404 for an unknown id and 400 for a malformed one', async () => {
    await groups.addMember(editorsId, plain.id, SYSTEM);
    const response = await get(`/${plain.id}`);
    expect(response.status).toBe(200);
    const user = (await response.json()) as UserView;
    expect(user).toMatchObject({
      id: plain.id,
      email: plain.email,
      groups: [{ id: editorsId, name: 'Editors' }],
    });
    expect(JSON.stringify(user)).not.toMatch(/password|hash|tokenVersion/i);
    await expectProblem(await get(`/${NO_SUCH_ID}`), 404);
    await expectProblem(await get('/not-a-uuid'), 400);
    await expectProblem(await get("/1'%20OR%201=1"), 400);
    await groups.removeMember(editorsId, plain.id, SYSTEM);
  });

  describe('invitations', () => {
    it('creates the account in the given groups and mails the link over SMTP', async () => {
      const response = await sendJson(
        url('/invite'),
        { email: 'New.Person@example.com', name: 'New Person', groupIds: [editorsId] },
        { headers: asManager },
      );
      expect(response.status).toBe(201);
      const user = (await response.json()) as UserView;
      expect(user).toMatchObject({
        email: 'New.Person@example.com',
        isActive: true,
        isSuperuser: false,
      });
      expect(user.groups?.map((group) => group.name)).toEqual(['Editors']);

      await waitFor('the invitation to arrive', () =>
        smtp.deliveredTo('New.Person@example.com').length > 0 ? true : undefined,
      );
      const [mail] = smtp.deliveredTo('New.Person@example.com');
      expect(mail.text).toMatch(
        /https:\/\/cms\.example\.com\/admin\/accept-invitation#token=[\w-]{43}/,
      );
      const audit = await db.query<Array<{ action: string; actor_id: string }>>(
        `SELECT action, actor_id FROM audit_log WHERE data->>'userId' = $1 OR object_id = $1 ORDER BY id`,
        [user.id],
      );
      expect(audit).toEqual([
        expect.objectContaining({ action: 'auth.invitation_sent', actor_id: manager.id }),
        expect.objectContaining({ action: 'groups.member_added', actor_id: manager.id }),
      ]);
    });

    it('refuses a taken email (409), unknown groups (400, naming them) and extra fields', async () => {
      await expectProblem(
        await sendJson(
          url('/invite'),
          { email: 'PLAIN@example.com', name: 'Dup' },
          { headers: asAdmin },
        ),
        409,
      );
      const unknownGroup = await expectProblem(
        await sendJson(
          url('/invite'),
          { email: 'nobody-yet@example.com', name: 'X', groupIds: [NO_SUCH_ID] },
          { headers: asAdmin },
        ),
        400,
      );
      expect(unknownGroup.errors).toEqual([
        { path: 'groupIds[0]', message: expect.stringContaining(NO_SUCH_ID) },
      ]);
      for (const body of [
        { email: 'sneaky@example.com', name: 'S', isSuperuser: true },
        { email: 'sneaky@example.com', name: 'S', password: TEST_PASSWORD },
        { email: 'not an email', name: 'S' },
        { email: 'sneaky@example.com', name: 42 },
        { email: 'sneaky@example.com', name: 'S', groupIds: ['nope'] },
      ]) {
        await expectProblem(await sendJson(url('/invite'), body, { headers: asAdmin }), 400);
      }
      // A name goes into the invitation's To: header: a line break there is refused now,
      // naming the field, rather than failing the mail later.
      for (const name of ['Ada\nLovelace', 'Ada\r\nBcc: x@example.com', 'Tab\there', 'Nul\u0000']) {
        const problem = await expectProblem(
          await sendJson(
            url('/invite'),
            { email: 'sneaky@example.com', name },
            { headers: asAdmin },
          ),
          400,
        );
        expect(problem.errors).toEqual([
          {
            path: 'name',
            message: 'name must not contain line breaks or other control characters',
          },
        ]);
      }
      expect(
        await db.query('SELECT id FROM users WHERE email_normalized IN ($1, $2)', [
          'nobody-yet@example.com',
          'sneaky@example.com',
        ]),
      ).toEqual([]);
    });
  });

  describe('editing', () => {
    it('changes name, email and locale, and audits who did it from where', async () => {
      const user = await createUser(app, { name: 'Before' });
      const response = await patch(
        user.id,
        { name: 'After', email: `after-${user.id}@example.com`, preferredLocale: 'pt-BR' },
        asManager,
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ name: 'After', preferredLocale: 'pt-BR' });
      const [entry] = await db.query<
        Array<{ action: string; actor_id: string; ip: string; data: { changes: object } }>
      >(
        `SELECT action, actor_id, ip, data FROM audit_log WHERE object_id = $1 AND action = 'users.updated'`,
        [user.id],
      );
      expect(entry).toMatchObject({
        actor_id: manager.id,
        ip: '127.0.0.1',
        data: { changes: { name: { from: 'Before', to: 'After' } } },
      });
    });

    it("deactivating ends the user's sessions at once; reactivating lets them sign in again", async () => {
      const user = await createUser(app);
      const session = await signIn(app, user.email, TEST_PASSWORD);
      expect(
        (await fetch(`${app.baseUrl}/api/auth/me`, { headers: bearer(session.accessToken) }))
          .status,
      ).toBe(200);
      expect((await patch(user.id, { isActive: false }, asManager)).status).toBe(200);
      expect(
        (await fetch(`${app.baseUrl}/api/auth/me`, { headers: bearer(session.accessToken) }))
          .status,
      ).toBe(401);
      expect(
        (
          await db.query<unknown[]>(
            `SELECT 1 FROM audit_log WHERE object_id = $1 AND action = 'users.deactivated'`,
            [user.id],
          )
        ).length,
      ).toBe(1);
      expect((await patch(user.id, { isActive: true }, asManager)).status).toBe(200);
      await signIn(app, user.email, TEST_PASSWORD);
    });

    it('lets only a superuser make or unmake superusers or edit a superuser', async () => {
      const user = await createUser(app);
      await expectProblem(await patch(user.id, { isSuperuser: true }, asManager), 403);
      expect(await row(user.id)).toMatchObject({ is_superuser: false });
      await expectProblem(await patch(admin.id, { name: 'Hijacked' }, asManager), 403);
      await expectProblem(await patch(admin.id, { isActive: false }, asManager), 403);
      expect(await row(admin.id)).toMatchObject({ name: 'Ada Admin', is_active: true });
      await expectProblem(
        await sendJson(
          url(`/${admin.id}/groups`),
          { groupIds: [] },
          { method: 'PUT', headers: asManager },
        ),
        403,
      );

      const promoted = await patch(user.id, { isSuperuser: true });
      expect(promoted.status).toBe(200);
      expect(await row(user.id)).toMatchObject({ is_superuser: true });
      expect((await patch(user.id, { isSuperuser: false })).status).toBe(200);
    });

    it('keeps users from deactivating or demoting themselves', async () => {
      await expectProblem(await patch(admin.id, { isSuperuser: false }), 409);
      await expectProblem(await patch(admin.id, { isActive: false }), 409);
      await expectProblem(await patch(manager.id, { isActive: false }, asManager), 409);
      expect(await row(admin.id)).toMatchObject({ is_superuser: true, is_active: true });
      expect(await row(manager.id)).toMatchObject({ is_active: true });
    });

    it('refuses passwordHash, tokenVersion, wrong types, malformed JSON and oversized bodies', async () => {
      const user = await createUser(app, { name: 'Untouched' });
      const before = await row(user.id);
      for (const body of [
        { passwordHash: 'x' },
        { tokenVersion: 0 },
        { emailNormalized: 'x@example.com' },
        { name: 42 },
        { isActive: 'yes' },
        { email: 'nope' },
        { preferredLocale: '../../etc' },
        { name: 'Two\nlines' },
        [],
      ]) {
        await expectProblem(await patch(user.id, body), 400);
      }
      await expectProblem(await patch(user.id, '{"name": '), 400);
      await expectProblem(
        await patch(user.id, { name: 'x'.repeat(app.config.bodyLimit + 10) }),
        413,
      );
      await expectProblem(await patch('not-a-uuid', { name: 'x' }), 400);
      await expectProblem(await patch(NO_SUCH_ID, { name: 'x' }), 404);
      await expectProblem(await patch(user.email, { name: 'x' }), 400);
      expect(await row(user.id)).toEqual(before);
    });

    it('answers 409 when the new email belongs to someone else', async () => {
      const user = await createUser(app);
      await expectProblem(await patch(user.id, { email: 'MANAGER@example.com' }), 409);
    });
  });

  describe('memberships', () => {
    it("makes the given groups exactly the user's groups, audited by the groups service", async () => {
      const user = await createUser(app);
      const moderatorsId = (await groups.findByName('Moderators'))!.id;
      const put = (groupIds: string[]) =>
        sendJson(url(`/${user.id}/groups`), { groupIds }, { method: 'PUT', headers: asManager });
      let response = await put([editorsId, moderatorsId]);
      expect(response.status).toBe(200);
      expect(((await response.json()) as UserView).groups?.map((group) => group.name)).toEqual([
        'Editors',
        'Moderators',
      ]);
      response = await put([moderatorsId]);
      expect(((await response.json()) as UserView).groups?.map((group) => group.name)).toEqual([
        'Moderators',
      ]);
      const actions = await db.query<Array<{ action: string }>>(
        `SELECT action FROM audit_log WHERE data->>'userId' = $1 ORDER BY id`,
        [user.id],
      );
      expect(actions.map((entry) => entry.action)).toEqual([
        'groups.member_added',
        'groups.member_added',
        'groups.member_removed',
      ]);
      await expectProblem(await put(['not-a-uuid']), 400);
      await expectProblem(await put([NO_SUCH_ID]), 400);
      await expectProblem(
        await sendJson(
          url(`/${user.id}/groups`),
          { groupIds: editorsId },
          { method: 'PUT', headers: asManager },
        ),
        400,
      );
      expect((await groups.groupsOf(user.id)).map((group) => group.name)).toEqual(['Moderators']);
    });
  });

  it('gives a plain user no way to raise their own privileges', async () => {
    const managersId = (await groups.findByName('User managers'))!.id;
    await expectProblem(await patch(plain.id, { isSuperuser: true }, asPlain), 403);
    await expectProblem(
      await sendJson(
        url(`/${plain.id}/groups`),
        { groupIds: [managersId] },
        { method: 'PUT', headers: asPlain },
      ),
      403,
    );
    await expectProblem(
      await sendJson(
        `${app.baseUrl}/api/admin/groups/${managersId}/permissions`,
        { codenames: [] },
        { method: 'PUT', headers: asPlain },
      ),
      403,
    );
    expect(await row(plain.id)).toMatchObject({ is_superuser: false });
    expect(await groups.groupsOf(plain.id)).toEqual([]);
    // Nor can a user manager who is not a superuser make themselves one.
    await expectProblem(await patch(manager.id, { isSuperuser: true }, asManager), 403);
    expect(await row(manager.id)).toMatchObject({ is_superuser: false });
  });
});
