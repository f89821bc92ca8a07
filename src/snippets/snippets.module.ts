import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Snippet } from '#src/snippets/snippet.entity.js';

/** Snippets: flat collections of reusable content per snippet type. */
@Module({
  imports: [TypeOrmModule.forFeature([Snippet])],
  providers: [],
  exports: [],
})
export class SnippetsModule {}
