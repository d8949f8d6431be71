import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import {
  CreatedIntegratorKeyDto,
  CreateIntegratorBody,
  CreateIntegratorKeyBody,
  IntegratorDto,
  IntegratorKeyDto,
  RotatedIntegratorKeyDto,
  UpdateIntegratorUnitsBody,
} from './integrators.dto';
import { IntegratorService } from './integrator.service';

/** Admin manages integrators and their keys; auditor may read. */
@ApiTags('integrators')
@Controller('v1/integrators')
export class IntegratorsHttpController {
  constructor(private readonly integrators: IntegratorService) {}

  @Post()
  @ApiOperation({ summary: 'Create an integrator (roles: admin)' })
  @ApiCreatedResponse({ type: IntegratorDto })
  create(@Body() body: CreateIntegratorBody) {
    return this.integrators.create(body);
  }

  @Get()
  @Roles('auditor')
  @ApiOperation({ summary: 'List integrators (roles: admin, auditor)' })
  @ApiOkResponse({ type: [IntegratorDto] })
  list() {
    return this.integrators.list();
  }

  @Get(':integratorId')
  @Roles('auditor')
  @ApiOperation({ summary: 'One integrator (roles: admin, auditor)' })
  @ApiOkResponse({ type: IntegratorDto })
  get(@Param('integratorId') integratorId: string) {
    return this.integrators.get(integratorId);
  }

  @Patch(':integratorId/units')
  @ApiOperation({ summary: 'Replace the units an integrator may report for (roles: admin)' })
  @ApiOkResponse({ type: IntegratorDto })
  updateUnits(
    @Param('integratorId') integratorId: string,
    @Body() body: UpdateIntegratorUnitsBody,
  ) {
    return this.integrators.updateUnits(integratorId, body.unitIds);
  }

  @Post(':integratorId/disable')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Disable an integrator: its keys and its source are refused (roles: admin)',
  })
  @ApiOkResponse({ type: IntegratorDto })
  disable(@Param('integratorId') integratorId: string) {
    return this.integrators.disable(integratorId);
  }

  @Get(':integratorId/keys')
  @Roles('auditor')
  @ApiOperation({ summary: 'The integrator’s keys, revoked included (roles: admin, auditor)' })
  @ApiOkResponse({ type: [IntegratorKeyDto] })
  listKeys(@Param('integratorId') integratorId: string) {
    return this.integrators.listKeys(integratorId);
  }

  @Post(':integratorId/keys')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a key (shown once) for the integrator (roles: admin)' })
  @ApiCreatedResponse({ type: CreatedIntegratorKeyDto })
  createKey(
    @CurrentPrincipal() caller: Principal,
    @Param('integratorId') integratorId: string,
    @Body() body: CreateIntegratorKeyBody,
  ) {
    return this.integrators.createKey(caller, integratorId, body.name);
  }

  @Post(':integratorId/keys/:keyId/rotate')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate a key: a new key (shown once), the old one revoked (roles: admin)',
  })
  @ApiOkResponse({ type: RotatedIntegratorKeyDto })
  rotateKey(
    @CurrentPrincipal() caller: Principal,
    @Param('integratorId') integratorId: string,
    @Param('keyId') keyId: string,
  ) {
    return this.integrators.rotateKey(caller, integratorId, keyId);
  }

  @Delete(':integratorId/keys/:keyId')
  @ApiOperation({ summary: 'Revoke a key (idempotent; roles: admin)' })
  @ApiOkResponse({ type: IntegratorKeyDto })
  revokeKey(
    @CurrentPrincipal() caller: Principal,
    @Param('integratorId') integratorId: string,
    @Param('keyId') keyId: string,
  ) {
    return this.integrators.revokeKey(caller, integratorId, keyId);
  }
}
