import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { JsonLogger } from '../logging/json-logger';
import { decideAccess, Principal, Public, Roles } from './access';
import {
  ApiKeyAuthenticator,
  AuthenticationResult,
  IncomingHeaders,
} from './api-key.authenticator';
import { ApiKeyGuard, AuthenticatedRequest } from './api-key.guard';
import { resolveAuthOptions } from './auth-options';
import { PlafondError } from '../errors/plafond-error';

const principal = (role: string, scopeUnitId: string | null = null): Principal => ({
  keyId: 'k7d2m9x4q1ab',
  name: 'test key',
  role,
  scopeUnitId,
});

describe('decideAccess', () => {
  it('lets anyone call a public route, key or not', () => {
    expect(decideAccess({ isPublic: true, roles: undefined, principal: undefined })).toEqual({
      allowed: true,
    });
  });

  it('answers 401 AUTH.UNAUTHENTICATED without a principal', () => {
    const decision = decideAccess({ isPublic: false, roles: ['auditor'], principal: undefined });
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.error).toMatchObject({
      code: 'AUTH.UNAUTHENTICATED',
      httpStatus: 401,
      message: 'A valid API key is required.',
      details: {},
    });
  });

  it('denies by default: a route without roles is admin-only', () => {
    expect(
      decideAccess({ isPublic: false, roles: undefined, principal: principal('admin') }),
    ).toEqual({ allowed: true });
    for (const roles of [undefined, []]) {
      const decision = decideAccess({ isPublic: false, roles, principal: principal('auditor') });
      expect(decision.allowed).toBe(false);
      if (decision.allowed) continue;
      expect(decision.error).toMatchObject({
        code: 'AUTH.FORBIDDEN',
        httpStatus: 403,
        details: { role: 'auditor', required: ['admin'] },
      });
    }
  });

  it('admits the listed roles and admin, and no one else', () => {
    const roles = ['auditor', 'unit_manager'];
    for (const role of ['admin', 'auditor', 'unit_manager']) {
      expect(decideAccess({ isPublic: false, roles, principal: principal(role) }).allowed).toBe(
        true,
      );
    }
    const decision = decideAccess({ isPublic: false, roles, principal: principal('service') });
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.error.details).toEqual({
      role: 'service',
      required: ['admin', 'auditor', 'unit_manager'],
    });
  });
});

describe('@Roles', () => {
  it('refuses names that are not role names', () => {
    expect(() => Roles('Auditor')).toThrow(/not a role name/);
    expect(() => Roles('unit-manager')).toThrow(/not a role name/);
    expect(() => Roles('')).toThrow(/not a role name/);
  });
});

describe('resolveAuthOptions', () => {
  it('always declares admin', () => {
    expect(resolveAuthOptions({ roles: ['auditor'] }).roles).toEqual(['admin', 'auditor']);
    expect(
      resolveAuthOptions({ roles: ['admin', 'unit_manager'], scopedRoles: ['unit_manager'] }),
    ).toEqual({
      roles: ['admin', 'unit_manager'],
      scopedRoles: ['unit_manager'],
      verifiedKeyCacheTtlMs: 5000,
    });
  });

  it.each([
    [{ roles: ['Auditor'] }, /invalid role names/],
    [{ roles: ['auditor'], scopedRoles: ['unit_manager'] }, /scoped roles not in roles/],
    [{ roles: ['auditor'], scopedRoles: ['admin'] }, /admin cannot be scoped/],
    [{ roles: [], verifiedKeyCacheTtlMs: 5001 }, /verifiedKeyCacheTtlMs/],
    [{ roles: [], verifiedKeyCacheTtlMs: -1 }, /verifiedKeyCacheTtlMs/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveAuthOptions(options)).toThrow(message);
  });
});

@Public()
@Controller('probe')
class PublicController {
  @Get()
  probe() {
    return 'ok';
  }
}

