import type { DynamicModule, Type } from '@nestjs/common';
import { AccountsModule } from '#src/accounts/accounts.module.js';
import { AuditModule } from '#src/audit/audit.module.js';
import { AuthModule } from '#src/auth/auth.module.js';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { DeliveryModule } from '#src/delivery/delivery.module.js';
import { FeedsModule } from '#src/feeds/feeds.module.js';
import { MailModule } from '#src/mail/mail.module.js';
import { PagesModule } from '#src/pages/pages.module.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';
import { ReferencesModule } from '#src/references/references.module.js';
import { SearchModule } from '#src/search/search.module.js';
import { SnippetsModule } from '#src/snippets/snippets.module.js';
import { WorkflowsModule } from '#src/workflows/workflows.module.js';

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
  ContentTypesModule,
  ReferencesModule,
  SearchModule,
  PublishingModule,
  SnippetsModule,
  PagesModule,
  DeliveryModule,
  FeedsModule,
  WorkflowsModule,
];
