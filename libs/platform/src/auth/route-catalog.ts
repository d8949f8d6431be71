import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { accessMetadata, openApiPath, type RouteAccess } from './route-permissions';

/**
 * Every HTTP route of the service with its access metadata, read once from the controllers Nest
 * discovered (the same classes and decorators the guard reads at request time).
 */
@Injectable()
export class RouteCatalog {
  private cached: readonly RouteAccess[] | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  routes(): readonly RouteAccess[] {
    this.cached ??= this.collect();
    return this.cached;
  }

  private collect(): RouteAccess[] {
    const routes: RouteAccess[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const controllerPath = Reflect.getMetadata(PATH_METADATA, controller) as
        string | string[] | undefined;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as
          string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (methodPath === undefined || method === undefined) continue;
        routes.push({
          method: RequestMethod[method],
          path: openApiPath(controllerPath, methodPath),
          ...accessMetadata(handler, controller),
        });
      }
    }
    return routes;
  }
}
