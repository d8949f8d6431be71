// Query and response shapes of the burn-down and scarcity endpoints (insights.http.controller.ts),
// for validation and the OpenAPI document; the controller returns the read side's plain JSON.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { OptionalIdProperty } from './dto/common.dto';

const amount = (description: string, example: string) =>
  ApiProperty({ type: String, description: `${description} (decimal string).`, example });

export class BurnDownQuery {
  @OptionalIdProperty(
    'The unit whose subtree is shown (default: the perimeter; a unit manager’s own unit).',
    'bu-digital',
  )
  unitId?: string;
}

export const REFUSAL_BUCKETS = ['hour', 'day'] as const;

export class RefusalQuery {
  @ApiPropertyOptional({
    description: 'Window start, inclusive (ISO-8601 with a zone; default: the period’s start).',
    example: '2026-11-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({
    description:
      'Window end, exclusive (ISO-8601 with a zone; default: now, or the period’s end when ' +
      'neither bound is given and the period has not begun).',
    example: '2026-11-30T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  to?: string;

  @ApiPropertyOptional({
    enum: REFUSAL_BUCKETS,
    description: 'Series bucket (default: hour when the window is at most 48 h, else day).',
  })
  @IsOptional()
  @IsIn(REFUSAL_BUCKETS)
  bucket?: (typeof REFUSAL_BUCKETS)[number];

  @OptionalIdProperty(
    'Only this unit’s subtree (default: every unit; a unit manager’s own unit).',
    'bu-digital',
  )
  unitId?: string;
}

class PeriodView {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' })
  startsAt!: string;

  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' })
  endsAt!: string;

  @ApiProperty({ example: 'UTC' })
  timeZone!: string;
}

class BurnDownPointView {
  @ApiProperty({
    description: 'End of the local day (exclusive); the last point ends at `asOf`.',
    example: '2026-11-02T00:00:00.000Z',
  })
  at!: string;

  @amount('Consumption since the period’s start, cumulative', '1250000000')
  committed!: string;
}

class BurnDownUnitView {
  @ApiProperty({ example: 'bu-digital' })
  unitId!: string;

  @amount('The child’s subtree allocation now', '4000000000')
  allocated!: string;

  @ApiProperty({
    type: [String],
    description: 'Cumulative consumption of the child’s subtree, aligned with `points`.',
    example: ['300000000', '610000000'],
  })
  committed!: string[];
}

class BurnDownProjectionView {
  @amount('Consumption now', '9100000000')
  committed!: string;

  @amount('Average consumption per 24 h since the start, rounded down', '325000000')
  ratePerDay!: string;

  @amount('Consumption at the period’s end at that rate, rounded down', '9750000000')
  projectedAtEnd!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'When the projection reaches `allocated`, if before the period’s end.',
    example: '2026-11-28T07:41:32.308Z',
  })
  exhaustsAt!: string | null;
}

export class BurnDownView {
  @ApiProperty({ example: 'demo-energy-2026-11' })
  budgetId!: string;

  @ApiProperty({ example: 'energy' })
  dimension!: string;

  @ApiProperty({ example: 'demo-org' })
  unitId!: string;

  @ApiProperty({ type: PeriodView })
  period!: PeriodView;

  @ApiProperty({ description: 'Now: when the answer was computed.' })
  asOf!: string;

  @ApiProperty({ enum: ['day'] })
  bucket!: 'day';

  @amount('The budget’s ceiling', '10000000000')
  ceiling!: string;

  @amount('The unit’s subtree allocation now', '9000000000')
  allocated!: string;

  @ApiProperty({ type: [BurnDownPointView] })
  points!: BurnDownPointView[];

  @ApiProperty({ type: [BurnDownUnitView], description: 'The unit’s direct children.' })
  units!: BurnDownUnitView[];

  @ApiProperty({ type: BurnDownProjectionView })
  projection!: BurnDownProjectionView;
}

class RefusalTotalsView {
  @ApiProperty({ example: 12 })
  count!: number;

  @amount('Σ amounts asked for', '96000000')
  requested!: string;

  @ApiProperty({ example: { 'QUOTA.EXCEEDED': 10, 'USECASE.SHED_ABOVE_UTILISATION': 2 } })
  byReason!: Record<string, number>;

  @ApiProperty({ example: { essential: 1, discretionary: 11 } })
  byClass!: Record<string, number>;
}

class RefusalSeriesView {
  @ApiProperty({ description: 'Bucket start.', example: '2026-11-28T00:00:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'QUOTA.EXCEEDED' })
  reason!: string;

  @ApiProperty({ example: 'discretionary' })
  usefulnessClass!: string;

  @ApiProperty({ example: 3 })
  count!: number;

  @amount('Σ amounts asked for', '24000000')
  requested!: string;
}

class RefusalUnitView {
  @ApiProperty({ example: 'bu-digital' })
  unitId!: string;

  @ApiProperty({ example: 4 })
  count!: number;

  @ApiProperty({ example: '2026-11-28T09:12:44.120Z' })
  lastRefusedAt!: string;

  @ApiProperty({ example: 'QUOTA.EXCEEDED' })
  lastReason!: string;
}

class BlockedUnitView {
  @ApiProperty({ example: 'bu-digital' })
  unitId!: string;

  @ApiProperty({
    description:
      'What any reservation would be refused with now: BUDGET.PERIOD_CLOSED, QUOTA.UNIT_BLOCKED ' +
      'or QUOTA.EXCEEDED (nothing available).',
    example: 'QUOTA.EXCEEDED',
  })
  reason!: string;

  @amount('Available now', '0')
  available!: string;
}

class ShedClassView {
  @ApiProperty({ example: 'bu-research' })
  unitId!: string;

  @ApiProperty({ example: 'discretionary' })
  className!: string;

  @ApiProperty({ example: 'USECASE.SHED_ABOVE_UTILISATION' })
  reason!: string;

  @amount('Available now', '120000000')
  available!: string;
}

export class RefusalReportView {
  @ApiProperty({ example: 'demo-energy-2026-11' })
  budgetId!: string;

  @ApiProperty({ enum: REFUSAL_BUCKETS })
  bucket!: string;

  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' })
  from!: string;

  @ApiProperty({ example: '2026-11-29T17:20:00.000Z' })
  to!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  unitId!: string | null;

  @ApiProperty({ type: RefusalTotalsView })
  totals!: RefusalTotalsView;

  @ApiProperty({ type: [RefusalSeriesView] })
  series!: RefusalSeriesView[];

  @ApiProperty({ type: [RefusalUnitView] })
  units!: RefusalUnitView[];

  @ApiProperty({ type: [BlockedUnitView], description: 'Units that cannot reserve anything now.' })
  blocked!: BlockedUnitView[];

  @ApiProperty({
    type: [ShedClassView],
    description: 'In units not blocked: classes whose rule refuses even the smallest reservation.',
  })
  shed!: ShedClassView[];
}

export class RefusalBufferView {
  @ApiProperty({ description: 'Keys waiting for the next flush.', example: 3 })
  pendingKeys!: number;

  @ApiProperty({ description: 'Refusals dropped since start (buffer full).', example: 0 })
  dropped!: number;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-29T17:32:40.000Z' })
  lastFlushAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  lastError!: string | null;
}
