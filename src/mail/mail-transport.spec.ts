import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  classifyDeliveryFailure,
  createMailTransport,
  LogMailTransport,
  SmtpMailTransport,
} from '#src/mail/mail-transport.js';

function smtpError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('failed'), fields);
}

describe('mail transport', () => {
  it.each([
    [
      '550 on RCPT (no such user)',
      'permanent',
      { code: 'EENVELOPE', responseCode: 550, permanent: true },
    ],
    [
      '554 on DATA (refused as spam)',
      'permanent',
      { code: 'EMESSAGE', responseCode: 554, permanent: true },
    ],
    ['535 (wrong credentials)', 'permanent', { code: 'EAUTH', responseCode: 535, permanent: true }],
    ['a 5xx without the permanent flag', 'permanent', { responseCode: 552 }],
    ['503 (session out of step)', 'temporary', { responseCode: 503, permanent: false }],
    ['451 (greylisting)', 'temporary', { code: 'EENVELOPE', responseCode: 451, permanent: false }],
    [
      '421 (service closing)',
      'temporary',
      { code: 'ECONNECTION', responseCode: 421, permanent: false },
    ],
    ['a refused connection', 'temporary', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }],
    ['a timeout', 'temporary', { code: 'ETIMEDOUT' }],
    ['a DNS failure', 'temporary', { code: 'EDNS' }],
    ['a message nodemailer refuses before sending', 'permanent', { code: 'EMESSAGE' }],
    ['an envelope nodemailer refuses before sending', 'permanent', { code: 'EENVELOPE' }],
    ['anything else', 'temporary', {}],
  ])('treats %s as %s', (_what, expected, fields) => {
    expect(classifyDeliveryFailure(smtpError(fields))).toBe(expected);
  });

  it('uses SMTP when SMTP_URL is set, describing it without the password', () => {
    const transport = createMailTransport('smtps://mailer:hunter2@smtp.example.com:465');
    expect(transport).toBeInstanceOf(SmtpMailTransport);
    expect(transport.description).toBe('SMTP "smtps://mailer:***@smtp.example.com:465"');
    transport.close();
    expect(createMailTransport(undefined)).toBeInstanceOf(LogMailTransport);
  });

  it('uses TLS from the first byte for smtps:// and STARTTLS for smtp://', () => {
    const optionsOf = (url: string) => {
      const transport = new SmtpMailTransport(url);
      // The nodemailer transport's resolved options: what it will actually connect with.
      const { options } = (
        transport['transporter'] as unknown as {
          transporter: { options: { secure?: boolean; port?: number; connectionTimeout?: number } };
        }
      ).transporter;
      transport.close();
      return options;
    };
    expect(optionsOf('smtps://mailer:pw@smtp.example.com')).toMatchObject({
      secure: true,
      connectionTimeout: 15_000,
    });
    expect(optionsOf('smtp://mailer:pw@smtp.example.com:587')).toMatchObject({
      secure: false,
      port: 587,
    });
  });

  it('without SMTP_URL writes the headers and the text part to the log at info level', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      const receipt = await new LogMailTransport().deliver({
        messageId: '<abc@example.com>',
        from: { name: 'Finch', address: 'cms@example.com' },
        to: [
          { name: 'Ada', address: 'ada@example.com' },
          { name: '', address: 'grace@example.com' },
        ],
        replyTo: [{ name: '', address: 'support@example.com' }],
        subject: 'Hello',
        text: 'Body text\nsecond line',
        html: '<p>Body</p>',
      });
      expect(receipt).toEqual({ providerMessageId: '<abc@example.com>', refused: [] });
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0][0]).toBe(
        [
          'Mail not sent (SMTP_URL is unset); it would have been:',
          'Message-ID: <abc@example.com>',
          'From: Finch <cms@example.com>',
          'To: Ada <ada@example.com>, grace@example.com',
          'Reply-To: support@example.com',
          'Subject: Hello',
          '',
          'Body text',
          'second line',
          '(HTML part: 11 characters, not shown)',
        ].join('\n'),
      );
    } finally {
      log.mockRestore();
    }
  });
});
