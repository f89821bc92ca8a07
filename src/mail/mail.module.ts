import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { SendMailJobHandler } from '#src/mail/jobs/send-mail.job.js';
import { MailMessage } from '#src/mail/mail-message.entity.js';
import { MAIL_TEMPLATES_DIR, MailTemplates } from '#src/mail/mail-templates.js';
import { createMailTransport, MailTransport } from '#src/mail/mail-transport.js';
import { MailService } from '#src/mail/mail.service.js';

/**
 * Mail: templates, the transport (SMTP, or the log without SMTP_URL), the record of every
 * message, and the `send-mail` job. Other features use MailService only.
 */
@Module({
  imports: [TypeOrmModule.forFeature([MailMessage])],
  providers: [
    {
      provide: MailTemplates,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        MailTemplates.load(MAIL_TEMPLATES_DIR, { publicUrl: config.publicUrl }),
    },
    {
      provide: MailTransport,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createMailTransport(config.mail.smtpUrl),
    },
    MailService,
    SendMailJobHandler,
  ],
  exports: [MailService],
})
export class MailModule implements OnApplicationShutdown {
  constructor(private readonly transport: MailTransport) {}

  /** After the workers have stopped (they stop before application shutdown). */
  onApplicationShutdown(): void {
    this.transport.close();
  }
}
