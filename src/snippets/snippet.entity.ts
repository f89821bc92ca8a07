import { Entity, Index } from 'typeorm';
import { PublishableColumns } from '#src/publishing/publishable-columns.js';

/**
 * A snippet: reusable content of a snippet type (authors, categories, menus), in a flat
 * collection per type, with the same drafts, revisions and publishing as pages.
 */
/** GIN index on `search_vector`, created by the migration. */
@Index('IDX_snippets_search', { synchronize: false })
/** The minute sweep looks for live versions whose expiry has come. */
@Index('IDX_snippets_expire_at', ['expireAt'], { where: '"expire_at" IS NOT NULL' })
@Entity('snippets')
@Index('IDX_snippets_type_title', ['contentTypeKey', 'title'])
export class Snippet extends PublishableColumns {}
