// Query strings of the billing reads: validated by the pipe (REQUEST.INVALID), then the period by
// the domain (BILLING.INVALID_PERIOD).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import {
  BooleanQueryProperty,
  OptionalCurrencyProperty,
  OptionalPeriodProperty,
  OptionalUnitProperty,
  PeriodProperty,
  ReasonProperty,
} from './common.dto';

const UNIT_FILTER =
  'Only this unit and its subtree (a unit manager: within its own subtree; absent: all it may see).';

export class StatementQuery {
  @PeriodProperty('Billing period of the statement (lines billed in it).')
  period!: string;

  @BooleanQueryProperty('Roll the descendants’ lines up into the statement.', true)
  includeDescendants?: 'true' | 'false';
}

export class InvoiceListQuery {
  @OptionalPeriodProperty('Only invoices of this closed period.')
  period?: string;

  @OptionalUnitProperty(UNIT_FILTER)
  unitId?: string;
}

export const EXPORT_FORMATS = ['csv', 'json'] as const;

export class JournalExportQuery {
  @PeriodProperty('Billing period whose journal lines are exported.')
  period!: string;

  @OptionalCurrencyProperty('Only lines in this currency.')
  currency?: string;

  @OptionalUnitProperty(UNIT_FILTER)
  unitId?: string;

  @ApiPropertyOptional({
    description: 'csv (RFC 4180, for a general-ledger import) or json.',
    enum: EXPORT_FORMATS,
    default: 'csv',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];
}

export class UnitReportQuery {
  @PeriodProperty('Service period (the month the usage happened).')
  period!: string;

  @OptionalUnitProperty(UNIT_FILTER)
  unitId?: string;
}

/** The rebound report also takes shorter windows than a month (see domain/report-windows.ts). */
export class ReboundQuery {
  @ApiProperty({
    description:
      'Window compared with the one of the same length before it: a service period (UTC month ' +
      '`YYYY-MM`), or a UTC day `YYYY-MM-DD`, hour `YYYY-MM-DDTHH` or minute `YYYY-MM-DDTHH:mm` ' +
      '(matched on when the usage occurred).',
    example: '2026-11',
    pattern: '^[0-9]{4}-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2})?)?)?$',
  })
  @IsString()
  @MaxLength(16)
  period!: string;

  @OptionalUnitProperty(UNIT_FILTER)
  unitId?: string;
}

export class ClosePeriodBody {
  @ReasonProperty('November 2026 month-end close')
  reason?: string;
}
