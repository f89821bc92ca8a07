import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { EmailTakenError } from '#src/accounts/accounts.errors.js';
import { UsersService } from '#src/accounts/users.service.js';
import { InvitationsService } from '#src/auth/invitations.service.js';
import {
  bearer,
  clearThrottle,
  createUser,
  refresh,
  signIn,
  TEST_PASSWORD,
  type TestUser,
} from '#test/helpers/auth.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { type ReceivedMail, SmtpTestServer } from '#test/helpers/smtp-test-server.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

const NEW_PASSWORD = 'a fresh and unguessable passphrase';
const PUBLIC_URL = 'https://cms.example.com';

function requestReset(app: TestApp, body: unknown): Promise<Response> {
  return sendJson(`${app.baseUrl}/api/auth/password-reset`, body);
}

function confirmReset(app: TestApp, body: unknown): Promise<Response> {
  return sendJson(`${app.baseUrl}/api/auth/password-reset/confirm`, body);
}

function acceptInvitation(app: TestApp, body: unknown): Promise<Response> {
  return sendJson(`${app.baseUrl}/api/auth/invitations/accept`, body);
}

function login(app: TestApp, email: string, password: string): Promise<Response> {
  return sendJson(`${app.baseUrl}/api/auth/login`, { email, password });
}

