import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentReference } from '#src/references/content-reference.entity.js';
import { ReferenceIndexService } from '#src/references/reference-index.service.js';

/** The reference index: where each page, snippet, image and document is used. */
@Module({
  imports: [TypeOrmModule.forFeature([ContentReference])],
  providers: [ReferenceIndexService],
  exports: [ReferenceIndexService],
})
export class ReferencesModule {}
