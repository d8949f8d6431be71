// Price schedule requests. The body is validated by the domain (parsePriceScheduleInput) so that
// every problem is answered at once as BILLING.INVALID_SCHEDULE with `details.issues`
// (path, code, message); these classes document it for OpenAPI.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { CURRENCY_PATTERN, OptionalCurrencyProperty } from './common.dto';

export class OverrunTierBody {
  @ApiProperty({
    description:
      'Where the tier starts, in percent of the unit’s allocation (≤ 4 decimals); the first ' +
      'tier starts at "0" (the first unit over the allocation), tiers ascending.',
    example: '0',
  })
  fromPercentOfAllocation!: string;

  @ApiProperty({
    description:
      'Surcharge on the overrun part of a usage’s charge, percent (0–1000, ≤ 4 decimals).',
    example: '25',
  })
  surchargePercent!: string;
}

export const SCHEDULE_EXAMPLE = {
  currency: 'EUR',
  effectiveFrom: '2026-11-01T00:00:00Z',
  carbonPricePerTonne: '85.00',
  energyPricePerKwh: '0.02',
  classMultipliers: { essential: '1', useful: '1.25', discretionary: '2' },
  defaultMultiplier: '1',
  overrunTiers: [
    { fromPercentOfAllocation: '0', surchargePercent: '25' },
    { fromPercentOfAllocation: '20', surchargePercent: '100' },
  ],
  reason: 'FY27 internal carbon price approved by the CFO',
};

export class PriceScheduleBody {
  @ApiProperty({ description: 'ISO 4217 code.', example: 'EUR', pattern: '^[A-Z]{3}$' })
  currency!: string;

  @ApiProperty({
    description:
      'ISO-8601 instant with a zone. After the latest version’s, and not inside a closed period.',
    example: '2026-11-01T00:00:00Z',
  })
  effectiveFrom!: string;

  @ApiProperty({
    description: 'Internal carbon price per tonne CO2e: a decimal string, ≤ 6 decimals, ≤ 10^9.',
    example: '85.00',
  })
  carbonPricePerTonne!: string;

  @ApiPropertyOptional({
    description: 'Optional price per kWh (decimal string); null or absent: no energy component.',
    example: '0.02',
    nullable: true,
    type: String,
  })
  energyPricePerKwh?: string | null;

  @ApiPropertyOptional({
    description:
      'Multiplier per usefulness class (decimal strings 0–100, ≤ 6 decimals; ≤ 64 classes).',
    example: { essential: '1', useful: '1.25', discretionary: '2' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  classMultipliers?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Multiplier of a class not listed and of usage without a class. Default "1".',
    example: '1',
  })
  defaultMultiplier?: string;

  @ApiPropertyOptional({
    description: 'Surcharge tiers for usage beyond a unit’s allocation (≤ 10). Absent: none.',
    type: () => [OverrunTierBody],
    example: SCHEDULE_EXAMPLE.overrunTiers,
  })
  overrunTiers?: OverrunTierBody[];

  @ApiPropertyOptional({
    description: 'Why: recorded with the event (≤ 500 characters).',
    example: SCHEDULE_EXAMPLE.reason,
  })
  reason?: string;
}

export class ScheduleListQuery {
  @OptionalCurrencyProperty('Only this currency’s versions.')
  currency?: string;
}

export class ScheduleVersionParams {
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$' })
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'currency must be an ISO 4217 code (3 capital letters)' })
  currency!: string;

  @ApiProperty({ example: '2', pattern: '^[1-9][0-9]{0,8}$' })
  @IsString()
  @Matches(/^[1-9][0-9]{0,8}$/, { message: 'version must be a positive integer' })
  version!: string;
}

export class EffectiveScheduleQuery {
  @ApiProperty({
    description: 'The instant whose schedule is wanted (ISO-8601 with a zone).',
    example: '2026-11-15T12:00:00Z',
  })
  @IsString()
  @MaxLength(40)
  at!: string;
}
