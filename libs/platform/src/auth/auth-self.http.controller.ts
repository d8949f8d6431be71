import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { JsonLogger } from '../logging/json-logger';
import { PlatformErrorCode } from '../errors/plafond-error';
import { AnyRole, Principal, UNAUTHENTICATED_MESSAGE } from './access';
import { EXAMPLE_KEY_ID } from './api-keys.dto';
import { CurrentPrincipal } from './current-principal.decorator';
import { RouteCatalog } from './route-catalog';
import { permittedRoutes, type Permission } from './route-permissions';

class PermissionDto {
  @ApiProperty({ example: 'GET' })
  method!: string;

  @ApiProperty({ example: '/v1/budgets/{budgetId}/balances' })
  path!: string;
}

class AuthSelfDto {
  @ApiProperty({ example: 'allocation', description: 'The service answering.' })
  service!: string;

  @ApiProperty({ example: EXAMPLE_KEY_ID })
  keyId!: string;

  @ApiProperty({ example: 'bootstrap-admin' })
  name!: string;

  @ApiProperty({ example: 'admin' })
  role!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  scopeUnitId!: string | null;

  @ApiProperty({
    type: [PermissionDto],
    description:
      'Every route of this service the key’s role may call (public routes left out), path in ' +
      'OpenAPI form, sorted by path then method. Scoped roles are further limited to their ' +
      'subtree by each route.',
  })
  permissions!: Permission[];
}

/** Who am I: any valid key, of any role. Mounted by AuthModule on every service. */
@ApiTags('api-keys')
@Controller('v1/auth')
export class AuthSelfHttpController {
  constructor(
    private readonly catalog: RouteCatalog,
    private readonly logger: JsonLogger,
  ) {}

  @Get('self')
  @AnyRole()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The calling key: role, scope and what it may call (any role)',
    description:
      'Derived from the same role declarations the service enforces, so a client can hide the ' +
      'actions a key may not take. Never the secret.',
  })
  @ApiOkResponse({ type: AuthSelfDto })
  @ApiResponse({
    status: 401,
    description: 'No valid key (missing, malformed, unknown, revoked).',
    content: {
      'application/json': {
        example: {
          code: PlatformErrorCode.authUnauthenticated,
          message: UNAUTHENTICATED_MESSAGE,
          details: {},
        },
      },
    },
  })
  self(@CurrentPrincipal() caller: Principal): AuthSelfDto {
    return {
      service: this.logger.service,
      keyId: caller.keyId,
      name: caller.name,
      role: caller.role,
      scopeUnitId: caller.scopeUnitId,
      permissions: permittedRoutes(this.catalog.routes(), caller.role),
    };
  }
}
