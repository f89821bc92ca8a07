import { Module } from '@nestjs/common';

/** PostgreSQL full-text search over pages and snippets. */
@Module({
  providers: [],
  exports: [],
})
export class SearchModule {}
