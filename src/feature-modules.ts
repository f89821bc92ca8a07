import type { DynamicModule, Type } from '@nestjs/common';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { AuthModule } from '#src/auth/auth.module.js';
import { MailModule } from '#src/mail/mail.module.js';

/**
 * The feature modules both processes load: the server (with HTTP) and the worker (for the
 * job handlers they declare). A module with @HandlesJob providers must be listed here, or
 * the worker process would not know how to run its jobs.
 */
export const FEATURE_MODULES: Array<Type | DynamicModule> = [
  MailModule,
  AccountsModule,
  AuditModule,
  AuthModule,
];
