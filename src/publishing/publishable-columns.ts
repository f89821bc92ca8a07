import { Column, CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ContentValues } from '#src/content-types/content-type-definition.js';

/** The kinds of object that have revisions, drafts, publishing, locks and schedules. */
export type PublishableType = 'page' | 'snippet';

/**
 * The draft/live state shared by pages and snippets (Wagtail's DraftStateMixin,
 * RevisionMixin and LockableMixin), written once: both entities extend this class, so both
 * tables carry the same columns (TypeORM concrete table inheritance).
 *
 * The row holds the live version: `content` and `title` are what the delivery API serves.
 * The newest draft is the latest revision (`latest_revision_id`).
 */
export abstract class PublishableColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'content_type_key', type: 'varchar', length: 63 })
  contentTypeKey: string;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  /** The live field values (the draft's until the first publish). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  content: ContentValues;

  @Column({ type: 'varchar', length: 35, default: 'en' })
  locale: string;

  @Column({ type: 'boolean', default: false })
  live: boolean;

  @Column({ name: 'has_unpublished_changes', type: 'boolean', default: true })
  hasUnpublishedChanges: boolean;

  @Column({ name: 'first_published_at', type: 'timestamptz', nullable: true })
  firstPublishedAt: Date | null;

  @Column({ name: 'last_published_at', type: 'timestamptz', nullable: true })
  lastPublishedAt: Date | null;

  @Column({ name: 'live_revision_id', type: 'bigint', nullable: true })
  liveRevisionId: string | null;

  @Column({ name: 'latest_revision_id', type: 'bigint', nullable: true })
  latestRevisionId: string | null;

  /** When the scheduled revision goes live (set while one is scheduled). */
  @Column({ name: 'go_live_at', type: 'timestamptz', nullable: true })
  goLiveAt: Date | null;

  /** When the live version is taken offline. */
  @Column({ name: 'expire_at', type: 'timestamptz', nullable: true })
  expireAt: Date | null;

  /** Taken offline by `expire_at` (status `expired`). */
  @Column({ type: 'boolean', default: false })
  expired: boolean;

  @Column({ type: 'boolean', default: false })
  locked: boolean;

  @Column({ name: 'locked_by_id', type: 'uuid', nullable: true })
  lockedById: string | null;

  @Column({ name: 'locked_at', type: 'timestamptz', nullable: true })
  lockedAt: Date | null;

  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  /** Full-text index of the live version (title and the type's search fields). */
  @Column({ name: 'search_vector', type: 'tsvector', nullable: true, select: false })
  searchVector: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
