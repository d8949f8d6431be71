import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { parseReportWindow } from '../domain/report-windows';
import { BillingReports } from '../read';
import { BillingScope } from './access';
import { ReboundQuery, UnitReportQuery } from './dto/reports.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, READ_ROLES, ROLES_DOC } from './operation';
import { present } from './present';
import { periodParam } from './query-parsing';
import { ReboundView, ReconciliationView } from './views';

@ApiTags('reports')
@Controller('v1')
@UseInterceptors(BillingErrorInterceptor)
export class ReportsHttpController {
  constructor(
    private readonly reports: BillingReports,
    private readonly scope: BillingScope,
  ) {}

  @Get('reconciliation')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'Recorded usage against billed usage, per unit',
    roles: ROLES_DOC.readScoped,
    description:
      'For usage that occurred in the period (its service period): energy and carbon as ' +
      'recorded (after re-rating adjustments) against the energy and carbon of the lines billed ' +
      'for it (usage lines and notes, wherever they were billed). `status` is `match` when every ' +
      'unit matches exactly, else `differences` lists the units that do not (usage held for ' +
      'want of a price schedule is one).',
  })
  @ApiOkResponse({ type: ReconciliationView })
  @ApiErrors('BILLING.INVALID_PERIOD', OUT_OF_SCOPE)
  async reconciliation(@CurrentPrincipal() caller: Principal, @Query() query: UnitReportQuery) {
    const period = periodParam(query.period);
    const unitIds = await this.scope.unitsFor(caller, query.unitId);
    return present(await this.reports.reconciliation(period, unitIds));
  }

  @Get('reports/rebound')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'Rebound report: energy per request against total energy',
    roles: ROLES_DOC.readScoped,
    description:
      'Per unit (and per subtree): requests, total energy and energy per request in the window ' +
      'and the one before, with both changes in percent. `rebound` is true where energy per ' +
      'request fell while total energy rose — efficiency gains eaten by more use. The window is ' +
      'a month (`period=2026-11`, the service period, against 2026-10), or a UTC day ' +
      '(`2026-11-29`), hour (`2026-11-29T10`) or minute (`2026-11-29T10:05`) against the one ' +
      'just before, from when the usage occurred: the rebound of a test or a simulation, ' +
      'without waiting a month.',
  })
  @ApiOkResponse({ type: ReboundView })
  @ApiErrors('BILLING.INVALID_PERIOD', OUT_OF_SCOPE)
  async rebound(@CurrentPrincipal() caller: Principal, @Query() query: ReboundQuery) {
    // A bad window is 400 BILLING.INVALID_PERIOD before any scope check, like the other reports.
    const window = parseReportWindow(query.period);
    const unitIds = await this.scope.unitsFor(caller, query.unitId);
    return present(await this.reports.rebound(window.key, unitIds));
  }
}
