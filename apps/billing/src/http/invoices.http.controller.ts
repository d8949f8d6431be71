import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { BillingReports } from '../read';
import { BillingScope } from './access';
import { InvoiceListQuery } from './dto/reports.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, READ_ROLES, ROLES_DOC } from './operation';
import { present } from './present';
import { periodParam } from './query-parsing';
import { InvoiceView } from './views';

@ApiTags('invoices')
@Controller('v1/invoices')
@UseInterceptors(BillingErrorInterceptor)
export class InvoicesHttpController {
  constructor(
    private readonly reports: BillingReports,
    private readonly scope: BillingScope,
  ) {}

  @Get()
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'Issued invoices',
    roles: ROLES_DOC.readScoped,
    description:
      'By period then sequence. A unit manager sees the invoices of its subtree; `unitId` keeps ' +
      'a unit and its subtree.',
  })
  @ApiOkResponse({ type: InvoiceView, isArray: true })
  @ApiErrors('BILLING.INVALID_PERIOD', OUT_OF_SCOPE)
  async list(@CurrentPrincipal() caller: Principal, @Query() query: InvoiceListQuery) {
    const period = query.period === undefined ? undefined : periodParam(query.period);
    const unitIds = await this.scope.unitsFor(caller, query.unitId);
    return present(
      await this.reports.invoices({
        ...(period === undefined ? {} : { period }),
        ...(unitIds === undefined ? {} : { unitIds }),
      }),
    );
  }

  @Get(':invoiceNumber')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'One invoice with its groups and lines',
    roles: ROLES_DOC.readScoped,
    description:
      'As issued at the close; invoices never change. A unit manager asking for an invoice of ' +
      'a unit outside its subtree gets the same 404 as for a number that does not exist ' +
      '(numbers are sequential: a 403 naming the unit would let it enumerate other units).',
  })
  @ApiParam({ name: 'invoiceNumber', example: 'INV-2026-11-0001' })
  @ApiOkResponse({ type: InvoiceView })
  @ApiErrors('BILLING.INVOICE_NOT_FOUND', 'BILLING.INVALID_QUERY')
  async get(@CurrentPrincipal() caller: Principal, @Param('invoiceNumber') invoiceNumber: string) {
    const invoice = await this.reports.invoice(invoiceNumber);
    if (!(await this.scope.permits(caller, [invoice.unitId]))) {
      throw new BillingError(
        BILLING_ERROR.INVOICE_NOT_FOUND,
        `no invoice ${invoice.invoiceNumber}`,
        { invoiceNumber: invoice.invoiceNumber },
      );
    }
    return present(invoice);
  }
}
