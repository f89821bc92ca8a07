import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type AuditActor, AuditService } from '#src/audit/audit.service.js';
import { type FieldError, RequestValidationError } from '#src/errors/domain-error.js';
import {
  NotificationPreference,
  WORKFLOW_NOTIFICATION_KINDS,
  type WorkflowNotificationKind,
} from '#src/workflows/notifications/notification-preference.entity.js';

/** Whether the user gets each kind of workflow email. */
export type NotificationPreferences = Record<WorkflowNotificationKind, boolean>;

function isKind(key: string): key is WorkflowNotificationKind {
  return (WORKFLOW_NOTIFICATION_KINDS as readonly string[]).includes(key);
}

/**
 * The kinds `input` sets, checked: an object whose properties are kinds and whose values are
 * booleans (an `undefined` property is not set). Throws RequestValidationError naming every
 * wrong property.
 */
export function parseNotificationPreferenceChanges(
  input: unknown,
): Partial<NotificationPreferences> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RequestValidationError([
      { path: '', message: 'expected an object of notification kinds and true or false' },
    ]);
  }
  const changes: Partial<NotificationPreferences> = {};
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!isKind(key)) {
      errors.push({
        path: key,
        message: `${key} is not a kind of notification (known: ${WORKFLOW_NOTIFICATION_KINDS.join(', ')})`,
      });
    } else if (typeof value !== 'boolean') {
      errors.push({ path: key, message: `${key} must be true or false` });
    } else {
      changes[key] = value;
    }
  }
  if (errors.length > 0) throw new RequestValidationError(errors);
  return changes;
}

/**
 * Which workflow emails each user wants. Every kind is on until the user turns it off; a
 * user changes only their own.
 */
@Injectable()
export class NotificationPreferencesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Every kind, on unless the user turned it off. */
  async get(userId: string, manager?: EntityManager): Promise<NotificationPreferences> {
    const rows = await (manager ?? this.dataSource.manager).find(NotificationPreference, {
      where: { userId },
    });
    const preferences = Object.fromEntries(
      WORKFLOW_NOTIFICATION_KINDS.map((kind) => [kind, true]),
    ) as NotificationPreferences;
    for (const row of rows) {
      if (isKind(row.kind)) preferences[row.kind] = row.enabled;
    }
    return preferences;
  }

  /**
   * Sets the kinds `changes` names and keeps the others; answers with every kind. Refuses
   * (RequestValidationError, nothing changed) a property that is not a kind or a value that
   * is not a boolean. Audited as `notifications.preferences_changed` unless it sets nothing.
   */
  async set(userId: string, changes: unknown, actor: AuditActor): Promise<NotificationPreferences> {
    const wanted = parseNotificationPreferenceChanges(changes);
    return this.dataSource.transaction(async (manager) => {
      const before = await this.get(userId, manager);
      const rows = Object.entries(wanted).map(([kind, enabled]) => ({ userId, kind, enabled }));
      if (rows.length > 0) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(NotificationPreference)
          .values(rows as NotificationPreference[])
          .orUpdate(['enabled'], ['user_id', 'kind'])
          .execute();
      }
      const after = { ...before, ...wanted };
      if (rows.length === 0) return after;
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'notifications.preferences_changed',
          objectType: 'user',
          objectId: userId,
          data: {
            set: wanted,
            changed: WORKFLOW_NOTIFICATION_KINDS.filter((kind) => before[kind] !== after[kind]),
          },
          ip: actor.ip ?? null,
        },
        manager,
      );
      return after;
    });
  }
}
