import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Page } from '#src/pages/page.entity.js';
import type { FeedItemFields, FeedOrder } from '#src/content-types/content-type-definition.js';

/** Which pages a feed lists, besides its type: those whose snippet link field names a snippet. */
export interface FeedLinkFilter {
  /** A snippet link field of every listed type. */
  field: string;
  snippetId: string;
}

/**
 * A feed made by hand through the management API, served at `/feeds/<slug>.<format>`.
 * (Feeds declared on a content type have no row: their settings are the type's.)
 */
@Entity('feeds')
export class Feed {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  slug: string;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'varchar', length: 1000, default: '' })
  description: string;

  /** The page whose children or descendants are listed; null once that page was deleted. */
  @Column({ name: 'source_page_id', type: 'uuid', nullable: true })
  sourcePageId: string | null;

  @ManyToOne(() => Page, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'source_page_id' })
  sourcePage?: Relation<Page>;

  @Column({ type: 'varchar', length: 16, default: 'descendants' })
  source: 'children' | 'descendants';

  /** Page types listed; any when empty. */
  @Column({ name: 'item_types', type: 'varchar', array: true, default: () => "'{}'" })
  itemTypes: string[];

  @Column({ name: 'link_filter', type: 'jsonb', nullable: true })
  linkFilter: FeedLinkFilter | null;

  @Column({ name: 'item_order', type: 'varchar', length: 32, default: '-first_published_at' })
  order: FeedOrder;

  @Column({ name: 'item_limit', type: 'integer', default: 20 })
  limit: number;

  /** Fields for the items' parts, over the item types' own `feed` settings. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  fields: FeedItemFields;

  /** The items' locale; the source page's when null. */
  @Column({ type: 'varchar', length: 35, nullable: true })
  locale: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
