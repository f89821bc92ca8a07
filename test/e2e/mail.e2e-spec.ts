import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobQueues } from '#src/jobs/job-queues.js';
import { SEND_MAIL_JOB, SendMailJobHandler } from '#src/mail/jobs/send-mail.job.js';
import type { MailRecipientsInput } from '#src/mail/mail-addresses.js';
import { InvalidMailAddressError, InvalidMailSubjectError } from '#src/mail/mail.errors.js';
import { MailService } from '#src/mail/mail.service.js';
import { SmtpTestServer } from '#test/helpers/smtp-test-server.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

const backend = process.env.REDIS_URL ? 'redis' : 'postgres';
const SCRIPT = '<script>alert(1)</script>';

interface MailRow {
  id: string;
  context: object;
  recipients: Array<{ name: string; address: string }>;
  reply_to: Array<{ name: string; address: string }>;
  template: string;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: Date | null;
}

/** Reads what the operator would see, and the job behind a message. */
function inspect(app: TestApp) {
  const dataSource = app.finch.app.get(DataSource);
  const queue: Queue = app.finch.app.get(JobQueues).queue(SEND_MAIL_JOB.name);
  const row = async (id: string): Promise<MailRow | undefined> =>
    (await dataSource.query<MailRow[]>('SELECT * FROM mail_messages WHERE id = $1', [id]))[0];
  const count = async (table: 'mail_messages' | 'outbox'): Promise<number> =>
    Number(
      (await dataSource.query<Array<{ count: string }>>(`SELECT count(*) FROM ${table}`))[0].count,
    );
  /** Waits for the message to reach `status`, and returns its row. */
  const rowWhen = async (id: string, status: string): Promise<MailRow> =>
    (await waitFor(`message ${id} to be ${status}`, async () => {
      const current = await row(id);
      return current?.status === status ? current : undefined;
    }))!;
  const jobOf = async (messageId: string): Promise<Job> => {
    const jobId = await waitFor('the outbox row of the message', async () => {
      const rows = await dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM outbox WHERE payload->>'messageId' = $1`,
        [messageId],
      );
      return rows[0]?.id;
    });
    return (await waitFor('the job in the queue', () => queue.getJob(jobId)))!;
  };
  /**
   * Waits until the job failed an attempt and waits for its backoff, then runs it now: the
   * real backoff (30 s and up) would make the test slow. Returns the job as it was.
   */
  const retryNow = async (messageId: string, attemptsMade: number): Promise<Job> => {
    const job = await jobOf(messageId);
    const delayed = await waitFor(
      `attempt ${attemptsMade} to fail and wait for its backoff`,
      async () => {
        const current = await queue.getJob(job.id!);
        return current && current.attemptsMade === attemptsMade && (await current.isDelayed())
          ? current
          : undefined;
      },
    );
    await delayed!.promote();
    return delayed!;
  };
  return { dataSource, queue, row, rowWhen, count, jobOf, retryNow };
}

describe(`mail through the queue over SMTP (${backend} queue backend)`, () => {
  let smtp: SmtpTestServer;
  let app: TestApp;
  let mail: MailService;
  let db: ReturnType<typeof inspect>;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
    app = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Finch <cms@example.com>',
      PUBLIC_URL: 'https://cms.example.com',
      RUN_WORKERS_IN_PROCESS: 'true',
    });
    mail = app.finch.app.get(MailService);
    db = inspect(app);
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('delivers a queued message once, with its headers, both parts and the data escaped in HTML', async () => {
    const id = await mail.send({
      to: [
        'Ada Lovelace <ada@example.com>',
        { name: 'Grace Hopper', address: 'grace@example.com' },
      ],
      replyTo: 'Support <support@example.com>',
      template: 'test-email',
      context: { requestedBy: `Eve ${SCRIPT}`, requestedAt: '2026-01-02T03:04:05.000Z' },
    });

    const sent = await db.rowWhen(id, 'sent');
    const [received] = smtp.deliveredTo('ada@example.com');
    expect(smtp.deliveredTo('ada@example.com')).toHaveLength(1);
    expect(received.envelopeFrom).toBe('cms@example.com');
    expect(received.envelopeTo).toEqual(['ada@example.com', 'grace@example.com']);
    expect(received.header('from')).toBe('Finch <cms@example.com>');
    expect(received.header('to')).toBe(
      'Ada Lovelace <ada@example.com>, Grace Hopper <grace@example.com>',
    );
    expect(received.header('reply-to')).toBe('Support <support@example.com>');
    expect(received.header('subject')).toBe(`Test message from Finch, requested by Eve ${SCRIPT}`);
    expect(received.header('message-id')).toBe(`<${id}@example.com>`);
    expect(received.header('content-type')).toMatch(/^multipart\/alternative;/);

    expect(received.text).toContain(`requested by Eve ${SCRIPT} at 2026-01-02T03:04:05.000Z.`);
    expect(received.text).toContain('https://cms.example.com');
    expect(received.html).toContain('<!doctype html>');
    expect(received.html).toContain('<strong>Eve &lt;script&gt;alert(1)&lt;/script&gt;</strong>');
    expect(received.html).not.toContain('<script>');

    expect(sent).toMatchObject({
      recipients: [
        { name: 'Ada Lovelace', address: 'ada@example.com' },
        { name: 'Grace Hopper', address: 'grace@example.com' },
      ],
      reply_to: [{ name: 'Support', address: 'support@example.com' }],
      template: 'test-email',
      subject: `Test message from Finch, requested by Eve ${SCRIPT}`,
      attempts: 1,
      last_error: null,
      provider_message_id: expect.stringMatching(/^TEST\d+$/),
      // Emptied once sent: the data may hold a one-time link.
      context: {},
    });
    expect(sent.sent_at).toBeInstanceOf(Date);
  });

  it('writes the message and its job in the caller’s transaction: a rollback sends nothing and leaves no row', async () => {
    const before = { messages: await db.count('mail_messages'), outbox: await db.count('outbox') };
    let rolledBack: string | undefined;
    await expect(
      db.dataSource.transaction(async (manager) => {
        rolledBack = await mail.send(
          {
            to: 'rolled-back@example.com',
            template: 'test-email',
            context: { requestedBy: 'x', requestedAt: 'y' },
          },
          { manager },
        );
        expect(
          await manager.query('SELECT id FROM mail_messages WHERE id = $1', [rolledBack]),
        ).toHaveLength(1);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    // A committed message sent after it arrives; by then the rolled-back one would have too.
    const committed = await db.dataSource.transaction((manager) =>
      mail.send(
        {
          to: 'committed@example.com',
          template: 'test-email',
          context: { requestedBy: 'x', requestedAt: 'y' },
        },
        { manager },
      ),
    );
    await waitFor(
      'the committed message',
      () => smtp.deliveredTo('committed@example.com').length === 1,
    );
    await sleep(1_200); // longer than the relay's polling interval
    expect(smtp.deliveredTo('rolled-back@example.com')).toEqual([]);
    expect(smtp.recipientAttempts.get('rolled-back@example.com')).toBeUndefined();
    expect(await db.row(rolledBack!)).toBeUndefined();
    expect((await db.row(committed))?.status).toBe('sent');
    expect(await db.count('mail_messages')).toBe(before.messages + 1);
    expect(await db.count('outbox')).toBe(before.outbox + 1);
  });

  it('retries a temporary refusal (451 on RCPT TO, then on DATA) with backoff, then delivers exactly once', async () => {
    smtp.refuseRecipient = (address, attempt) =>
      address === 'greylisted@example.com' && attempt <= 2
        ? { code: 451, message: '4.7.1 Greylisted, please try again later' }
        : undefined;
    smtp.refuseMessage = (envelopeTo, attempt) =>
      envelopeTo.includes('greylisted@example.com') && attempt === 1
        ? { code: 451, message: '4.3.0 Temporary storage problem' }
        : undefined;
    const id = await mail.send({
      to: 'greylisted@example.com',
      template: 'test-email',
      context: { requestedBy: 'x', requestedAt: 'y' },
    });

    const afterFirst = await db.retryNow(id, 1);
    // Waiting for the job's own backoff, not retried at once.
    expect(afterFirst.opts.backoff).toEqual({ type: 'exponential', delay: 30_000 });
    expect(afterFirst.opts.attempts).toBe(6);
    expect(await db.row(id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: expect.stringContaining('451 4.7.1 Greylisted'),
    });
    await db.retryNow(id, 2);
    await db.retryNow(id, 3);
    expect((await db.row(id))?.last_error).toContain('451 4.3.0 Temporary storage problem');

    const sent = await db.rowWhen(id, 'sent');
    expect(sent).toMatchObject({ attempts: 4, last_error: null });
    expect(smtp.recipientAttempts.get('greylisted@example.com')).toBe(4);
    await sleep(500);
    expect(smtp.deliveredTo('greylisted@example.com')).toHaveLength(1);
    expect(await (await db.jobOf(id)).isCompleted()).toBe(true);
  });

  it('records a message as failed after the last attempt when the refusal stays temporary', async () => {
    smtp.refuseRecipient = (address) =>
      address === 'always-busy@example.com'
        ? { code: 452, message: '4.2.2 Mailbox full' }
        : undefined;
    const id = await mail.send({
      to: 'always-busy@example.com',
      template: 'test-email',
      context: { requestedBy: 'x', requestedAt: 'y' },
    });
    for (let attempt = 1; attempt < SEND_MAIL_JOB.attempts; attempt++) {
      await db.retryNow(id, attempt);
    }
    const failed = await db.rowWhen(id, 'failed');
    expect(failed).toMatchObject({
      attempts: SEND_MAIL_JOB.attempts,
      last_error: expect.stringContaining('452 4.2.2 Mailbox full'),
      sent_at: null,
    });
    const job = await db.jobOf(id);
    await waitFor('the job to be failed', () => job.isFailed());
    expect(smtp.recipientAttempts.get('always-busy@example.com')).toBe(SEND_MAIL_JOB.attempts);
  });

  it('fails a permanent refusal (550) after one attempt, recording the server’s reply, without retrying', async () => {
    smtp.refuseRecipient = (address) =>
      address === 'nobody@example.com'
        ? { code: 550, message: '5.1.1 No such user here' }
        : undefined;
    const id = await mail.send({
      to: 'nobody@example.com',
      template: 'test-email',
      context: { requestedBy: 'x', requestedAt: 'y' },
    });
    const failed = await db.rowWhen(id, 'failed');
    expect(failed).toMatchObject({
      attempts: 1,
      sent_at: null,
      provider_message_id: null,
      // Kept, so an operator can retry it.
      context: { requestedBy: 'x', requestedAt: 'y' },
    });
    expect(failed.last_error).toContain('550 5.1.1 No such user here');

    const job = await db.jobOf(id);
    await waitFor('the job to be failed', () => job.isFailed());
    const kept = (await db.queue.getJob(job.id!))!;
    expect(kept.attemptsMade).toBe(1);
    expect(kept.failedReason).toContain('550 5.1.1 No such user here');
    await sleep(1_000);
    expect(smtp.recipientAttempts.get('nobody@example.com')).toBe(1);
    expect((await db.row(id))?.attempts).toBe(1);
  });

  it('sends to the recipients the server accepts and records the ones it refused', async () => {
    smtp.refuseRecipient = (address) =>
      address === 'gone@example.com' ? { code: 550, message: '5.1.1 Gone' } : undefined;
    const id = await mail.send({
      to: ['kept@example.com', 'gone@example.com'],
      template: 'test-email',
      context: { requestedBy: 'x', requestedAt: 'y' },
    });
    const sent = await db.rowWhen(id, 'sent');
    expect(sent.last_error).toBe('Sent, but the server refused gone@example.com.');
    expect(smtp.deliveredTo('kept@example.com')).toHaveLength(1);
  });

  it('does not send a message again when its job runs again after it was sent', async () => {
    const id = await mail.send({
      to: 'once@example.com',
      template: 'test-email',
      context: { requestedBy: 'x', requestedAt: 'y' },
    });
    await db.rowWhen(id, 'sent');
    const job = await db.jobOf(id);
    await app.finch.app
      .get(SendMailJobHandler)
      .handle({ messageId: id }, { jobId: job.id!, attempt: 1, maxAttempts: 6 });
    expect(smtp.deliveredTo('once@example.com')).toHaveLength(1);
    expect((await db.row(id))?.attempts).toBe(1);
  });

  it('refuses invalid addresses and header injection before anything is written', async () => {
    smtp.refuseRecipient = undefined;
    const before = { messages: await db.count('mail_messages'), outbox: await db.count('outbox') };
    const context = { requestedBy: 'x', requestedAt: 'y' };
    const attempts: Array<[MailRecipientsInput, MailRecipientsInput | undefined, unknown[]]> = [
      ['bob@', undefined, [{ path: 'to[0]', message: '"bob@" is not a valid email address' }]],
      [[], undefined, [{ path: 'to', message: 'needs at least one address' }]],
      [
        'Eve <eve@example.com>\r\nBcc: mallory@example.com',
        undefined,
        [{ path: 'to[0]', message: 'must not contain line breaks' }],
      ],
      [
        [{ name: 'Eve\nBcc: mallory@example.com', address: 'eve@example.com' }],
        undefined,
        [{ path: 'to[0]', message: 'must not contain line breaks' }],
      ],
      [
        'ada@example.com, mallory@example.com',
        'support@example.com\r\nBcc: mallory@example.com',
        [
          { path: 'to[0]', message: expect.stringContaining('holds 2 addresses') },
          { path: 'replyTo[0]', message: 'must not contain line breaks' },
        ],
      ],
    ];
    for (const [to, replyTo, errors] of attempts) {
      const error = await mail.send({ to, replyTo, template: 'test-email', context }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(InvalidMailAddressError);
      expect((error as InvalidMailAddressError).errors).toEqual(errors);
    }

    const subjectError = await mail
      .send({
        to: 'ada@example.com',
        template: 'test-email',
        context: { requestedBy: 'Eve\r\nBcc: mallory@example.com', requestedAt: 'y' },
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(subjectError).toBeInstanceOf(InvalidMailSubjectError);
    expect((subjectError as InvalidMailSubjectError).status).toBe(400);

    expect(await db.count('mail_messages')).toBe(before.messages);
    expect(await db.count('outbox')).toBe(before.outbox);
    expect(smtp.recipientAttempts.has('mallory@example.com')).toBe(false);
  });
});

describe(`mail without SMTP_URL (${backend} queue backend)`, () => {
  let app: TestApp;
  const spyOnLogs = () => jest.spyOn(Logger.prototype, 'log');
  let log: ReturnType<typeof spyOnLogs>;

  beforeAll(async () => {
    log = spyOnLogs();
    app = await startTestApp({
      SMTP_URL: undefined,
      MAIL_FROM: 'Finch <cms@example.com>',
      RUN_WORKERS_IN_PROCESS: 'true',
    });
  });
  afterAll(async () => {
    await app?.close();
    log?.mockRestore();
  });

  it('writes the message to the log at info level and marks it sent', async () => {
    const db = inspect(app);
    const id = await app.finch.app.get(MailService).send({
      to: 'Ada Lovelace <ada@example.com>',
      template: 'test-email',
      context: { requestedBy: 'the test', requestedAt: '2026-01-02T03:04:05.000Z' },
    });
    const sent = await db.rowWhen(id, 'sent');
    expect(sent).toMatchObject({ attempts: 1, last_error: null });
    expect(sent.sent_at).toBeInstanceOf(Date);

    const logged = log.mock.calls
      .map(([message]) => String(message))
      .find((message) => message.includes(`Message-ID: <${id}@example.com>`));
    expect(logged).toBeDefined();
    expect(logged).toContain('Mail not sent (SMTP_URL is unset)');
    expect(logged).toContain('From: Finch <cms@example.com>');
    expect(logged).toContain('To: Ada Lovelace <ada@example.com>');
    expect(logged).toContain('Subject: Test message from Finch, requested by the test');
    expect(logged).toContain('requested by the test at 2026-01-02T03:04:05.000Z.');
  });
});
