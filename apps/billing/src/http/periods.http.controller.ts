import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BillingPeriods } from '../application';
import { BillingReports } from '../read';
import { contextOf } from './access';
import { ClosePeriodBody } from './dto/reports.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors } from './openapi-errors';
import { FINANCE_READ_ROLES, Operation, ROLES_DOC, WRITE_ROLES } from './operation';
import { present } from './present';
import { periodParam } from './query-parsing';
import { PeriodCloseView, PeriodRowView } from './views';

@ApiTags('periods')
@Controller('v1/periods')
@UseInterceptors(BillingErrorInterceptor)
export class PeriodsHttpController {
  constructor(
    private readonly periods: BillingPeriods,
    private readonly reports: BillingReports,
  ) {}

  @Get()
  @Roles(...FINANCE_READ_ROLES)
  @Operation({
    summary: 'Billing periods: closed ones and open ones with lines',
    roles: ROLES_DOC.financeRead,
    description:
      'Per period: open or closed (with its closing record and invoice range), the number of ' +
      'lines, totals per currency and usage still held for want of a price schedule.',
  })
  @ApiOkResponse({ type: PeriodRowView, isArray: true })
  @ApiErrors()
  async list() {
    return present(await this.reports.periods());
  }

  @Post(':period/close')
  @HttpCode(200)
  @Roles(...WRITE_ROLES)
  @Operation({
    summary: 'Close a billing period and issue its invoices',
    roles: ROLES_DOC.write,
    description:
      'Once the month has ended: one immutable invoice per unit and currency with lines billed ' +
      'in the period, numbered INV-YYYY-MM-0001… without gaps (units by id, then currency), and ' +
      'PeriodClosed, in one append. Usage that arrives later for this period is billed in the ' +
      'next open period as an adjustment referencing the invoice. Nothing closed is rewritten; ' +
      'a second close is refused.',
  })
  @ApiParam({ name: 'period', example: '2026-11' })
  @ApiOkResponse({ type: PeriodCloseView })
  @ApiErrors(
    'BILLING.INVALID_PERIOD',
    'BILLING.PERIOD_NOT_ENDED',
    'BILLING.PERIOD_ALREADY_CLOSED',
    'BILLING.PERIOD_HAS_UNPRICED_USAGE',
    'LEDGER.CONCURRENCY',
  )
  async close(
    @CurrentPrincipal() caller: Principal,
    @Param('period') rawPeriod: string,
    @Body() body: ClosePeriodBody,
  ) {
    const period = periodParam(rawPeriod);
    return present(await this.periods.close(period, contextOf(caller, body.reason)));
  }
}
