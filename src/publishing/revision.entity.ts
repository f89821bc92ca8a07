import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ContentValues } from '#src/content-types/content-type-definition.js';
import type { PublishableType } from '#src/publishing/publishable-columns.js';

/**
 * One saved version of a page or snippet: every save makes one. Ids grow with time, so
 * "newer" is "larger id". Revisions are never edited, only pruned (keeping live and latest).
 */
@Entity('revisions')
@Index('IDX_revisions_object', ['objectType', 'objectId', 'id'])
/** What the minute sweep looks for: the few revisions waiting to go live. */
@Index('IDX_revisions_scheduled', ['approvedGoLiveAt'], {
  where: '"approved_go_live_at" IS NOT NULL',
})
export class Revision {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'object_type', type: 'varchar', length: 16 })
  objectType: PublishableType;

  @Column({ name: 'object_id', type: 'uuid' })
  objectId: string;

  @Column({ name: 'content_type_key', type: 'varchar', length: 63 })
  contentTypeKey: string;

  /** The content type's version this revision was saved against. */
  @Column({ name: 'content_type_version', type: 'integer' })
  contentTypeVersion: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  /** Pages: the slug as saved in this revision. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  slug: string | null;

  @Column({ type: 'jsonb' })
  content: ContentValues;

  @Column({ name: 'author_id', type: 'uuid', nullable: true })
  authorId: string | null;

  /** Why it was saved, when said (a revert names the revision it came from). */
  @Column({ type: 'varchar', length: 255, default: '' })
  message: string;

  /** Set when this revision was published with a future `go_live_at`. */
  @Column({ name: 'approved_go_live_at', type: 'timestamptz', nullable: true })
  approvedGoLiveAt: Date | null;

  @Column({ name: 'approved_expire_at', type: 'timestamptz', nullable: true })
  approvedExpireAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
