import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { MailAddress } from '#src/mail/mail-addresses.js';

/**
 * queued: waiting for the worker (or for its next attempt after a temporary failure);
 * sending: an attempt is under way; sent: the SMTP server accepted it (or, without
 * SMTP_URL, it was written to the log); failed: refused for good, or out of attempts.
 */
export const MAIL_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * One message, written when it is queued and updated by every attempt to send it, so an
 * operator can see what was sent, what failed and why.
 */
@Entity('mail_messages')
@Check('CHK_mail_messages_status', `"status" IN ('queued', 'sending', 'sent', 'failed')`)
@Index('IDX_mail_messages_created_at', ['createdAt'])
@Index('IDX_mail_messages_unsent', ['status', 'createdAt'], { where: `"status" <> 'sent'` })
export class MailMessage {
  /** Also the message's Message-ID (`<id@sender-domain>`), the same on every attempt. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Validated when queued: `[{ name, address }]`, name '' when there is none. */
  @Column({ type: 'jsonb' })
  recipients: MailAddress[];

  @Column({ name: 'reply_to', type: 'jsonb' })
  replyTo: MailAddress[];

  /** The folder name in src/mail/templates. */
  @Column({ type: 'varchar', length: 63 })
  template: string;

  /**
   * The data the template is rendered with, as JSON, kept so every attempt renders the same
   * message; emptied once the message is sent (it may hold a one-time link).
   */
  @Column({ type: 'jsonb' })
  context: object;

  /** As rendered when queued, and again by the attempt that sent it. */
  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: MailStatus;

  /** How many times sending was tried. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** Why the last attempt failed (the SMTP server's reply when it gave one). */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** The id the SMTP server gave the message ("queued as …"), to find it in its logs. */
  @Column({ name: 'provider_message_id', type: 'varchar', length: 255, nullable: true })
  providerMessageId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