/** The token in a mail's link to `page` (the same link in the text and the HTML part). */
function linkToken(mail: ReceivedMail, page: string): string {
  const pattern = new RegExp(`${PUBLIC_URL}/admin/${page}#token=([A-Za-z0-9_-]{43})`);
  const inText = pattern.exec(mail.text ?? '')?.[1];
  expect(inText).toBeDefined();
  // Handlebars escapes "=" in HTML as &#x3D;, which the browser reads back as "=".
  const html = (mail.html ?? '').replace(/&#x3D;/g, '=');
  expect(pattern.exec(html)?.[1]).toBe(inText);
  return inText!;
}

describe('password reset and invitations, mailed over SMTP', () => {
  let smtp: SmtpTestServer;
  let app: TestApp;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    app = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Finch <cms@example.com>',
      PUBLIC_URL,
      RUN_WORKERS_IN_PROCESS: 'true',
    });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    await clearThrottle(app);
  });

  async function mailTo(address: string, count = 1): Promise<ReceivedMail> {
    await waitFor(`${count} message(s) to ${address}`, () =>
      smtp.deliveredTo(address).length >= count ? true : undefined,
    );
    return smtp.deliveredTo(address)[count - 1];
  }

  describe('password reset', () => {
    it('mails a single-use link that sets the password once, ends every session, and answers 202', async () => {
      const user = await createUser(app, { email: 'Reset.Me@example.com', name: 'Reset Me' });
      const before = await signIn(app, user.email, TEST_PASSWORD);

      const response = await requestReset(app, { email: ' reset.me@EXAMPLE.com ' });
      expect(response.status).toBe(202);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const mail = await mailTo('Reset.Me@example.com');
      expect(mail.header('subject')).toBe('Reset your Finch password');
      expect(mail.header('to')).toBe('Reset Me <Reset.Me@example.com>');
      expect(mail.text).toContain('Hello Reset Me,');
      expect(mail.text).toContain('within 60 minutes');
      const token = linkToken(mail, 'reset-password');

      // Only the hash is stored.
      const stored = await app.finch.app
        .get(DataSource)
        .query<Array<Record<string, unknown>>>('SELECT * FROM one_time_tokens WHERE user_id = $1', [
          user.id,
        ]);
      expect(stored).toHaveLength(1);
      expect(stored[0].purpose).toBe('password_reset');
      expect(JSON.stringify(stored)).not.toContain(token);

      expect((await confirmReset(app, { token, password: NEW_PASSWORD })).status).toBe(204);
      expect((await login(app, user.email, NEW_PASSWORD)).status).toBe(200);
      await expectProblem(await login(app, user.email, TEST_PASSWORD), 401);
      // Whoever was signed in before is signed out.
      await expectProblem(await refresh(app, before.cookie), 401);
      await expectProblem(
        await fetch(`${app.baseUrl}/api/auth/me`, { headers: bearer(before.accessToken) }),
        401,
      );

      const again = await expectProblem(
        await confirmReset(app, { token, password: 'yet another passphrase here' }),
        400,
      );
      expect(again.type).toBe('urn:finch:problem:invalid-link');
      expect((await login(app, user.email, NEW_PASSWORD)).status).toBe(200);

      const audited = await app.finch.app
        .get(DataSource)
        .query<Array<{ action: string; data: Record<string, unknown> }>>(
          `SELECT action, data FROM audit_log WHERE object_id = $1 AND action LIKE 'auth.password%' ORDER BY id`,
          [user.id],
        );
      expect(audited).toEqual([
        { action: 'auth.password_reset_requested', data: {} },
        {
          action: 'auth.password_changed',
          data: { via: 'password-reset', otherSessionsEnded: true },
        },
      ]);
    });

    it('answers an unknown or deactivated address exactly like a known one, and mails nothing', async () => {
      const known = await createUser(app);
      const disabled = await createUser(app);
      await app.finch.app.get(UsersService).setActive(disabled.id, false);
      const answers: Array<{ status: number; body: unknown }> = [];
      for (const email of [known.email, 'no-such-person@example.com', disabled.email]) {
        const response = await requestReset(app, { email });
        answers.push({ status: response.status, body: await response.json() });
      }
      expect(answers[0]).toEqual({
        status: 202,
        body: {
          detail:
            'If an active account uses this address, a link to choose a new password is on its way. It works once, within an hour.',
        },
      });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      await mailTo(known.email);
      expect(smtp.deliveredTo('no-such-person@example.com')).toEqual([]);
      expect(smtp.deliveredTo(disabled.email)).toEqual([]);
    });

    it('keeps the link usable when the new password is refused by the policy', async () => {
      const user = await createUser(app);
      await requestReset(app, { email: user.email });
      const token = linkToken(await mailTo(user.email), 'reset-password');
      const weak = await expectProblem(
        await confirmReset(app, { token, password: 'too short' }),
        400,
      );
      expect(weak.type).toBe('urn:finch:problem:weak-password');
      expect((await confirmReset(app, { token, password: NEW_PASSWORD })).status).toBe(204);
    });

    it('refuses an expired link, and a link superseded by a newer request', async () => {
      const user = await createUser(app);
      await requestReset(app, { email: user.email });
      const first = linkToken(await mailTo(user.email), 'reset-password');
      await requestReset(app, { email: user.email });
      const second = linkToken(await mailTo(user.email, 2), 'reset-password');
      expect(second).not.toBe(first);
      await expectProblem(await confirmReset(app, { token: first, password: NEW_PASSWORD }), 400);

      await app.finch.app
        .get(DataSource)
        .query(
          `UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
          [user.id],
        );
      await expectProblem(await confirmReset(app, { token: second, password: NEW_PASSWORD }), 400);
      expect((await login(app, user.email, TEST_PASSWORD)).status).toBe(200);
    });

    it('refuses a made-up token, an invitation token, and extra fields', async () => {
      await expectProblem(
        await confirmReset(app, { token: 'A'.repeat(43), password: NEW_PASSWORD }),
        400,
      );
      const invited = await app.finch.app
        .get(InvitationsService)
        .invite('wrong-purpose@example.com', 'Wrong Purpose', {
          id: (await createUser(app)).id,
          name: 'Admin',
          email: 'admin@example.com',
        });
      const invitationToken = linkToken(await mailTo(invited.email), 'accept-invitation');
      await expectProblem(
        await confirmReset(app, { token: invitationToken, password: NEW_PASSWORD }),
        400,
      );
      const extra = await expectProblem(
        await confirmReset(app, {
          token: 'A'.repeat(43),
          password: NEW_PASSWORD,
          userId: invited.id,
        }),
        400,
      );
      expect(extra.errors?.map((error) => error.path)).toContain('userId');
      const extraOnRequest = await expectProblem(
        await requestReset(app, { email: invited.email, isSuperuser: true }),
        400,
      );
      expect(extraOnRequest.errors?.map((error) => error.path)).toContain('isSuperuser');
    });

    it('lifts a sign-in block on the account: whoever reads its mail may sign in at once', async () => {
      const user = await createUser(app);
      for (let attempt = 0; attempt < 5; attempt++) {
        await login(app, user.email, 'an attacker guessing away');
      }
      await expectProblem(await login(app, user.email, TEST_PASSWORD), 429);
      await requestReset(app, { email: user.email });
      const token = linkToken(await mailTo(user.email), 'reset-password');
      expect((await confirmReset(app, { token, password: NEW_PASSWORD })).status).toBe(204);
      expect((await login(app, user.email, NEW_PASSWORD)).status).toBe(200);
    });
  });

  describe('invitations', () => {
    let admin: TestUser;

    beforeAll(async () => {
      admin = await createUser(app, { name: 'Ada Admin', isSuperuser: true });
    });

    it('creates an account nobody can sign in to yet, and mails a link that sets its password once', async () => {
      const invited = await app.finch.app
        .get(InvitationsService)
        .invite('New.Editor@example.com', 'New Editor', admin);
      expect(invited).toMatchObject({ email: 'New.Editor@example.com', isActive: true });
      await expectProblem(await login(app, invited.email, TEST_PASSWORD), 401);

      const mail = await mailTo('New.Editor@example.com');
      expect(mail.header('subject')).toBe('You are invited to Finch by Ada Admin');
      expect(mail.text).toContain('Ada Admin invited you to Finch at https://cms.example.com');
      expect(mail.text).toContain('within 7 days');
      const token = linkToken(mail, 'accept-invitation');

      expect((await acceptInvitation(app, { token, password: NEW_PASSWORD })).status).toBe(204);
      expect((await login(app, invited.email, NEW_PASSWORD)).status).toBe(200);
      const again = await expectProblem(
        await acceptInvitation(app, { token, password: 'another passphrase entirely' }),
        400,
      );
      expect(again.type).toBe('urn:finch:problem:invalid-link');

      const actions = await app.finch.app
        .get(DataSource)
        .query<Array<{ action: string; actor_id: string }>>(
          `SELECT action, actor_id FROM audit_log WHERE object_id = $1 ORDER BY id`,
          [invited.id],
        );
      expect(actions.map((row) => row.action)).toEqual([
        'auth.invitation_sent',
        'auth.invitation_accepted',
        'auth.login',
      ]);
      expect(actions[0].actor_id).toBe(admin.id);
    });

    it('refuses an address that has an account, and sends nothing', async () => {
      const existing = await createUser(app);
      await expect(
        app.finch.app.get(InvitationsService).invite(existing.email.toUpperCase(), 'Dup', admin),
      ).rejects.toBeInstanceOf(EmailTakenError);
      expect(smtp.deliveredTo(existing.email.toUpperCase())).toEqual([]);
    });

    it('keeps the link usable when the password is refused, and refuses a password reset token', async () => {
      const invited = await app.finch.app
        .get(InvitationsService)
        .invite('weak.choice@example.com', '', admin);
      const mail = await mailTo('weak.choice@example.com');
      expect(mail.text).toContain('Hello weak.choice@example.com,');
      const token = linkToken(mail, 'accept-invitation');
      await expectProblem(
        await acceptInvitation(app, { token, password: 'weak.choice@example.com' }),
        400,
      );
      await requestReset(app, { email: invited.email });
      const resetToken = linkToken(await mailTo(invited.email, 2), 'reset-password');
      await expectProblem(
        await acceptInvitation(app, { token: resetToken, password: NEW_PASSWORD }),
        400,
      );
      expect((await acceptInvitation(app, { token, password: NEW_PASSWORD })).status).toBe(204);
    });

    it('refuses an expired invitation, one whose user was deactivated, and extra fields', async () => {
      const invitations = app.finch.app.get(InvitationsService);
      const late = await invitations.invite('late@example.com', 'Late', admin);
      const lateToken = linkToken(await mailTo(late.email), 'accept-invitation');
      await app.finch.app
        .get(DataSource)
        .query(
          `UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
          [late.id],
        );
      await expectProblem(
        await acceptInvitation(app, { token: lateToken, password: NEW_PASSWORD }),
        400,
      );

      const revoked = await invitations.invite('revoked@example.com', 'Revoked', admin);
      const revokedToken = linkToken(await mailTo(revoked.email), 'accept-invitation');
      await app.finch.app.get(UsersService).setActive(revoked.id, false);
      await expectProblem(
        await acceptInvitation(app, { token: revokedToken, password: NEW_PASSWORD }),
        400,
      );

      const extra = await expectProblem(
        await acceptInvitation(app, {
          token: lateToken,
          password: NEW_PASSWORD,
          isSuperuser: true,
        }),
        400,
      );
      expect(extra.errors?.map((error) => error.path)).toContain('isSuperuser');
    });
  });
});
