import { Controller, Get, Query, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BillingReports } from '../read';
import { BillingScope } from './access';
import { JournalExportQuery } from './dto/reports.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, READ_ROLES, ROLES_DOC } from './operation';
import { present } from './present';
import { periodParam } from './query-parsing';
import { JournalExportView } from './views';

/** What the controller needs of Express's response (headers before the body). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** `plafond-journal-2026-11.csv`, `plafond-journal-2026-11-EUR.csv`. */
export function journalFileName(period: string, currency?: string): string {
  return `plafond-journal-${period}${currency === undefined ? '' : `-${currency}`}.csv`;
}

const CSV_EXAMPLE =
  'date,account,cost_centre,debit,credit,currency,reference,entry_id,billing_period,unit_id,invoice_number,adjusts_invoice\r\n' +
  '2026-11-14,6980-AI-CARBON,CC-4100-SEARCH,0.127500,0.000000,EUR,usage urn:acme:gateway#e-1,5d0e7c1e-2c8b-5f5e-9b3a-0c1d2e3f4a5b,2026-11,team-search,INV-2026-11-0001,\r\n' +
  '2026-11-14,4890-CARBON-FUND,,0.000000,0.127500,EUR,usage urn:acme:gateway#e-1,5d0e7c1e-2c8b-5f5e-9b3a-0c1d2e3f4a5b,2026-11,team-search,INV-2026-11-0001,\r\n';

@ApiTags('exports')
@Controller('v1/exports')
@UseInterceptors(BillingErrorInterceptor)
@ApiExtraModels(JournalExportView)
export class ExportsHttpController {
  constructor(
    private readonly reports: BillingReports,
    private readonly scope: BillingScope,
  ) {}

  @Get('journal')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'Journal lines of a billing period, for a general-ledger import',
    roles: ROLES_DOC.readScoped,
    description:
      'Double entry: each charge is a debit of the expense account (with the unit’s cost ' +
      'centre) and a credit of the carbon fund, reversed for a credit note; Σ debit = Σ credit ' +
      'per currency. `format=csv` (default) downloads RFC 4180 CSV (CRLF, UTF-8) with the columns ' +
      'date, account, cost_centre, debit, credit, currency, reference, entry_id, billing_period, ' +
      'unit_id, invoice_number, adjusts_invoice (amounts with 6 decimals; see ' +
      'docs/billing-api.md); `format=json` answers the same lines with micro strings and totals. ' +
      'A unit manager exports its subtree only.',
  })
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({
    description:
      'CSV attachment (`Content-Disposition: attachment; filename="plafond-journal-2026-11.csv"`) or JSON.',
    content: {
      'text/csv': { schema: { type: 'string' }, example: CSV_EXAMPLE },
      'application/json': { schema: { $ref: getSchemaPath(JournalExportView) } },
    },
  })
  @ApiErrors('BILLING.INVALID_PERIOD', OUT_OF_SCOPE)
  async journal(
    @CurrentPrincipal() caller: Principal,
    @Query() query: JournalExportQuery,
    @Res({ passthrough: true }) response: HeaderSink,
  ) {
    const period = periodParam(query.period);
    const unitIds = await this.scope.unitsFor(caller, query.unitId);
    const filter = {
      period,
      ...(query.currency === undefined ? {} : { currency: query.currency }),
      ...(unitIds === undefined ? {} : { unitIds }),
    };
    if (query.format === 'json') return present(await this.reports.journal(filter));
    const csv = await this.reports.journalCsv(filter);
    response.setHeader('Content-Type', CSV_CONTENT_TYPE);
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="${journalFileName(period, query.currency)}"`,
    );
    response.setHeader('Cache-Control', 'no-store');
    return csv;
  }
}
