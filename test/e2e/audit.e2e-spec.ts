import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import { AuditService } from '#src/audit/audit.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD, type TestUser } from '#test/helpers/auth.js';
import { expectProblem } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

interface AuditPage {
  meta: { total_count: number; limit: number; offset: number };
  items: Array<{
    id: string;
    actorId: string | null;
    action: string;
    objectType: string | null;
    objectId: string | null;
    data: Record<string, unknown>;
    ip: string;
    createdAt: string;
  }>;
}

describe('the audit log', () => {
  let app: TestApp;
  let audit: AuditService;
  let dataSource: DataSource;
  let superuser: TestUser;
  let auditor: TestUser;
  let tokens: Record<'superuser' | 'auditor' | 'plain' | 'editor' | 'moderator', string>;

  const entriesFor = (objectType: string) =>
    dataSource.query<Array<{ action: string; data: Record<string, unknown> }>>(
      'SELECT action, data FROM audit_log WHERE object_type = $1 ORDER BY id',
      [objectType],
    );
  const readLog = (query: string, token?: string) =>
    fetch(`${app.baseUrl}/api/admin/audit-log${query ? `?${query}` : ''}`, {
      headers: token ? bearer(token) : {},
    });

  beforeAll(async () => {
    app = await startTestApp();
    audit = app.finch.app.get(AuditService);
    dataSource = app.finch.app.get(DataSource);
    const groups = app.finch.app.get(GroupsService);
    const system = { actorId: null };
    superuser = await createUser(app, { isSuperuser: true });
    auditor = await createUser(app);
    const plain = await createUser(app);
    const editor = await createUser(app);
    const moderator = await createUser(app);
    const auditors = await groups.create(
      { name: 'Auditors', permissions: ['view_audit_log'] },
      system,
    );
    await groups.addMember(auditors.id, auditor.id, system);
    await groups.addMember((await groups.findByName('Editors'))!.id, editor.id, system);
    await groups.addMember((await groups.findByName('Moderators'))!.id, moderator.id, system);
    const sign = async (user: TestUser) =>
      (await signIn(app, user.email, TEST_PASSWORD)).accessToken;
    tokens = {
      superuser: await sign(superuser),
      auditor: await sign(auditor),
      plain: await sign(plain),
      editor: await sign(editor),
      moderator: await sign(moderator),
    };
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('AuditService.record', () => {
    it("writes in the caller's transaction: a rolled-back change leaves no entry", async () => {
      await dataSource
        .transaction(async (manager) => {
          await audit.record(
            { action: 'widgets.created', objectType: 'tx_widget', objectId: 'rolled-back' },
            manager,
          );
          throw new Error('the change failed');
        })
        .catch(() => undefined);
      await dataSource.transaction((manager) =>
        audit.record(
          { action: 'widgets.created', objectType: 'tx_widget', objectId: 'committed' },
          manager,
        ),
      );
      expect(
        (
          await dataSource.query<Array<{ object_id: string }>>(
            `SELECT object_id FROM audit_log WHERE object_type = 'tx_widget'`,
          )
        ).map((row) => row.object_id),
      ).toEqual(['committed']);
    });

    it('never stores secrets: properties named like one are redacted at any depth', async () => {
      await audit.record({
        actorId: superuser.id,
        action: 'users.password_changed',
        objectType: 'secret_probe',
        objectId: '1',
        data: {
          email: 'ada@example.com',
          password: 'hunter2hunter2',
          newPassword: 'correct horse',
          request: { headers: { authorization: 'Bearer abc', cookie: 'finch_refresh=xyz' } },
          tokens: [{ refresh_token: 'r1', tokenHash: 'h1', apiKey: 'k1' }],
          keyCount: 3,
        },
        ip: '192.0.2.1',
      });
      const [entry] = await entriesFor('secret_probe');
      expect(entry.data).toEqual({
        email: 'ada@example.com',
        password: '[redacted]',
        newPassword: '[redacted]',
        request: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
        tokens: '[redacted]',
        keyCount: 3,
      });
      expect(JSON.stringify(entry)).not.toMatch(/hunter2|correct horse|Bearer abc|xyz|r1|h1|k1/);
    });

    it('replaces oversized data by a note and refuses a malformed action', async () => {
      await audit.record({
        action: 'widgets.imported',
        objectType: 'big_probe',
        data: { rows: 'x'.repeat(20_000) },
      });
      expect((await entriesFor('big_probe'))[0].data).toEqual({
        truncated: true,
        bytes: expect.any(Number),
      });
      await expect(audit.record({ action: 'Drop Table' })).rejects.toThrow(
        /must read <area>.<what_happened>/,
      );
      await expect(audit.record({ action: 'widgets.x', objectId: 'x'.repeat(65) })).rejects.toThrow(
        /longer than 64/,
      );
    });
  });

  describe('GET /api/admin/audit-log', () => {
    const filtered = 'objectType=http_probe';
    let seeded: Date;

    beforeAll(async () => {
      seeded = new Date();
      for (let index = 1; index <= 5; index++) {
        await audit.record({
          actorId: index % 2 === 0 ? superuser.id : auditor.id,
          action: index === 5 ? 'widgets.deleted' : 'widgets.changed',
          objectType: 'http_probe',
          objectId: `w${index}`,
          data: { index },
          ip: '198.51.100.1',
        });
      }
    });

    it('is for superusers and holders of view_audit_log; editors and moderators are refused', async () => {
      await expectProblem(await readLog(filtered), 401);
      await expectProblem(await readLog(filtered, tokens.plain), 403);
      await expectProblem(await readLog(filtered, tokens.editor), 403);
      await expectProblem(await readLog(filtered, tokens.moderator), 403);
      expect((await readLog(filtered, tokens.auditor)).status).toBe(200);
      expect((await readLog(filtered, tokens.superuser)).status).toBe(200);
    });

    it('lists entries newest first with the total count, page by page', async () => {
      const response = await readLog(`${filtered}&limit=2`, tokens.auditor);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const first = (await response.json()) as AuditPage;
      expect(first.meta).toEqual({ total_count: 5, limit: 2, offset: 0 });
      expect(first.items.map((item) => item.objectId)).toEqual(['w5', 'w4']);
      expect(first.items[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        actorId: auditor.id,
        action: 'widgets.deleted',
        objectType: 'http_probe',
        objectId: 'w5',
        data: { index: 5 },
        ip: '198.51.100.1',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const last = (await (
        await readLog(`${filtered}&limit=2&offset=4`, tokens.auditor)
      ).json()) as AuditPage;
      expect(last.items.map((item) => item.objectId)).toEqual(['w1']);
      const beyond = (await (
        await readLog(`${filtered}&offset=50`, tokens.auditor)
      ).json()) as AuditPage;
      expect(beyond).toEqual({ meta: { total_count: 5, limit: 20, offset: 50 }, items: [] });
    });

    it('filters by actor, action, object and time', async () => {
      const ids = async (query: string) =>
        (
          (await (await readLog(`${filtered}&${query}`, tokens.superuser)).json()) as AuditPage
        ).items.map((item) => item.objectId);
      expect(await ids(`actor=${superuser.id}`)).toEqual(['w4', 'w2']);
      expect(await ids('action=widgets.deleted')).toEqual(['w5']);
      expect(await ids('objectId=w3')).toEqual(['w3']);
      expect(await ids(`from=${encodeURIComponent(seeded.toISOString())}`)).toHaveLength(5);
      expect(await ids(`to=${encodeURIComponent(seeded.toISOString())}`)).toEqual([]);
      expect(await ids('from=2000-01-01&to=2000-01-02')).toEqual([]);

      // Sign-ins are in the log too, written by the auth module.
      const logins = (await (
        await readLog(`action=auth.login&actor=${auditor.id}`, tokens.superuser)
      ).json()) as AuditPage;
      expect(logins.meta.total_count).toBeGreaterThanOrEqual(1);
    });

    it.each([
      ['a limit over 100', 'limit=101', 'limit'],
      ['a limit of 0', 'limit=0', 'limit'],
      ['a limit that is not a number', 'limit=ten', 'limit'],
      ['a negative offset', 'offset=-1', 'offset'],
      ['a fractional offset', 'offset=1.5', 'offset'],
      ['an actor that is not a user id', 'actor=admin', 'actor'],
      ['a malformed action', 'action=DROP%20TABLE', 'action'],
      ['an objectType over 64 characters', `objectType=${'x'.repeat(65)}`, 'objectType'],
      ['a from that is not a date', 'from=yesterday', 'from'],
      ['a to before from', 'from=2026-02-01&to=2026-01-01', 'to'],
      ['an unknown parameter', 'sort=ip', 'sort'],
      ['a repeated parameter', 'action=a.b&action=c.d', 'action'],
    ])('refuses %s with a 400 naming it', async (_case, query, field) => {
      const problem = await expectProblem(await readLog(query, tokens.superuser), 400);
      expect(problem.errors?.map((error) => error.path)).toContain(field);
    });
  });
});
