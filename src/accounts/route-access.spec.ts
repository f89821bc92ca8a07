import { describe, expect, it } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import { FirstRunController } from '#src/accounts/first-run.controller.js';
import { PermissionsController } from '#src/accounts/permissions.controller.js';
import { AuditLogController } from '#src/audit/audit-log.controller.js';
import { accessRuleOf } from '#src/auth/access-rules.js';

const reflector = new Reflector();

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function ruleOf(controller: { prototype: object } & Function, method: string) {
  const handler = (controller.prototype as Record<string, unknown>)[method];
  if (typeof handler !== 'function') throw new Error(`${controller.name}.${method} is missing`);
  return accessRuleOf(reflector, handler, controller);
}

/** Every route of accounts and audit states who may call it (STYLE.md). */
describe('who may call the accounts and audit routes', () => {
  it.each([
    ['GET /api/setup', FirstRunController, 'status', { kind: 'public' }],
    ['POST /api/setup/first-user', FirstRunController, 'createFirstUser', { kind: 'public' }],
    [
      'GET /api/admin/permissions',
      PermissionsController,
      'list',
      { kind: 'authenticated', apiTokens: true },
    ],
    [
      'GET /api/admin/permissions/explain',
      PermissionsController,
      'explain',
      { kind: 'permissions', codenames: ['manage_users'] },
    ],
    [
      'GET /api/admin/audit-log',
      AuditLogController,
      'list',
      { kind: 'permissions', codenames: ['view_audit_log'] },
    ],
  ])('%s', (_route, controller, method, rule) => {
    expect(ruleOf(controller, method)).toEqual(rule);
  });
});
