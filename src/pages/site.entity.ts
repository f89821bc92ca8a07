import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Page } from '#src/pages/page.entity.js';

/**
 * A site: a host name served from a root page. The delivery API picks the site by the
 * request's host (or `?site=`), falling back to the default site.
 */
@Entity('sites')
export class Site {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 255, unique: true })
  hostname: string;

  @Column({ type: 'varchar', length: 150 })
  name: string;

  @Column({ name: 'root_page_id', type: 'uuid', unique: true })
  rootPageId: string;

  @OneToOne(() => Page, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'root_page_id' })
  rootPage?: Relation<Page>;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  /** Where readers reach the site, for absolute links (feeds); see `siteBaseUrl`. */
  @Column({ name: 'base_url', type: 'varchar', length: 2000, nullable: true })
  baseUrl: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
