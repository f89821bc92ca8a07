import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { User } from '#src/accounts/user.entity.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { InvalidMailAddressError, InvalidMailSubjectError } from '#src/mail/mail.errors.js';
import type { MailTemplateContexts } from '#src/mail/mail-templates.js';
import { MailService } from '#src/mail/mail.service.js';
import {
  NotificationPreference,
  type WorkflowNotificationKind,
} from '#src/workflows/notifications/notification-preference.entity.js';

export {
  WORKFLOW_NOTIFICATION_KINDS,
  type WorkflowNotificationKind,
} from '#src/workflows/notifications/notification-preference.entity.js';

/** Something that happened to a page in a workflow, and who should hear of it. */
export interface WorkflowNotificationEvent {
  kind: WorkflowNotificationKind;
  /** Users; may repeat, may include the actor. */
  recipientIds: string[];
  /** Who caused it: never notified of their own action. */
  actorId: string | null;
  page: { id: string; title: string };
  workflowName: string;
  /** The task awaiting review / approved / sent back. */
  taskName: string | null;
  /** The reviewer's comment (changes_requested: always set). */
  comment: string | null;
  /** published: set when the approval scheduled the page instead (ISO 8601). */
  goLiveAt: string | null;
}

/** A user the event names, as loaded with their preference for the event's kind. */
export interface NotificationCandidate {
  id: string;
  email: string;
  name: string;
  isActive: boolean;
  /** Their choice for the kind; null when they never made one (the kind is on). */
  enabled: boolean | null;
}

/**
 * Who gets the message: the event's recipients in the order first named, without the actor,
 * users that do not exist (any more) or are inactive, repeats, and those who turned the kind
 * off.
 */
export function selectNotificationRecipients(
  event: Pick<WorkflowNotificationEvent, 'recipientIds' | 'actorId'>,
  candidates: readonly NotificationCandidate[],
): NotificationCandidate[] {
  const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  const selected = new Map<string, NotificationCandidate>();
  for (const id of event.recipientIds) {
    if (id === event.actorId || selected.has(id)) continue;
    const candidate = byId.get(id);
    if (!candidate || !candidate.isActive || candidate.enabled === false) continue;
    selected.set(id, candidate);
  }
  return [...selected.values()];
}

type WorkflowMailTemplate =
  | 'workflow-task-awaiting-review'
  | 'workflow-submission-approved'
  | 'workflow-changes-requested'
  | 'workflow-published';

/** One of the four workflow messages: its template with that template's context. */
export type WorkflowMail = {
  [Template in WorkflowMailTemplate]: {
    template: Template;
    context: MailTemplateContexts[Template];
  };
}[WorkflowMailTemplate];

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const LINE_BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g;

/**
 * Titles and names go into a subject and a `To:` header, where a line break is refused (it
 * could forge headers). Nothing stops a page title or a user's name from holding one, and a
 * refused message would fail the workflow action it is part of: so they are made one line.
 */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAKS_AND_CONTROLS, ' ').trim();
}

const GO_LIVE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** "1 May 2026 at 09:00 UTC": readers' time zones are not known. */
export function formatGoLiveAt(goLiveAt: string): string {
  const date = new Date(goLiveAt);
  return Number.isNaN(date.getTime()) ? goLiveAt : `${GO_LIVE_FORMAT.format(date)} UTC`;
}

/** The admin UI's page editor, where each message sends its reader. */
export function adminPageUrl(publicUrl: string, pageId: string): string {
  return `${publicUrl}/admin/pages/${encodeURIComponent(pageId)}/`;
}

/** What `event` tells the user named `recipientName`; `actorName` is who caused it. */
export function workflowMail(
  event: WorkflowNotificationEvent,
  recipientName: string,
  actorName: string | null,
  publicUrl: string,
): WorkflowMail {
  const shared = {
    name: singleLine(recipientName),
    pageTitle: singleLine(event.page.title),
    pageUrl: adminPageUrl(publicUrl, event.page.id),
    workflowName: singleLine(event.workflowName),
    taskName: event.taskName === null ? null : singleLine(event.taskName) || null,
  };
  const actor = actorName === null ? null : singleLine(actorName) || null;
  const comment = event.comment?.trim() ? event.comment : null;
  switch (event.kind) {
    case 'task_awaiting_review':
      return {
        template: 'workflow-task-awaiting-review',
        context: { ...shared, sentBy: actor, comment },
      };
    case 'submission_approved':
      return {
        template: 'workflow-submission-approved',
        context: { ...shared, approvedBy: actor, comment },
      };
    case 'changes_requested':
      return {
        template: 'workflow-changes-requested',
        // Always set by the reviewer; a placeholder keeps the message sensible if not.
        context: { ...shared, requestedBy: actor, comment: comment ?? '(no comment)' },
      };
    case 'published':
      return {
        template: 'workflow-published',
        context: {
          ...shared,
          approvedBy: actor,
          comment,
          goLiveAt: event.goLiveAt ? formatGoLiveAt(event.goLiveAt) : null,
        },
      };
  }
}

/**
 * The workflow's email: one message per recipient, queued in the transaction of the change
 * it is about (WorkflowsService calls `notify` inside it), so it is sent if and only if the
 * change commits.
 */
@Injectable()
export class WorkflowNotifications {
  private readonly logger = new Logger(WorkflowNotifications.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mail: MailService,
  ) {}

  /** Queues the event's messages in `manager`'s transaction; returns how many. */
  async notify(event: WorkflowNotificationEvent, manager: EntityManager): Promise<number> {
    const named = new Set(event.recipientIds);
    if (event.actorId !== null) named.delete(event.actorId);
    if (named.size === 0) return 0;
    const userIds = event.actorId === null ? [...named] : [...named, event.actorId];
    const candidates = await this.loadCandidates(userIds, event.kind, manager);
    const actor = candidates.find((candidate) => candidate.id === event.actorId);
    const actorName = actor ? actor.name || actor.email : null;

    let queued = 0;
    for (const recipient of selectNotificationRecipients(event, candidates)) {
      const mail = workflowMail(
        event,
        recipient.name || recipient.email,
        actorName,
        this.config.publicUrl,
      );
      try {
        await this.mail.send(
          { to: { name: singleLine(recipient.name), address: recipient.email }, ...mail },
          { manager },
        );
        queued += 1;
      } catch (error) {
        // Refused before anything is written, so the transaction is intact: one reader's
        // unusable address must not stop a page's review.
        if (!(
          error instanceof InvalidMailAddressError || error instanceof InvalidMailSubjectError
        )) {
          throw error;
        }
        this.logger.warn(
          `No "${event.kind}" message for user ${recipient.id} about page ${event.page.id}: ${error.message}`,
        );
      }
    }
    return queued;
  }

  /** The named users, with their choice for `kind`, in one query. */
  private async loadCandidates(
    userIds: string[],
    kind: WorkflowNotificationKind,
    manager: EntityManager,
  ): Promise<NotificationCandidate[]> {
    const rows = await manager
      .createQueryBuilder(User, 'user')
      .leftJoin(
        NotificationPreference,
        'preference',
        'preference.userId = user.id AND preference.kind = :kind',
        { kind },
      )
      .select('user.id', 'id')
      .addSelect('user.email', 'email')
      .addSelect('user.name', 'name')
      .addSelect('user.isActive', 'isActive')
      .addSelect('preference.enabled', 'enabled')
      .where('user.id IN (:...userIds)', { userIds })
      .getRawMany<NotificationCandidate>();
    return rows;
  }
}
