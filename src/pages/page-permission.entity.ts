import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Group } from '#src/accounts/group.entity.js';
import { Page } from '#src/pages/page.entity.js';

/** What a group may do to a page and every page below it (Wagtail's GroupPagePermission). */
export const PAGE_PERMISSION_TYPES = [
  'add',
  'change',
  'publish',
  'delete',
  'lock',
  'unlock',
] as const;
export type PagePermissionType = (typeof PAGE_PERMISSION_TYPES)[number];

@Entity('page_permissions')
@Index('UQ_page_permissions_grant', ['groupId', 'pageId', 'permission'], { unique: true })
@Index('IDX_page_permissions_page', ['pageId', 'permission'])
export class PagePermission {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId: string;

  @Column({ name: 'page_id', type: 'uuid' })
  pageId: string;

  @Column({ type: 'varchar', length: 16 })
  permission: PagePermissionType;

  @ManyToOne(() => Group, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: Relation<Group>;

  @ManyToOne(() => Page, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'page_id' })
  page?: Relation<Page>;
}
