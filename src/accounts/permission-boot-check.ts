import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { REQUIRED_PERMISSIONS } from '#src/accounts/permission.decorators.js';
import { PermissionRegistry } from '#src/accounts/permission-registry.js';

/**
 * Provided (globally, as `true`) by applications that load only some feature modules — the
 * management commands: there, grants of codenames registered by modules not loaded are not
 * orphans, so they are not reported.
 */
export const PARTIAL_FEATURE_SET = Symbol('finch:partial-feature-set');

/**
 * At boot: a route that requires a permission no module registers stops the server (a
 * typo would otherwise lock everyone but superusers out, silently); grants of codenames
 * nobody registers any more (a module was removed) are reported, since they grant nothing.
 */
@Injectable()
export class PermissionBootCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Permissions');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: PermissionRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(PARTIAL_FEATURE_SET) private readonly partialFeatureSet?: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const problems = this.routesRequiringUnknownPermissions();
    if (problems.length > 0) {
      throw new Error(
        [
          'Some routes require permissions that no module registers:',
          ...problems.map((problem) => `  ${problem}`),
          'Register them (registerPermissions in the owning module) or fix the codename.',
        ].join('\n'),
      );
    }
    if (!this.partialFeatureSet) await this.reportOrphanedGrants();
  }

  /** `Controller.method requires "codename"` for each unknown codename on a route. */
  routesRequiringUnknownPermissions(): string[] {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[method];
        if (typeof handler !== 'function') continue;
        const codenames = this.reflector.getAllAndMerge<string[]>(REQUIRED_PERMISSIONS, [
          handler,
          metatype,
        ]);
        for (const codename of codenames ?? []) {
          if (!this.registry.has(codename)) {
            problems.push(`${metatype.name}.${method} requires "${codename}"`);
          }
        }
      }
    }
    return problems;
  }

  private async reportOrphanedGrants(): Promise<void> {
    let granted: Array<{ codename: string }>;
    try {
      granted = await this.dataSource.query('SELECT DISTINCT codename FROM group_permissions');
    } catch (error) {
      // The schema may not be migrated yet (MIGRATE_ON_BOOT=false); readiness reports that.
      this.logger.debug(`Could not read the granted permissions: ${(error as Error).message}`);
      return;
    }
    const orphaned = granted
      .map((row) => row.codename)
      .filter((codename) => !this.registry.has(codename))
      .sort();
    if (orphaned.length > 0) {
      this.logger.warn(
        `Groups are granted permissions that no module registers, so they grant nothing: ${orphaned.join(', ')}. Remove them from the groups, or restore the module that defined them.`,
      );
    }
  }
}
