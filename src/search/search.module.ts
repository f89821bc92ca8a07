import { Module } from '@nestjs/common';
import { SearchIndexService } from '#src/search/search-index.service.js';

/** PostgreSQL full-text search over pages and snippets. */
@Module({
  providers: [SearchIndexService],
  exports: [SearchIndexService],
})
export class SearchModule {}
