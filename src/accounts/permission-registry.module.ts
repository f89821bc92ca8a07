import { Module } from '@nestjs/common';
import { PermissionRegistry } from '#src/accounts/permission-registry.js';

/**
 * The permission registry alone, with no dependencies, so any module can register the
 * permissions it owns (with `registerPermissions`) without depending on the rest of
 * accounts. Nest makes one instance, however many modules import it.
 */
@Module({ providers: [PermissionRegistry], exports: [PermissionRegistry] })
export class PermissionRegistryModule {}
