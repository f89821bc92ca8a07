import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentType } from '#src/content-types/content-type.entity.js';

/**
 * Content types as data: definitions, their validation, the validation of content against
 * them, rich text, and the management API. Other features use ContentTypesService.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ContentType])],
  providers: [],
  exports: [],
})
export class ContentTypesModule {}
