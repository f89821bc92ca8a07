import { Logger } from '@nestjs/common';
import nodemailer from 'nodemailer';
import type { NodemailerError, SMTPSentMessageInfo, Transporter } from 'nodemailer';
import { maskSecret } from '#src/config/app-config.js';
import { formatMailAddress, type MailAddress } from '#src/mail/mail-addresses.js';

/** A message ready to go: every address validated, every part rendered. */
export interface OutgoingMail {
  /** The Message-ID header, `<…@…>`: the same on every attempt, so a duplicate is recognisable. */
  messageId: string;
  from: MailAddress;
  to: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  text: string;
  html: string;
}

export interface DeliveryReceipt {
  /** What the server called the message, to find it in its logs. */
  providerMessageId: string | null;
  /** Recipients the server refused while accepting the message for the others. */
  refused: string[];
}

/** How a failed attempt should be treated. */
export type DeliveryFailure = 'permanent' | 'temporary';

/** Hands messages to the outside world. One per process, created at start. */
export abstract class MailTransport {
  /** For logs and the command line, with any password masked. */
  abstract readonly description: string;
  abstract deliver(mail: OutgoingMail): Promise<DeliveryReceipt>;
  abstract close(): void;
}

/**
 * SMTP through nodemailer: `smtp://` (STARTTLS when the server offers it) or `smtps://`
 * (TLS from the first byte), credentials in the URL. One connection per message, like
 * Django's SMTP backend: nothing idle to go stale between messages.
 */
export class SmtpMailTransport extends MailTransport {
  readonly description: string;
  private readonly transporter: Transporter<SMTPSentMessageInfo>;

  constructor(smtpUrl: string) {
    super();
    this.description = `SMTP ${maskSecret('SMTP_URL', smtpUrl)}`;
    // Options in the URL (e.g. ?connectionTimeout=…) win over these defaults.
    this.transporter = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }

  async deliver(mail: OutgoingMail): Promise<DeliveryReceipt> {
    const info = await this.transporter.sendMail({
      messageId: mail.messageId,
      from: mail.from,
      to: mail.to,
      replyTo: mail.replyTo.length > 0 ? mail.replyTo : undefined,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
    return {
      providerMessageId: providerMessageId(info),
      refused: info.rejected.map(String),
    };
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * Without SMTP_URL: writes each message (headers and text part) to the log at info level
 * and calls it sent, like Django's console backend, so development needs no mail server.
 */
export class LogMailTransport extends MailTransport {
  readonly description = 'the log (SMTP_URL is unset)';
  private readonly logger = new Logger('Mail');

  deliver(mail: OutgoingMail): Promise<DeliveryReceipt> {
    const headers = [
      `Message-ID: ${mail.messageId}`,
      `From: ${formatMailAddress(mail.from)}`,
      `To: ${mail.to.map(formatMailAddress).join(', ')}`,
      ...(mail.replyTo.length > 0
        ? [`Reply-To: ${mail.replyTo.map(formatMailAddress).join(', ')}`]
        : []),
      `Subject: ${mail.subject}`,
    ];
    this.logger.log(
      `Mail not sent (SMTP_URL is unset); it would have been:\n${headers.join('\n')}\n\n${mail.text}\n(HTML part: ${mail.html.length} characters, not shown)`,
    );
    return Promise.resolve({ providerMessageId: mail.messageId, refused: [] });
  }

  close(): void {}
}

export function createMailTransport(smtpUrl: string | undefined): MailTransport {
  return smtpUrl ? new SmtpMailTransport(smtpUrl) : new LogMailTransport();
}

/**
 * 5xx replies (except 503, a session out of step) mean "this message will never be
 * accepted": retrying cannot help. So do messages nodemailer refuses before talking to
 * the server. Everything else — 4xx replies (greylisting, a full queue), connection
 * failures, timeouts — may pass on a later attempt.
 */
export function classifyDeliveryFailure(error: unknown): DeliveryFailure {
  const failure = error as NodemailerError;
  if (typeof failure?.responseCode === 'number') {
    return failure.permanent === true ||
      (failure.permanent === undefined &&
        failure.responseCode >= 500 &&
        failure.responseCode !== 503)
      ? 'permanent'
      : 'temporary';
  }
  if (failure?.code === 'EENVELOPE' || failure?.code === 'EMESSAGE') return 'permanent';
  return 'temporary';
}

/** The reply's queue id ("queued as …"), else the reply itself: either finds it in the server's logs. */
function providerMessageId(info: SMTPSentMessageInfo): string | null {
  if (info.serverMessageId) return info.serverMessageId;
  const response = String(info.response ?? '').trim();
  const queued = /queued as\s+<?([^\s<>]+)>?/i.exec(response);
  if (queued) return queued[1];
  const text = response.replace(/^\d{3}[\s-]+/, '').trim();
  return text ? text.slice(0, 255) : null;
}
