// Property decorators shared by the billing DTOs: each pairs the validation with its OpenAPI
// description and example, so the documentation cannot drift from what is checked. The period's
// calendar rules (YYYY-MM, years 2000–2999) are the domain's: parsePeriodKey answers
// BILLING.INVALID_PERIOD; here only its shape is checked.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export const UNIT_ID_MAX_LENGTH = 200;
export const REASON_MAX_LENGTH = 500;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
/** Unit ids: no control characters, no lone UTF-16 surrogates (PostgreSQL refuses them: 500). */
export const UNIT_ID_PATTERN =
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  /^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/;
/** Free text: line breaks and tabs allowed; NUL, other controls and lone surrogates are not. */
export const TEXT_PATTERN =
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  /^(?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const UNIT_ID_MESSAGE = 'unitId must not contain control characters or lone surrogates';
const TEXT_MESSAGE = 'reason must not contain NUL, control characters or lone surrogates';

export function PeriodProperty(
  description = 'Billing period: a calendar month in UTC.',
): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description, example: '2026-11', pattern: '^[0-9]{4}-[0-9]{2}$' }),
    IsString(),
    MaxLength(7),
  );
}

export function OptionalPeriodProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example: '2026-11', pattern: '^[0-9]{4}-[0-9]{2}$' }),
    IsOptional(),
    IsString(),
    MaxLength(7),
  );
}

export function OptionalUnitProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example: 'bu-retail', maxLength: UNIT_ID_MAX_LENGTH }),
    IsOptional(),
    IsString(),
    Length(1, UNIT_ID_MAX_LENGTH),
    Matches(UNIT_ID_PATTERN, { message: UNIT_ID_MESSAGE }),
  );
}

export function OptionalCurrencyProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example: 'EUR', pattern: '^[A-Z]{3}$' }),
    IsOptional(),
    IsString(),
    Matches(CURRENCY_PATTERN, { message: 'currency must be an ISO 4217 code (3 capital letters)' }),
  );
}

export function BooleanQueryProperty(description: string, fallback: boolean): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, enum: ['true', 'false'], default: String(fallback) }),
    IsOptional(),
    IsIn(['true', 'false']),
  );
}

/** Why this change was made; goes to the events' metadata.reason. */
export function ReasonProperty(example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: 'Why: recorded with the events (metadata.reason).',
      example,
      maxLength: REASON_MAX_LENGTH,
    }),
    IsOptional(),
    IsString(),
    MaxLength(REASON_MAX_LENGTH),
    Matches(TEXT_PATTERN, { message: TEXT_MESSAGE }),
  );
}

/** `{currency}` in a path. */
export class CurrencyParams {
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$' })
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'currency must be an ISO 4217 code (3 capital letters)' })
  currency!: string;
}

/** `{unitId}` in a path. */
export class UnitParams {
  @ApiProperty({ example: 'team-search', maxLength: UNIT_ID_MAX_LENGTH })
  @IsString()
  @Length(1, UNIT_ID_MAX_LENGTH)
  @Matches(UNIT_ID_PATTERN, { message: UNIT_ID_MESSAGE })
  unitId!: string;
}
