import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DIMENSION_NAMES, type Dimension } from '@plafond/contracts';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DOMAIN_LIMITS } from '../../domain';
import { AmountProperty, IdProperty, OptionalIdProperty } from './common.dto';

export class ReserveBody {
  @IdProperty(
    'Client-chosen id: a retry with the same id and request returns the original answer; the ' +
      'same id with another request is IDEMPOTENCY.CONFLICT.',
    'job-7f3a',
  )
  reservationId!: string;

  @IdProperty('The unit whose quota is reserved.', 'team-search')
  unitId!: string;

  @AmountProperty('How much to hold.', '5000000', { allowZero: false })
  amount!: string | number;

  @IdProperty('The use case (decides the usefulness class and its rule).', 'support-triage')
  useCase!: string;

  @ApiProperty({
    description: `Held this long, then expired (ms, at most ${DOMAIN_LIMITS.reservationTimeoutMaxMs}).`,
    example: 300000,
    minimum: 1,
    maximum: DOMAIN_LIMITS.reservationTimeoutMaxMs,
  })
  @IsInt()
  @Min(1)
  @Max(DOMAIN_LIMITS.reservationTimeoutMaxMs)
  timeoutMs!: number;

  @OptionalIdProperty(
    'The budget; default: the one open budget covering the unit now (and `dimension`).',
    'energy-2026-03',
  )
  budgetId?: string;

  @ApiPropertyOptional({
    description: 'Picks the budget among the open ones covering the unit.',
    enum: DIMENSION_NAMES,
    example: 'energy',
  })
  @IsOptional()
  @IsIn(DIMENSION_NAMES)
  dimension?: Dimension;
}

export class CommitBody {
  @AmountProperty(
    'What was actually used, at most the reserved amount; the rest is released.',
    '4200000',
  )
  amount!: string | number;
}
