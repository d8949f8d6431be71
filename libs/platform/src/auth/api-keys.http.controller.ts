import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { PlatformErrorCode } from '../errors/plafond-error';
import { Principal, UNAUTHENTICATED_MESSAGE } from './access';
import {
  ApiKeyListQuery,
  ApiKeyPageDto,
  ApiKeyViewDto,
  CreateApiKeyBody,
  CreatedApiKeyDto,
  EXAMPLE_KEY_ID,
} from './api-keys.dto';
import { EXAMPLE_API_KEY } from './api-key';
import { ApiKeyErrorCode, ApiKeyService } from './api-keys.service';
import { CurrentPrincipal } from './current-principal.decorator';

class AuthErrorResponse {
  @ApiProperty({ example: PlatformErrorCode.authForbidden })
  code!: string;

  @ApiProperty({ example: 'The role "auditor" may not call this endpoint.' })
  message!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: {} })
  details!: Record<string, unknown>;
}

type Examples = Record<string, { code: string; message: string; details: object }>;

function ErrorResponses(status: number, description: string, examples: Examples) {
  return ApiResponse({
    status,
    description,
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(AuthErrorResponse) },
        examples: Object.fromEntries(
          Object.entries(examples).map(([name, value]) => [name, { value }]),
        ),
      },
    },
  });
}

const unauthenticated = ErrorResponses(
  401,
  'No valid key (missing, malformed, unknown, revoked).',
  {
    unauthenticated: {
      code: PlatformErrorCode.authUnauthenticated,
      message: UNAUTHENTICATED_MESSAGE,
      details: {},
    },
  },
);
const forbidden = ErrorResponses(403, 'Only admin keys manage keys.', {
  forbidden: {
    code: PlatformErrorCode.authForbidden,
    message: 'The role "auditor" may not call this endpoint.',
    details: { role: 'auditor', required: ['admin'] },
  },
});

/** Key management, admin only (no `@Roles`: deny by default). Mounted by AuthModule. */
@ApiTags('api-keys')
@ApiExtraModels(AuthErrorResponse)
@Controller('v1/api-keys')
export class ApiKeysHttpController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Create an API key (admin)',
    description:
      'Returns the whole key once, in `key`; it cannot be read again (only a SHA-256 of its ' +
      'secret is stored). Scoped roles need `scopeUnitId`, the service checks the unit exists.',
  })
  @ApiCreatedResponse({
    type: CreatedApiKeyDto,
    description: 'The key, with its secret, shown this once.',
    example: {
      keyId: EXAMPLE_KEY_ID,
      name: 'search-gateway',
      role: 'service',
      scopeUnitId: null,
      createdBy: 'admin:a0b1c2d3e4f5',
      createdAt: '2026-03-01T09:30:00.000Z',
      revokedAt: null,
      revokedBy: null,
      key: EXAMPLE_API_KEY,
    },
  })
  @ErrorResponses(400, 'The body is invalid, or the role or scope does not fit.', {
    invalid: {
      code: PlatformErrorCode.requestInvalid,
      message: 'The request is invalid: name.',
      details: { fields: [{ field: 'name', errors: ['name must not be blank'] }] },
    },
    roleUnknown: {
      code: ApiKeyErrorCode.roleUnknown,
      message: 'This service has no role "operator".',
      details: { role: 'operator', roles: ['admin', 'unit_manager', 'auditor', 'service'] },
    },
    scopeRequired: {
      code: ApiKeyErrorCode.scopeRequired,
      message: 'A "unit_manager" key is bound to a unit: give scopeUnitId.',
      details: { role: 'unit_manager', scopedRoles: ['unit_manager'] },
    },
    scopeNotAllowed: {
      code: ApiKeyErrorCode.scopeNotAllowed,
      message: 'A "service" key is not bound to a unit: leave scopeUnitId out.',
      details: { role: 'service', scopedRoles: ['unit_manager'] },
    },
  })
  @unauthenticated
  @forbidden
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateApiKeyBody) {
    return this.keys.create(caller, body);
  }

  @Get()
  @ApiOperation({
    summary: 'List API keys (admin)',
    description: 'Ordered by key id, active keys only unless `includeRevoked=true`. Never secrets.',
  })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @unauthenticated
  @forbidden
  list(@Query() query: ApiKeyListQuery) {
    const limit = query.limit ?? 100;
    return this.keys.list({
      includeRevoked: query.includeRevoked === 'true',
      limit,
      ...(query.after === undefined ? {} : { after: query.after }),
    });
  }

  @Delete(':keyId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an API key (admin)',
    description:
      'Immediate on this instance; other instances refuse the key within 5 s (their cache). ' +
      'Revoking a revoked key answers it unchanged.',
  })
  @ApiParam({ name: 'keyId', example: EXAMPLE_KEY_ID })
  @ApiOkResponse({
    type: ApiKeyViewDto,
    example: {
      keyId: EXAMPLE_KEY_ID,
      name: 'search-gateway',
      role: 'service',
      scopeUnitId: null,
      createdBy: 'admin:a0b1c2d3e4f5',
      createdAt: '2026-03-01T09:30:00.000Z',
      revokedAt: '2026-03-20T16:05:00.000Z',
      revokedBy: 'admin:a0b1c2d3e4f5',
    },
  })
  @unauthenticated
  @forbidden
  @ErrorResponses(404, 'No key has this id.', {
    notFound: {
      code: ApiKeyErrorCode.notFound,
      message: `No API key has the id "${EXAMPLE_KEY_ID}".`,
      details: { keyId: EXAMPLE_KEY_ID },
    },
  })
  revoke(@CurrentPrincipal() caller: Principal, @Param('keyId') keyId: string) {
    return this.keys.revoke(caller, keyId);
  }
}
