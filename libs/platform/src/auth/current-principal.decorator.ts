import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Principal, unauthenticatedError } from './access';
import type { AuthenticatedRequest } from './api-key.guard';

/**
 * The verified caller of a guarded route (`@CurrentPrincipal() caller: Principal`). On a route
 * the guard did not authenticate (public, or AuthModule not imported) it answers 401 rather than
 * handing the handler an undefined caller.
 */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (request.principal === undefined) throw unauthenticatedError();
    return request.principal;
  },
);
