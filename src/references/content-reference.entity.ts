import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What content can point at. */
export type ReferenceTargetType = 'page' | 'snippet' | 'image' | 'document';

/**
 * The reference index: one row per link from a page's or snippet's content to another
 * object, for the live version (`live`) and for the latest draft. It answers "where is this
 * used", guards deletes, and lets loaders batch relations.
 */
@Entity('content_references')
@Index('IDX_content_references_target', ['targetType', 'targetId'])
@Index('IDX_content_references_source', ['sourceType', 'sourceId'])
export class ContentReference {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'source_type', type: 'varchar', length: 16 })
  sourceType: 'page' | 'snippet';

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId: string;

  @Column({ name: 'target_type', type: 'varchar', length: 16 })
  targetType: ReferenceTargetType;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId: string;

  /** Where in the content, e.g. `body[2].value.image` or `author`. */
  @Column({ name: 'field_path', type: 'varchar', length: 512 })
  fieldPath: string;

  /** From the live version (true) or the latest draft (false). */
  @Column({ type: 'boolean' })
  live: boolean;
}
