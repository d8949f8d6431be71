// Property decorators shared by the allocation DTOs: each pairs the validation with its OpenAPI
// description and example, so the documentation cannot drift from what is checked.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { DOMAIN_LIMITS } from '../../domain';
import { IsAsOf, IsQuantityInput } from '../validators';

export const AMOUNT_DESCRIPTION =
  'In the dimension’s base unit (µWh, µgCO2e, gpu_ms, requests, tokens): a decimal integer string, ' +
  'or a JSON number when it is a safe integer.';

const amountSchema = {
  oneOf: [
    { type: 'string', pattern: '^(0|[1-9][0-9]{0,18})$' },
    { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ],
};

/** An exact amount, required. */
export function AmountProperty(
  description: string,
  example: string,
  options: { allowZero?: boolean } = {},
): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ ...amountSchema, description: `${description} ${AMOUNT_DESCRIPTION}`, example }),
    IsQuantityInput(options),
  );
}

/** An exact amount, optional. */
export function OptionalAmountProperty(
  description: string,
  example: string,
  options: { allowZero?: boolean } = {},
): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      ...amountSchema,
      description: `${description} ${AMOUNT_DESCRIPTION}`,
      example,
    }),
    IsOptional(),
    IsQuantityInput(options),
  );
}

/** A client-chosen id (unit, budget, reservation...): 1 to 90 characters. */
export function IdProperty(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description, example, minLength: 1, maxLength: DOMAIN_LIMITS.idLength }),
    IsString(),
    Length(1, DOMAIN_LIMITS.idLength),
  );
}

export function OptionalIdProperty(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example, minLength: 1, maxLength: DOMAIN_LIMITS.idLength }),
    IsOptional(),
    IsString(),
    Length(1, DOMAIN_LIMITS.idLength),
  );
}

/** Why this change was made; goes to the events' metadata.reason and the unit history. */
export function ReasonProperty(example = 'Q1 re-organisation'): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: 'Why: recorded with the events (metadata.reason) and shown in the history.',
      example,
      maxLength: DOMAIN_LIMITS.reasonLength,
    }),
    IsOptional(),
    IsString(),
    MaxLength(DOMAIN_LIMITS.reasonLength),
  );
}

export function AsOfProperty(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description:
        'Time travel: the state as of an ISO-8601 instant with a zone (events recorded at or ' +
        'before it) or a global ledger position (`position:<n>`, inclusive). Absent: now.',
      example: '2026-03-15T00:00:00Z',
    }),
    IsOptional(),
    IsAsOf(),
  );
}

/** `?asOf=` alone. */
export class AsOfQuery {
  @AsOfProperty()
  asOf?: string;
}

/** A body with only an optional reason (archive, retire, release...). */
export class ReasonBody {
  @ReasonProperty()
  reason?: string;
}
