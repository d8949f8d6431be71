import { Body, Controller, Get, Param, Put, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BillingDirectory, BillingProfiles } from '../application';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { BillingScope, contextOf } from './access';
import { UnitParams } from './dto/common.dto';
import { BillingProfileBody } from './dto/profiles.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, READ_ROLES, ROLES_DOC, WRITE_ROLES } from './operation';
import { present } from './present';
import { BillingProfileSetView, BillingProfileView } from './views';

@ApiTags('billing-profiles')
@Controller('v1/billing-profiles')
@UseInterceptors(BillingErrorInterceptor)
export class BillingProfilesHttpController {
  constructor(
    private readonly profiles: BillingProfiles,
    private readonly directory: BillingDirectory,
    private readonly scope: BillingScope,
  ) {}

  @Put(':unitId')
  @Roles(...WRITE_ROLES)
  @Operation({
    summary: 'Set a unit’s billing profile',
    roles: ROLES_DOC.write,
    description:
      'The currency and cost centre the unit is billed in; its descendants inherit them unless ' +
      'they have their own. Applies to lines booked from now on (booked lines keep theirs). ' +
      'The unit must be known to billing (from allocation’s events), else 404 ' +
      'BILLING.UNIT_NOT_FOUND and nothing is recorded. ' +
      'Every problem of the body is reported at once in `details.issues`.',
  })
  @ApiBody({
    type: BillingProfileBody,
    examples: {
      retail: { summary: 'Retail', value: { currency: 'EUR', costCentre: 'CC-4100-RETAIL' } },
    },
  })
  @ApiOkResponse({ type: BillingProfileSetView })
  @ApiErrors('BILLING.INVALID_PROFILE', 'BILLING.UNIT_NOT_FOUND', 'LEDGER.CONCURRENCY')
  async set(
    @CurrentPrincipal() caller: Principal,
    @Param() params: UnitParams,
    @Body() body: unknown,
  ) {
    if ((await this.directory.unit(params.unitId)) === null) {
      throw new BillingError(
        BILLING_ERROR.UNIT_NOT_FOUND,
        `unit ${params.unitId} is not known to billing`,
        { unitId: params.unitId },
      );
    }
    return present(await this.profiles.set(params.unitId, body, contextOf(caller)));
  }

  @Get(':unitId')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'A unit’s billing profile: its own and the one that applies',
    roles: ROLES_DOC.readScoped,
  })
  @ApiOkResponse({ type: BillingProfileView })
  @ApiErrors('BILLING.UNIT_NOT_FOUND', OUT_OF_SCOPE)
  async get(@CurrentPrincipal() caller: Principal, @Param() params: UnitParams) {
    await this.scope.requireUnits(caller, [params.unitId]);
    return present(await this.profiles.get(params.unitId));
  }
}
