import { Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Group } from '#src/accounts/group.entity.js';

/**
 * A permission granted to a group, by codename: `<action>_<resource>`, e.g.
 * `manage_users`, `add_image`, `change_snippet:author`. Codenames are registered by the
 * modules that own them (see PermissionRegistry).
 */
@Entity('group_permissions')
export class GroupPermission {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  codename: string;

  @ManyToOne(() => Group, (group) => group.permissions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: Relation<Group>;
}
