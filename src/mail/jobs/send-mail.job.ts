import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { Not, type Repository } from 'typeorm';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import {
  defineJob,
  HandlesJob,
  type JobContext,
  type JobHandler,
  PermanentJobError,
} from '#src/jobs/job-definition.js';
import { type MailAddress, parseMailAddress } from '#src/mail/mail-addresses.js';
import { MailMessage } from '#src/mail/mail-message.entity.js';
import { MailTemplates, type RenderedMail } from '#src/mail/mail-templates.js';
import { classifyDeliveryFailure, MailTransport } from '#src/mail/mail-transport.js';

export interface SendMailPayload {
  /** The `mail_messages` row to send. */
  messageId: string;
}

/**
 * Six attempts, 30 s apart at first and doubling (30 s, 1, 2, 4, 8 min): about a quarter
 * of an hour, long enough for greylisting (a first "451, try again later" from a server
 * that has not seen the sender before) and short outages of the SMTP relay.
 */
export const SEND_MAIL_JOB = defineJob<SendMailPayload>({
  name: 'send-mail',
  attempts: 6,
  backoff: { type: 'exponential', delayMs: 30_000 },
  concurrency: 5,
});

const MAX_ERROR_LENGTH = 2_000;

/**
 * Sends one queued message. Idempotent: a message already sent is not sent again. A
 * refusal that cannot change (5xx) fails the message at once; anything else is retried
 * with backoff, and the last attempt's failure is recorded as final.
 */
@Injectable()
@HandlesJob(SEND_MAIL_JOB)
export class SendMailJobHandler implements JobHandler<SendMailPayload> {
  private readonly logger = new Logger('Mail');
  private readonly from: MailAddress;
  private readonly messageIdDomain: string;

  constructor(
    @InjectRepository(MailMessage) private readonly messages: Repository<MailMessage>,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const from = parseMailAddress(config.mail.from);
    if ('problem' in from) {
      throw new Error(`MAIL_FROM=${JSON.stringify(config.mail.from)} is wrong: ${from.problem}.`);
    }
    this.from = from;
    this.messageIdDomain = from.address.slice(from.address.lastIndexOf('@') + 1);
  }

  async handle(payload: SendMailPayload, context: JobContext): Promise<void> {
    const messageId = payload?.messageId;
    if (typeof messageId !== 'string' || !isUUID(messageId)) {
      throw new PermanentJobError(`send-mail needs a message id; got ${JSON.stringify(payload)}.`);
    }
    const message = await this.claim(messageId);
    if (!message) return;

    let rendered: RenderedMail;
    try {
      rendered = this.templates.render(message.template, message.context);
    } catch (error) {
      const reason = `Cannot render the "${message.template}" template: ${(error as Error).message}`;
      await this.record(message.id, { status: 'failed', lastError: reason });
      throw new PermanentJobError(reason, { cause: error });
    }

    try {
      const receipt = await this.transport.deliver({
        messageId: `<${message.id}@${this.messageIdDomain}>`,
        from: this.from,
        to: message.recipients,
        replyTo: message.replyTo,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
      await this.record(message.id, {
        status: 'sent',
        subject: rendered.subject,
        // The data may hold a one-time link or token: once sent, nothing needs it any more.
        context: {},
        sentAt: new Date(),
        providerMessageId: receipt.providerMessageId?.slice(0, 255) ?? null,
        lastError:
          receipt.refused.length > 0
            ? `Sent, but the server refused ${receipt.refused.join(', ')}.`
            : null,
      });
      this.logger.log(
        `Mail ${message.id} (${message.template}) sent to ${message.recipients.map((recipient) => recipient.address).join(', ')} through ${this.transport.description}.`,
      );
    } catch (error) {
      const reason = describeFailure(error);
      if (classifyDeliveryFailure(error) === 'permanent') {
        await this.record(message.id, { status: 'failed', lastError: reason });
        throw new PermanentJobError(reason, { cause: error });
      }
      const last = context.attempt >= context.maxAttempts;
      // Not the last attempt: back in the queue, waiting for the next one.
      await this.record(message.id, { status: last ? 'failed' : 'queued', lastError: reason });
      throw error;
    }
  }

  /**
   * Marks the message as being sent and counts the attempt, unless it was sent already
   * (a job run twice, e.g. after a worker lost its lock): then there is nothing to do.
   */
  private async claim(id: string): Promise<MailMessage | undefined> {
    const claimed = await this.messages
      .createQueryBuilder()
      .update(MailMessage)
      .set({ status: 'sending', attempts: () => 'attempts + 1' })
      .where({ id, status: Not('sent') })
      .execute();
    if (claimed.affected === 0) {
      const exists = await this.messages.existsBy({ id });
      if (!exists) {
        throw new PermanentJobError(
          `Mail message ${id} does not exist (deleted?): nothing to send.`,
        );
      }
      this.logger.debug(`Mail ${id} was sent already; not sending it again.`);
      return undefined;
    }
    return this.messages.findOneByOrFail({ id });
  }

  private async record(
    id: string,
    changes: Partial<
      Pick<
        MailMessage,
        'status' | 'subject' | 'context' | 'lastError' | 'providerMessageId' | 'sentAt'
      >
    >,
  ): Promise<void> {
    await this.messages.update(
      { id },
      {
        ...changes,
        ...(typeof changes.lastError === 'string'
          ? { lastError: changes.lastError.slice(0, MAX_ERROR_LENGTH) }
          : {}),
      },
    );
  }
}

/** The SMTP server's own words when there are any; they say what to fix. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { response, code } = error as Error & { response?: string; code?: string };
  const reply = response && !error.message.includes(response) ? ` (${response})` : '';
  return `${error.message}${reply}${code && !error.message.includes(code) ? ` [${code}]` : ''}`;
}
