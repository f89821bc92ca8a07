import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '#src/audit/audit-entry.entity.js';
import { redactSecrets } from '#src/audit/secret-redaction.js';

/** `<area>.<what_happened>`, e.g. `auth.login_failed`, `groups.permissions_changed`. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
const COLUMN_LENGTH = 64;
/** Larger `data` is replaced by a note saying so: the log is not a document store. */
export const AUDIT_DATA_MAX_BYTES = 8 * 1024;

export interface AuditRecord {
  /** Who did it; null for anonymous attempts (a failed sign-in) and for Finch itself. */
  actorId?: string | null;
  action: string;
  /** What it was done to, e.g. `user`, `group`, `page`. */
  objectType?: string | null;
  objectId?: string | null;
  /** Details worth keeping. Properties named like secrets are stored as "[redacted]". */
  data?: Record<string, unknown>;
  /** The client's address (request.ip, which honours TRUST_PROXY). */
  ip?: string | null;
}

/** Who is acting, as the services that write to the audit log receive it. */
export interface AuditActor {
  actorId: string | null;
  ip?: string | null;
}

export interface AuditLogFilter {
  actorId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  limit: number;
  offset: number;
}

export interface AuditEntryView {
  id: string;
  actorId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  data: Record<string, unknown>;
  ip: string;
  createdAt: string;
}

/** The log of who did what. Append-only: nothing here updates or deletes an entry. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends an entry. Given `manager`, it is written in that transaction, so the entry
   * exists if and only if the change it describes commits.
   */
  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    if (!AUDIT_ACTION_PATTERN.test(entry.action) || entry.action.length > COLUMN_LENGTH) {
      throw new Error(
        `Audit action "${entry.action}" must read <area>.<what_happened> in lower case, at most ${COLUMN_LENGTH} characters.`,
      );
    }
    for (const field of ['objectType', 'objectId'] as const) {
      const value = entry[field];
      if (value && value.length > COLUMN_LENGTH) {
        throw new Error(`Audit ${field} "${value}" is longer than ${COLUMN_LENGTH} characters.`);
      }
    }
    let data = redactSecrets(entry.data ?? {}) as Record<string, unknown>;
    const size = Buffer.byteLength(JSON.stringify(data));
    if (size > AUDIT_DATA_MAX_BYTES) data = { truncated: true, bytes: size };
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO audit_log (actor_id, action, object_type, object_id, data, ip)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      [
        entry.actorId ?? null,
        entry.action,
        entry.objectType ?? null,
        entry.objectId ?? null,
        JSON.stringify(data),
        (entry.ip ?? '').slice(0, COLUMN_LENGTH),
      ],
    );
  }

  /** Entries matching `filter`, newest first, and how many match in all. */
  async list(filter: AuditLogFilter): Promise<{ total: number; items: AuditEntryView[] }> {
    const query = this.dataSource.manager
      .createQueryBuilder(AuditEntry, 'entry')
      .orderBy('entry.createdAt', 'DESC')
      .addOrderBy('entry.id', 'DESC')
      .take(filter.limit)
      .skip(filter.offset);
    if (filter.actorId) query.andWhere('entry.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) query.andWhere('entry.action = :action', { action: filter.action });
    if (filter.objectType) {
      query.andWhere('entry.objectType = :objectType', { objectType: filter.objectType });
    }
    if (filter.objectId)
      query.andWhere('entry.objectId = :objectId', { objectId: filter.objectId });
    if (filter.from) query.andWhere('entry.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('entry.createdAt < :to', { to: filter.to });
    const [entries, total] = await query.getManyAndCount();
    return {
      total,
      items: entries.map((entry) => ({
        id: String(entry.id),
        actorId: entry.actorId,
        action: entry.action,
        objectType: entry.objectType,
        objectId: entry.objectId,
        data: entry.data,
        ip: entry.ip,
        createdAt: entry.createdAt.toISOString(),
      })),
    };
  }
}
