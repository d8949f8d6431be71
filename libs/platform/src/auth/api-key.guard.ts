import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JsonLogger } from '../logging/json-logger';
import { ANY_ROLE_KEY, decideAccess, IS_PUBLIC_KEY, Principal, ROLES_KEY } from './access';
import { ApiKeyAuthenticator, IncomingHeaders } from './api-key.authenticator';

/** What the guard reads from and adds to the HTTP request. */
export interface AuthenticatedRequest {
  readonly headers: IncomingHeaders;
  principal?: Principal;
}

interface HeaderSettable {
  setHeader(name: string, value: string): unknown;
}

/**
 * The global guard AuthModule registers: every HTTP route needs a valid key unless `@Public()`,
 * and the key's role must be listed by `@Roles` (admin always is). Other transports (none today)
 * are not authenticated by API keys, so they pass.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly logger: JsonLogger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets);
    if (isPublic === true) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const result = await this.authenticator.authenticate(request.headers);
    if (!result.ok) {
      this.logger.write(
        result.reason === 'missing' ? 'debug' : 'info',
        'API key refused',
        { reason: result.reason, ...(result.keyId === undefined ? {} : { keyId: result.keyId }) },
        'Auth',
      );
    }
    const principal = result.ok ? result.principal : undefined;
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, targets);
    const anyRole = this.reflector.getAllAndOverride<boolean | undefined>(ANY_ROLE_KEY, targets);
    const decision = decideAccess({ isPublic: false, anyRole: anyRole === true, roles, principal });
    if (!decision.allowed) {
      if (principal === undefined) {
        http.getResponse<HeaderSettable>().setHeader('WWW-Authenticate', 'Bearer realm="plafond"');
      }
      throw decision.error;
    }
    request.principal = principal;
    return true;
  }
}
