import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  currentCorrelationId,
  CurrentPrincipal,
  principalActor,
  Roles,
  type Principal,
} from '@plafond/platform';
import { FactorSetService } from '../application';
import { FactorSetViewDto, PublicationResultDto, PublishFactorSetBody } from './factor-sets.dto';

@ApiTags('factor-sets')
@Controller('v1/factor-sets')
export class FactorSetsHttpController {
  constructor(private readonly factorSets: FactorSetService) {}

  @Get()
  @Roles('auditor', 'integrator')
  @ApiOperation({
    summary: 'Factor sets in force, oldest first (roles: admin, auditor, integrator)',
  })
  @ApiOkResponse({ type: [FactorSetViewDto] })
  list() {
    return this.factorSets.list();
  }

  @Get(':version')
  @Roles('auditor', 'integrator')
  @ApiOperation({
    summary: 'One factor set with every factor (roles: admin, auditor, integrator)',
  })
  get(@Param('version') version: string) {
    return this.factorSets.get(version);
  }

  @Post()
  @ApiOperation({
    summary: 'Publish a factor set and re-rate its window (roles: admin)',
    description:
      'One transaction. 400 FACTORSET.INVALID, 409 FACTORSET.VERSION_EXISTS, 422 ' +
      'FACTORSET.RERATE_TOO_LARGE / FACTORSET.RERATE_FAILED (nothing written).',
  })
  @ApiCreatedResponse({ type: PublicationResultDto })
  publish(@CurrentPrincipal() caller: Principal, @Body() body: PublishFactorSetBody) {
    const correlationId = currentCorrelationId();
    return this.factorSets.publish(
      {
        actor: principalActor(caller),
        ...(correlationId === undefined ? {} : { correlationId }),
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      },
      body.factorSet,
      { allowRerateFailures: body.allowRerateFailures ?? false },
    );
  }
}
