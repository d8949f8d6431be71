import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { DIMENSION_NAMES, type Dimension } from '@plafond/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DOMAIN_LIMITS, type PeriodSpec } from '../../domain';
import {
  AmountProperty,
  AsOfProperty,
  IdProperty,
  OptionalAmountProperty,
  OptionalIdProperty,
  ReasonProperty,
} from './common.dto';
import { HistoryQuery } from './units.dto';

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const MONTH = /^[0-9]{4}-[0-9]{2}$/;
const isMonth = (period: PeriodBody) => period.kind === 'month';
const isRange = (period: PeriodBody) => period.kind === 'range';

export class PeriodBody {
  @ApiProperty({
    description: '`month` (a calendar month) or `range` (dates, end exclusive).',
    enum: ['month', 'range'],
    example: 'month',
  })
  @IsIn(['month', 'range'])
  kind!: 'month' | 'range';

  @ApiPropertyOptional({ description: 'For `month`: YYYY-MM.', example: '2026-03' })
  @ValidateIf(isMonth)
  @IsString()
  @Matches(MONTH, { message: 'month must be YYYY-MM' })
  month?: string;

  @ApiPropertyOptional({
    description: 'For `range`: first day, YYYY-MM-DD.',
    example: '2026-03-01',
  })
  @ValidateIf(isRange)
  @IsString()
  @Matches(DATE, { message: 'startsOn must be YYYY-MM-DD' })
  startsOn?: string;

  @ApiPropertyOptional({
    description: 'For `range`: the day after the last, YYYY-MM-DD (exclusive).',
    example: '2026-04-01',
  })
  @ValidateIf(isRange)
  @IsString()
  @Matches(DATE, { message: 'endsOn must be YYYY-MM-DD' })
  endsOn?: string;
}

export function periodOf(body: PeriodBody): PeriodSpec {
  return body.kind === 'month'
    ? { kind: 'month', month: body.month ?? '' }
    : { kind: 'range', startsOn: body.startsOn ?? '', endsOn: body.endsOn ?? '' };
}

export class OpenBudgetBody {
  @IdProperty('Client-chosen budget id.', 'energy-2026-03')
  budgetId!: string;

  @IdProperty('The unit whose subtree the budget covers.', 'acme')
  perimeterUnitId!: string;

  @ApiProperty({
    description: 'What the budget limits.',
    enum: DIMENSION_NAMES,
    example: 'energy',
  })
  @IsIn(DIMENSION_NAMES)
  dimension!: Dimension;

  @ApiProperty({ type: PeriodBody, example: { kind: 'month', month: '2026-03' } })
  @ValidateNested()
  @Type(() => PeriodBody)
  period!: PeriodBody;

