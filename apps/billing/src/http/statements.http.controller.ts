import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BillingReports } from '../read';
import { BillingScope } from './access';
import { UnitParams } from './dto/common.dto';
import { StatementQuery } from './dto/reports.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, READ_ROLES, ROLES_DOC } from './operation';
import { present } from './present';
import { booleanQuery, periodParam } from './query-parsing';
import { StatementView } from './views';

@ApiTags('statements')
@Controller('v1/units')
@UseInterceptors(BillingErrorInterceptor)
export class StatementsHttpController {
  constructor(
    private readonly reports: BillingReports,
    private readonly scope: BillingScope,
  ) {}

  @Get(':unitId/statement')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'A unit’s running statement for a billing period',
    roles: ROLES_DOC.readScoped,
    description:
      'Lines billed in the period, per currency, grouped by usefulness class, model and kind ' +
      '(usage, surcharge, credit_note, debit_note), rolled up the unit tree (`tree`: own and ' +
      'subtree totals). `adjustments` lists the lines that adjust an invoice of a closed period. ' +
      'Strongly consistent: a line is visible as soon as it is booked.',
  })
  @ApiOkResponse({ type: StatementView })
  @ApiErrors('BILLING.INVALID_PERIOD', 'BILLING.UNIT_NOT_FOUND', OUT_OF_SCOPE)
  async statement(
    @CurrentPrincipal() caller: Principal,
    @Param() params: UnitParams,
    @Query() query: StatementQuery,
  ) {
    const period = periodParam(query.period);
    await this.scope.requireUnits(caller, [params.unitId]);
    return present(
      await this.reports.statement(params.unitId, period, {
        includeDescendants: booleanQuery(query.includeDescendants, true),
      }),
    );
  }
}
