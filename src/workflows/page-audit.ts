import type { EntityManager } from 'typeorm';
import type { AuditActor, AuditService } from '#src/audit/audit.service.js';

/** Records what happened to a page (moderation, comments) in the audit log, in `tx`. */
export function auditPageEvent(
  audit: AuditService,
  tx: EntityManager,
  actor: AuditActor,
  action: string,
  pageId: string,
  data: Record<string, unknown>,
): Promise<void> {
  return audit.record(
    { actorId: actor.actorId, ip: actor.ip, action, objectType: 'page', objectId: pageId, data },
    tx,
  );
}