  @ApiPropertyOptional({
    description: 'IANA time zone of the period boundaries (default UTC).',
    example: 'Europe/Paris',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;

  @AmountProperty('The ceiling: never raised while the period is open.', '1000000000000')
  ceiling!: string | number;

  @ApiPropertyOptional({
    description:
      '`hard` (default): an overrun blocks the unit for new reservations; `soft`: overruns ' +
      'are recorded and announced only.',
    enum: ['hard', 'soft'],
    example: 'hard',
  })
  @IsOptional()
  @IsIn(['hard', 'soft'])
  mode?: 'hard' | 'soft';

  @ApiPropertyOptional({
    description:
      'Threshold levels announced once each, in basis points of the allocation, increasing ' +
      '(default [5000, 8000, 10000]).',
    example: [5000, 8000, 10000],
    type: [Number],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DOMAIN_LIMITS.thresholds)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(DOMAIN_LIMITS.thresholdMaxBasisPoints, { each: true })
  thresholdsBasisPoints?: number[];

  @ReasonProperty('March energy budget')
  reason?: string;
}

export class BudgetListQuery {
  @ApiPropertyOptional({ enum: ['open', 'closed'], example: 'open' })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @ApiPropertyOptional({ description: 'Budgets of this perimeter unit.', example: 'acme' })
  @IsOptional()
  @IsString()
  @Length(1, DOMAIN_LIMITS.idLength)
  perimeterUnitId?: string;

  @ApiPropertyOptional({ enum: DIMENSION_NAMES, example: 'energy' })
  @IsOptional()
  @IsIn(DIMENSION_NAMES)
  dimension?: Dimension;
}

export class LowerCeilingBody {
  @IdProperty('Client-chosen id of this change (a retry reuses it).', 'lower-2026-03-10')
  changeId!: string;

  @AmountProperty('The new ceiling, at most the current one.', '800000000000')
  ceiling!: string | number;

  @ApiPropertyOptional({
    description:
      'When the new ceiling is below what is allocated, take unused quota back from the units ' +
      '(in proportion to their unused quota) in the same change. Without it such a change is ' +
      'refused with BUDGET.CEILING_BELOW_ALLOCATED.',
    example: true,
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  reclaimUnused?: boolean;

  @ReasonProperty('Grid operator asked for a 20 % cut')
  reason?: string;
}

const POLICIES_EXAMPLE = {
  acme: {
    contingency: { basisPoints: 500 },
    rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
  },
  'bu-retail': {
    rule: {
      kind: 'fairShare',
      members: [
        { childId: 'team-search', demand: '300000000000', floor: '50000000000' },
        { childId: 'team-checkout', demand: '200000000000' },
      ],
    },
  },
};

const POLICIES_DESCRIPTION =
  'One policy per unit with children, keyed by unit id: `{ contingency?, rule }` where rule is ' +
  '`static`, `weights`, `tiers` or `fairShare` (see docs/allocation-api.md). Amounts inside are ' +
  'decimal strings.';

/** What a round splits: the policies and the amount (shared by preview and allocate). */
export class PoliciesBody {
  @ApiProperty({
    description: POLICIES_DESCRIPTION,
    type: 'object',
    additionalProperties: true,
    example: POLICIES_EXAMPLE,
  })
  @IsObject()
  policies!: Record<string, unknown>;

  @OptionalAmountProperty(
    'What to split; default: what the ceiling leaves unallocated.',
    '950000000000',
  )
  amount?: string | number;
}

export class PreviewBody extends PoliciesBody {
  @ApiPropertyOptional({
    description:
      'What-if on weights, for this preview only: `{ unitId: { attribute: weight } }` used ' +
      'instead of the unit’s attribute values effective on the period’s first day (weights as ' +
      'in `PUT /v1/units/{unitId}/attributes`: integer or decimal strings; null leaves the ' +
      'attribute out). Each unit must be in the perimeter’s tree. Nothing is written; ' +
      '`allocations` refuses this field.',
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    example: { 'team-search': { headcount: '55' } },
  })
  @IsOptional()
  @IsObject()
  attributeOverrides?: Record<string, Record<string, string | null>>;

  @OptionalIdProperty(
    'What-if on a stored round: the preview is computed and checked as if that round were not ' +
      'there (its amount freed for the ceiling check; `amount` defaults to it). 404 ' +
      'ALLOCATION.NOT_FOUND when the budget has no such round. Nothing is written; ' +
      '`allocations` refuses this field.',
    'round-1',
  )
  replacing?: string;
}

export class AllocateBody extends PoliciesBody {
  @IdProperty('Client-chosen id of this allocation round (a retry reuses it).', 'round-1')
  allocationId!: string;

  @ReasonProperty('March allocation')
  reason?: string;
}

/** The unit history's paging (`limit`, `before`), without its budget filter. */
export class BudgetHistoryQuery extends OmitType(HistoryQuery, ['budgetId'] as const) {}

export class TransferBody {
  @IdProperty('Client-chosen transfer id (a retry reuses it).', 'tr-2026-03-12-01')
  transferId!: string;

  @IdProperty('Giving unit: must have this much unused quota.', 'team-checkout')
  fromUnitId!: string;

  @IdProperty('Receiving unit.', 'team-search')
  toUnitId!: string;

  @AmountProperty('How much unused quota moves.', '20000000000', { allowZero: false })
  amount!: string | number;

  @ApiProperty({
    description: 'Why; recorded on the transfer with the actor.',
    example: 'Search re-index',
    maxLength: DOMAIN_LIMITS.reasonLength,
  })
  @IsString()
  @Length(1, DOMAIN_LIMITS.reasonLength)
  reason!: string;
}

export class CloseBody {
  @ApiPropertyOptional({
    description:
      'Close before the period ends (default false: refused with BUDGET.PERIOD_NOT_ENDED).',
    example: false,
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  closeEarly?: boolean;

  @ReasonProperty('Month over')
  reason?: string;
}

export class UnitBalanceQuery {
  @AsOfProperty()
  asOf?: string;

  @ApiPropertyOptional({
    description: 'Also give the subtree totals (the unit and everything below it); default true.',
    enum: ['true', 'false'],
    example: 'true',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  rollUp?: 'true' | 'false';
}
