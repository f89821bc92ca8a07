import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '#src/accounts/user.entity.js';
import type { PublishableType } from '#src/publishing/publishable-columns.js';
import { Revision } from '#src/publishing/revision.entity.js';

/** A reviewer's or editor's note on a revision, optionally on one field; replies are one level deep. */
@Entity('page_comments')
@Index('IDX_page_comments_object', ['objectType', 'objectId', 'createdAt'])
export class PageComment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'object_type', type: 'varchar', length: 16 })
  objectType: PublishableType;

  @Column({ name: 'object_id', type: 'uuid' })
  objectId: string;

  @Column({ name: 'revision_id', type: 'bigint', nullable: true })
  revisionId: string | null;

  /** `title`, `content.body[2].value` …; null: the whole page. */
  @Column({ name: 'field_path', type: 'varchar', length: 255, nullable: true })
  fieldPath: string | null;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId: string | null;

  @Column({ name: 'author_id', type: 'uuid', nullable: true })
  authorId: string | null;

  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => PageComment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id' })
  parent?: Relation<PageComment>;

  @ManyToOne(() => Revision, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'revision_id' })
  revision?: Relation<Revision>;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'author_id' })
  author?: Relation<User>;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'resolved_by' })
  resolvedBy?: Relation<User>;
}
