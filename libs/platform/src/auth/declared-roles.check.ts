import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ROLES_KEY } from './access';
import { AUTH_OPTIONS, ResolvedAuthOptions } from './auth-options';

/**
 * Stops the boot when a `@Roles(...)` names a role the service does not declare: a typo there
 * would silently make a route admin-only (or never reachable by the intended callers).
 */
@Injectable()
export class DeclaredRolesCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      const targets: { where: string; target: object }[] = [
        { where: controller.name, target: controller },
      ];
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[method];
        if (typeof handler === 'function') {
          targets.push({ where: `${controller.name}.${method}`, target: handler });
        }
      }
      for (const { where, target } of targets) {
        const roles = Reflect.getMetadata(ROLES_KEY, target) as readonly string[] | undefined;
        const unknown = (roles ?? []).filter((role) => !this.options.roles.includes(role));
        if (unknown.length > 0) problems.push(`${where} lists ${unknown.join(', ')}`);
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `@Roles names roles AuthModule does not declare (${this.options.roles.join(', ')}): ` +
          problems.join('; '),
      );
    }
  }
}