@Roles('auditor')
@Controller('things')
class ThingsController {
  @Get()
  list() {
    return [];
  }

  @Get('mine')
  @Roles('unit_manager')
  mine() {
    return [];
  }

  @Get('open')
  @Public()
  open() {
    return 'open';
  }
}

@Controller('admin')
class AdminController {
  @Get()
  secret() {
    return 'secret';
  }
}

class FakeAuthenticator {
  calls = 0;
  constructor(private readonly result: AuthenticationResult) {}
  authenticate(_headers: IncomingHeaders): Promise<AuthenticationResult> {
    this.calls += 1;
    return Promise.resolve(this.result);
  }
}

interface Call {
  allowed: boolean;
  code?: string;
  details?: unknown;
  principal?: Principal;
  wwwAuthenticate?: string;
  authenticated: number;
}

async function call(
  controller: new () => object,
  method: string,
  result: AuthenticationResult,
): Promise<Call> {
  const authenticator = new FakeAuthenticator(result);
  const logger = new JsonLogger({ service: 'test', level: 'fatal', write: () => undefined });
  const guard = new ApiKeyGuard(
    new Reflector(),
    authenticator as unknown as ApiKeyAuthenticator,
    logger,
  );
  const request: AuthenticatedRequest = { headers: {} };
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const handler = (controller.prototype as Record<string, () => unknown>)[method];
  if (handler === undefined) throw new Error(`no ${method}`);
  const context = new ExecutionContextHost([request, response], controller, handler);
  context.setType('http');
  try {
    await guard.canActivate(context);
    return { allowed: true, principal: request.principal, authenticated: authenticator.calls };
  } catch (error) {
    if (!(error instanceof PlafondError)) throw error;
    return {
      allowed: false,
      code: error.code,
      details: error.details,
      wwwAuthenticate: headers['WWW-Authenticate'],
      authenticated: authenticator.calls,
    };
  }
}

const as = (role: string): AuthenticationResult => ({ ok: true, principal: principal(role) });
const noKey: AuthenticationResult = { ok: false, reason: 'missing' };

describe('ApiKeyGuard', () => {
  it('opens public controllers and public methods without looking at keys', async () => {
    expect(await call(PublicController, 'probe', noKey)).toEqual({
      allowed: true,
      principal: undefined,
      authenticated: 0,
    });
    expect(await call(ThingsController, 'open', noKey)).toMatchObject({ allowed: true });
  });

  it('answers 401 with a WWW-Authenticate challenge when no valid key came', async () => {
    for (const reason of ['missing', 'malformed', 'unknown', 'revoked'] as const) {
      expect(await call(ThingsController, 'list', { ok: false, reason })).toMatchObject({
        allowed: false,
        code: 'AUTH.UNAUTHENTICATED',
        wwwAuthenticate: 'Bearer realm="plafond"',
      });
    }
  });

  it('applies class roles, lets a method override them, and keeps admin-only by default', async () => {
    expect(await call(ThingsController, 'list', as('auditor'))).toMatchObject({
      allowed: true,
      principal: principal('auditor'),
    });
    expect(await call(ThingsController, 'mine', as('unit_manager'))).toMatchObject({
      allowed: true,
    });
    expect(await call(ThingsController, 'mine', as('auditor'))).toMatchObject({
      allowed: false,
      code: 'AUTH.FORBIDDEN',
      details: { role: 'auditor', required: ['admin', 'unit_manager'] },
    });
    expect(await call(AdminController, 'secret', as('auditor'))).toMatchObject({
      allowed: false,
      code: 'AUTH.FORBIDDEN',
      details: { role: 'auditor', required: ['admin'] },
      wwwAuthenticate: undefined,
    });
    for (const [controller, method] of [
      [AdminController, 'secret'],
      [ThingsController, 'list'],
      [ThingsController, 'mine'],
    ] as const) {
      expect(await call(controller, method, as('admin'))).toMatchObject({ allowed: true });
    }
  });
});
