import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { JobsService } from '#src/jobs/jobs.service.js';
import { SEND_MAIL_JOB } from '#src/mail/jobs/send-mail.job.js';
import { type MailRecipientsInput, parseMailAddressFields } from '#src/mail/mail-addresses.js';
import { MailMessage } from '#src/mail/mail-message.entity.js';
import {
  type MailTemplateContexts,
  type MailTemplateName,
  MailTemplates,
} from '#src/mail/mail-templates.js';

export interface SendMailInput<Template extends MailTemplateName> {
  /** `'Ada Lovelace <ada@example.com>'`, `{ name, address }`, or a list of them (at most 50). */
  to: MailRecipientsInput;
  /** A folder of src/mail/templates. */
  template: Template;
  /** What the template shows. Stored as JSON until the message is sent. */
  context: MailTemplateContexts[Template];
  replyTo?: MailRecipientsInput;
}

export interface SendMailOptions {
  /**
   * The transaction of the change the message is about: the message exists, and is sent,
   * if and only if that transaction commits.
   */
  manager?: EntityManager;
}

/** How features send mail. See docs/jobs-and-mail.md. */
@Injectable()
export class MailService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly templates: MailTemplates,
    private readonly jobs: JobsService,
  ) {}

  /**
   * Validates the addresses and renders the message (so a bad address or a subject that
   * would forge headers is refused here, before anything is written), then records it in
   * `mail_messages` and queues the `send-mail` job — both in `options.manager`'s
   * transaction when given. The queue's worker sends it. Returns the message id.
   *
   * @throws InvalidMailAddressError (400) naming each wrong address, e.g. `to[1]`.
   * @throws InvalidMailSubjectError (400) when the context put a line break into the subject.
   */
  async send<Template extends MailTemplateName>(
    input: SendMailInput<Template>,
    options: SendMailOptions = {},
  ): Promise<string> {
    const { to, replyTo } = parseMailAddressFields({
      to: { input: input.to, required: true },
      replyTo: { input: input.replyTo, required: false },
    });
    // What the worker will see: the context as it comes back from JSON.
    const context = JSON.parse(JSON.stringify(input.context ?? {})) as object;
    const { subject } = this.templates.render(input.template, context);

    const write = async (manager: EntityManager): Promise<string> => {
      const inserted = await manager.insert(MailMessage, {
        recipients: to,
        replyTo,
        template: input.template,
        context,
        subject,
        status: 'queued',
        attempts: 0,
      });
      const id = (inserted.identifiers[0] as { id: string }).id;
      await this.jobs.enqueue(SEND_MAIL_JOB, { messageId: id }, { manager });
      return id;
    };
    return options.manager ? write(options.manager) : this.dataSource.transaction(write);
  }
}
