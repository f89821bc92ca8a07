import type { DynamicModule, Type } from '@nestjs/common';
import { MailModule } from '#src/mail/mail.module.js';

/**
 * The feature modules both processes load: the server (with HTTP) and the worker (for the
 * job handlers they declare). A module with @HandlesJob providers must be listed here, or
 * the worker process would not know how to run its jobs.
 */
export const FEATURE_MODULES: Array<Type | DynamicModule> = [MailModule];
