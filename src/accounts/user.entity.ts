import {
  Column,
  CreateDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Group } from '#src/accounts/group.entity.js';

/** A person who signs in to Finch. */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** As the user typed it, for display and for sending mail. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** Trimmed and lower-cased: what uniqueness and sign-in compare. */
  @Column({ name: 'email_normalized', type: 'varchar', length: 254, unique: true })
  emailNormalized: string;

  @Column({ type: 'varchar', length: 150, default: '' })
  name: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_superuser', type: 'boolean', default: false })
  isSuperuser: boolean;

  /** Argon2id, PHC string format. Null until an invited user sets a password. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true, select: false })
  passwordHash: string | null;

  /**
   * Raised when the user's password changes or they are deactivated: access tokens carry
   * it, and one issued before the change stops working at once.
   */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @Column({ name: 'preferred_locale', type: 'varchar', length: 35, nullable: true })
  preferredLocale: string | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @ManyToMany(() => Group, (group) => group.members)
  @JoinTable({
    name: 'user_groups',
    joinColumn: { name: 'user_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'group_id', referencedColumnName: 'id' },
  })
  groups?: Group[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** What uniqueness and sign-in compare: the address trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
