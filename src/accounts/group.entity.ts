import {
  Column,
  CreateDateColumn,
  Entity,
  ManyToMany,
  OneToMany,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { GroupPermission } from '#src/accounts/group-permission.entity.js';
import { User } from '#src/accounts/user.entity.js';

/** A set of people sharing permissions, e.g. Editors or Moderators. */
@Entity('groups')
export class Group {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 150, unique: true })
  name: string;

  @ManyToMany(() => User, (user) => user.groups)
  members?: User[];

  @OneToMany(() => GroupPermission, (permission) => permission.group, { cascade: true })
  permissions?: GroupPermission[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
