import { Controller, Delete, Get, Post, Put, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AnyRole, Public, Roles } from './access';
import {
  accessMetadata,
  openApiPath,
  permittedRoutes,
  type RouteAccess,
} from './route-permissions';

@Controller('v1/budgets/:budgetId')
@Roles('auditor')
class BudgetThings {
  @Get('balances')
  balances() {}

  @Post('allocations')
  @Roles()
  allocate() {}

  @Put('units/:unitId(\\d+)')
  @Roles('unit_manager')
  put() {}

  @Get('self')
  @AnyRole()
  self() {}

  @Get('open')
  @Public()
  open() {}
}

@Controller('v1/keys')
class Keys {
  @Delete(':keyId')
  revoke() {}

  @Get()
  list() {}
}

/** What RouteCatalog gathers from the decorators (without a Nest application). */
function routesOf(controller: { prototype: object }): RouteAccess[] {
  const prototype = controller.prototype as Record<string, object>;
  return Object.getOwnPropertyNames(prototype)
    .filter((name) => name !== 'constructor')
    .map((name) => {
      const handler = prototype[name] as object;
      return {
        method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod],
        path: openApiPath(
          Reflect.getMetadata(PATH_METADATA, controller) as string,
          Reflect.getMetadata(PATH_METADATA, handler) as string,
        ),
        ...accessMetadata(handler, controller),
      };
    });
}

const routes = [...routesOf(BudgetThings), ...routesOf(Keys)];

describe('route permissions (what GET /v1/auth/self lists)', () => {
  it('writes paths in OpenAPI form', () => {
    expect(openApiPath('v1/budgets/:budgetId', 'balances')).toBe('/v1/budgets/{budgetId}/balances');
    expect(openApiPath('/v1/keys/', '/')).toBe('/v1/keys');
    expect(openApiPath(['v1/a', 'v1/b'], ':id(\\d+)')).toBe('/v1/a/{id}');
    expect(openApiPath(undefined, 'health')).toBe('/health');
  });

  it('gives admin every non-public route, sorted by path then method', () => {
    expect(permittedRoutes(routes, 'admin')).toEqual([
      { method: 'POST', path: '/v1/budgets/{budgetId}/allocations' },
      { method: 'GET', path: '/v1/budgets/{budgetId}/balances' },
      { method: 'GET', path: '/v1/budgets/{budgetId}/self' },
      { method: 'PUT', path: '/v1/budgets/{budgetId}/units/{unitId}' },
      { method: 'GET', path: '/v1/keys' },
      { method: 'DELETE', path: '/v1/keys/{keyId}' },
    ]);
  });

  it('applies method @Roles over class @Roles, and @AnyRole to every role', () => {
    expect(permittedRoutes(routes, 'auditor')).toEqual([
      { method: 'GET', path: '/v1/budgets/{budgetId}/balances' },
      { method: 'GET', path: '/v1/budgets/{budgetId}/self' },
    ]);
    expect(permittedRoutes(routes, 'unit_manager')).toEqual([
      { method: 'GET', path: '/v1/budgets/{budgetId}/self' },
      { method: 'PUT', path: '/v1/budgets/{budgetId}/units/{unitId}' },
    ]);
    expect(permittedRoutes(routes, 'nobody')).toEqual([
      { method: 'GET', path: '/v1/budgets/{budgetId}/self' },
    ]);
  });

  it('lists a route once even when two handlers share it', () => {
    const twice: RouteAccess[] = [
      { method: 'GET', path: '/x', isPublic: false, anyRole: false, roles: ['auditor'] },
      { method: 'GET', path: '/x', isPublic: false, anyRole: false, roles: ['auditor'] },
    ];
    expect(permittedRoutes(twice, 'auditor')).toEqual([{ method: 'GET', path: '/x' }]);
  });
});
