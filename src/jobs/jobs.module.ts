import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import { registerPermissions } from '#src/accounts/permission-registry.js';
import { JobQueues } from '#src/jobs/job-queues.js';
import { JobWorkers } from '#src/jobs/job-workers.js';
import { JobsAdminController } from '#src/jobs/jobs-admin.controller.js';
import { JobsAdminService } from '#src/jobs/jobs-admin.service.js';
import { JobsLifecycle, RUN_JOB_WORKERS } from '#src/jobs/jobs-lifecycle.js';
import { JOBS_PERMISSIONS } from '#src/jobs/jobs.permissions.js';
import { JobsService } from '#src/jobs/jobs.service.js';
import { OutboxEntry } from '#src/jobs/outbox-entry.entity.js';
import { OutboxRelay } from '#src/jobs/outbox-relay.js';
import { QueueConnection } from '#src/jobs/queue-connection.js';

/** Queues, the transactional outbox and its relay, and (where asked) the workers. */
@Global()
@Module({})
export class JobsModule {
  static forRoot(options: { runWorkers: boolean }): DynamicModule {
    return {
      module: JobsModule,
      imports: [DiscoveryModule, TypeOrmModule.forFeature([OutboxEntry]), PermissionRegistryModule],
      controllers: [JobsAdminController],
      providers: [
        { provide: RUN_JOB_WORKERS, useValue: options.runWorkers },
        QueueConnection,
        JobQueues,
        JobsService,
        OutboxRelay,
        JobWorkers,
        JobsLifecycle,
        JobsAdminService,
        registerPermissions('jobs', JOBS_PERMISSIONS),
      ],
      exports: [JobsService, QueueConnection, JobQueues, OutboxRelay],
    };
  }
}
