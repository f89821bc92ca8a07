import { Entity, Index, Column } from 'typeorm';
import { PublishableColumns } from '#src/publishing/publishable-columns.js';

/**
 * A page: a node of the tree, kept as a materialized path (django-treebeard's MP_Node, as
 * in Wagtail). `path` is four base-36 characters per level (`0001`, `00010003`, …), so a
 * subtree is `path LIKE '<path>%'`, ancestors are the prefixes of `path`, and siblings sort
 * by path. A root page (depth 1) is the home page of a site.
 *
 * `url_path` joins the slugs from the root down (`/home/blog/hello/`); the path a reader
 * sees on the site is the part after the root's (`/blog/hello/`).
 */
/** GIN index on `search_vector`, created by the migration. */
@Index('IDX_pages_search', { synchronize: false })
/** `path` with the columns delivery listings count by (INCLUDE), created by the migration. */
@Index('IDX_pages_tree_count', { synchronize: false })
/** Live children of a parent (`left(path, -4)`) newest first: feeds of children (migration). */
@Index('IDX_pages_live_children_by_first_published', { synchronize: false })
/** The minute sweep looks for live versions whose expiry has come. */
@Index('IDX_pages_expire_at', ['expireAt'], { where: '"expire_at" IS NOT NULL' })
@Entity('pages')
@Index('IDX_pages_path', ['path'], { unique: true })
@Index('IDX_pages_url_path', ['urlPath'], { unique: true })
@Index('IDX_pages_content_type', ['contentTypeKey'])
@Index('IDX_pages_first_published', ['firstPublishedAt'])
export class Page extends PublishableColumns {
  @Column({ type: 'varchar', length: 255, collation: 'C' })
  path: string;

  @Column({ type: 'integer' })
  depth: number;

  /** How many children the page has. */
  @Column({ type: 'integer', default: 0 })
  numchild: number;

  @Column({ type: 'varchar', length: 255 })
  slug: string;

  @Column({ name: 'url_path', type: 'varchar', length: 1024, collation: 'C' })
  urlPath: string;
}
