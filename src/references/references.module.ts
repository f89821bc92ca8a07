import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentReference } from '#src/references/content-reference.entity.js';

/** The reference index: where each page, snippet, image and document is used. */
@Module({
  imports: [TypeOrmModule.forFeature([ContentReference])],
  providers: [],
  exports: [],
})
export class ReferencesModule {}
