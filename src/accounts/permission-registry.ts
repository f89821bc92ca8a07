import { Injectable, type Provider } from '@nestjs/common';
import { DomainError, type FieldError } from '#src/errors/domain-error.js';

/**
 * A codename says `<action>_<resource>`: lower-case words joined by underscores, the first
 * of them the action, with an optional `:<subtype>` for permissions per type of thing,
 * e.g. `manage_users`, `view_audit_log`, `add_image`, `change_snippet:author`.
 */
export const CODENAME_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)+(?::[a-z][a-z0-9_-]*)?$/;
/** The width of `group_permissions.codename`. */
export const CODENAME_MAX_LENGTH = 100;

export interface PermissionDefinition {
  codename: string;
  /** Short, for a checkbox in the admin: "Manage users". */
  label: string;
  /** One sentence on what holding it allows. */
  description: string;
}

export interface RegisteredPermission extends PermissionDefinition {
  /** The module that owns it, e.g. `accounts`, `audit`, `media`. */
  module: string;
}

export function isWellFormedCodename(codename: string): boolean {
  return codename.length <= CODENAME_MAX_LENGTH && CODENAME_PATTERN.test(codename);
}

/** A codename no module registers was about to be granted. */
export class UnknownPermissionError extends DomainError {
  readonly slug = 'unknown-permission';
  readonly status = 400;
  readonly title = 'No such permission';

  constructor(errors: FieldError[]) {
    super(
      `${errors.length === 1 ? 'A permission is' : `${errors.length} permissions are`} not registered by any module: see errors. GET /api/admin/permissions lists the ones that exist.`,
      errors,
    );
  }
}

/**
 * The permissions Finch knows, registered in code by the modules that own them. The same
 * code runs on every replica, so every replica has the same registry; grants live in the
 * database (`group_permissions`).
 */
@Injectable()
export class PermissionRegistry {
  private readonly permissions = new Map<string, RegisteredPermission>();

  /**
   * Adds `module`'s permissions. Throws on a malformed codename or on a codename another
   * registration already defines differently: both are programming errors, found at boot.
   */
  register(module: string, definitions: readonly PermissionDefinition[]): void {
    for (const definition of definitions) {
      if (!isWellFormedCodename(definition.codename)) {
        throw new Error(
          `Permission codename "${definition.codename}" (module ${module}) must read <action>_<resource>: lower-case words joined by "_", optionally ":<subtype>", at most ${CODENAME_MAX_LENGTH} characters.`,
        );
      }
      if (!definition.label.trim() || !definition.description.trim()) {
        throw new Error(`Permission "${definition.codename}" needs a label and a description.`);
      }
      const known = this.permissions.get(definition.codename);
      if (
        known &&
        (known.module !== module ||
          known.label !== definition.label ||
          known.description !== definition.description)
      ) {
        throw new Error(
          `Permission "${definition.codename}" is registered twice (modules ${known.module} and ${module}); a codename has one owner.`,
        );
      }
      this.permissions.set(definition.codename, { ...definition, module });
    }
  }

  has(codename: string): boolean {
    return this.permissions.has(codename);
  }

  get(codename: string): RegisteredPermission | undefined {
    return this.permissions.get(codename);
  }

  /** Every registered permission, ordered by codename. */
  all(): RegisteredPermission[] {
    return [...this.permissions.values()].sort((a, b) => a.codename.localeCompare(b.codename));
  }

  /**
   * Throws UnknownPermissionError naming each codename (as `<field>[<index>]`) that no
   * module registers. Used before anything is granted.
   */
  assertGrantable(codenames: readonly string[], field = 'permissions'): void {
    const errors: FieldError[] = [];
    codenames.forEach((codename, index) => {
      if (!this.has(codename)) {
        errors.push({
          path: `${field}[${index}]`,
          message: `"${codename}" is not a registered permission`,
        });
      }
    });
    if (errors.length > 0) throw new UnknownPermissionError(errors);
  }
}

let registrations = 0;

/**
 * A provider that registers `definitions` as `module`'s permissions. List it among the
 * providers of the owning module, which imports PermissionRegistryModule:
 *
 *     providers: [registerPermissions('media', MEDIA_PERMISSIONS), ...]
 */
export function registerPermissions(
  module: string,
  definitions: readonly PermissionDefinition[],
): Provider {
  return {
    provide: Symbol(`permissions of ${module} #${++registrations}`),
    inject: [PermissionRegistry],
    useFactory: (registry: PermissionRegistry) => {
      registry.register(module, definitions);
      return definitions;
    },
  };
}
