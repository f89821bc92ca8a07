import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type {
  ContentKind,
  ContentTypeDefinition,
} from '#src/content-types/content-type-definition.js';

/**
 * A content type, stored as data: changing one needs no DDL, because field values live in
 * JSONB on the page or snippet and on each revision. `version` goes up by one on each change.
 */
@Entity('content_types')
export class ContentType {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 63, unique: true })
  key: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ContentKind;

  @Column({ type: 'varchar', length: 150 })
  label: string;

  @Column({ type: 'jsonb' })
  definition: ContentTypeDefinition;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
