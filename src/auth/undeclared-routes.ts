import { Injectable, Logger, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { accessRuleOf } from '#src/auth/access-rules.js';

/** A controller route, e.g. `{ route: 'GET /api/auth/me', handler: 'AuthController.me' }`. */
export interface DeclaredRoute {
  route: string;
  handler: string;
}

function joinPaths(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .map((part) => (Array.isArray(part) ? part[0] : part) ?? '')
    .flatMap((part) => part.split('/'))
    .filter(Boolean);
  return `/${segments.join('/')}`;
}

/**
 * Every controller route whose handler and controller declare no access rule. The
 * AccessGuard refuses them anyway; this finds them before anyone calls them.
 */
export function routesWithoutAccessRule(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): DeclaredRoute[] {
  const found: DeclaredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller || typeof controller !== 'function') continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (path === undefined) continue;
      if (accessRuleOf(reflector, handler, controller)) continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const controllerPath = Reflect.getMetadata(PATH_METADATA, controller) as
        string | string[] | undefined;
      found.push({
        route: `${RequestMethod[method ?? RequestMethod.GET]} ${joinPaths(controllerPath, path)}`,
        handler: `${controller.name}.${name}`,
      });
    }
  }
  return found;
}

/** Says at boot which routes are closed for want of an access rule. */
@Injectable()
export class UndeclaredRoutesReport implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undeclared = routesWithoutAccessRule(this.discovery, this.scanner, this.reflector);
    if (undeclared.length === 0) return;
    new Logger('Access').error(
      `${undeclared.length} route(s) declare no access rule and are refused to everyone: ${undeclared
        .map((route) => `${route.route} (${route.handler})`)
        .join(
          ', ',
        )}. Add @Public(), @Authenticated(), @RequirePermissions(...) or @SuperuserOnly().`,
    );
  }
}
