import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { ContentTypesModule } from '#src/content-types/content-types.module.js';
import { JobsModule } from '#src/jobs/jobs.module.js';
import { PagesModule } from '#src/pages/pages.module.js';
import { PublishingModule } from '#src/publishing/publishing.module.js';
import { ReferencesModule } from '#src/references/references.module.js';
import { ExampleSeedService } from '#src/schema-files/example-seed.service.js';
import { SchemaFilesService } from '#src/schema-files/schema-files.service.js';
import { SnippetsModule } from '#src/snippets/snippets.module.js';

/**
 * Schema files (`finch schema export|diff|apply`) and the example seed (`finch seed
 * --example`). Command-line only: no routes and no jobs, so it is not a feature module
 * the server loads; the commands load it with SCHEMA_COMMAND_MODULES.
 */
@Module({
  imports: [ContentTypesModule, PublishingModule, PagesModule, SnippetsModule, ReferencesModule],
  providers: [SchemaFilesService, ExampleSeedService],
  exports: [SchemaFilesService, ExampleSeedService],
})
export class SchemaFilesModule {}

/**
 * What the schema and seed commands load besides accounts: the job system without workers
 * (publishing enqueues scheduled publications through the outbox, which the server's
 * relay hands on) and this module with the content features it uses. Publishing also
 * brings ContentChanges, so a running server hears of changed content types at once.
 */
export const SCHEMA_COMMAND_MODULES: Array<Type | DynamicModule> = [
  JobsModule.forRoot({ runWorkers: false }),
  SchemaFilesModule,
];
