import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DOMAIN_LIMITS } from '../../domain';
import { HISTORY_MAX_LIMIT } from '../../read';
import { AsOfProperty, IdProperty, OptionalIdProperty, ReasonProperty } from './common.dto';

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const WEIGHT = /^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/;

/** Attribute values: each an integer or decimal string (a weight), or null to remove it. */
function IsAttributeValues(): PropertyDecorator {
  const problem = (value: unknown): string | undefined => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return 'must be an object of name → value';
    const entries = Object.entries(value);
    if (entries.length > DOMAIN_LIMITS.attributesPerVersion)
      return `must have at most ${DOMAIN_LIMITS.attributesPerVersion} attributes`;
    for (const [name, weight] of entries) {
      if (name.length === 0 || name.length > DOMAIN_LIMITS.idLength)
        return `has an attribute name of bad length`;
      if (weight !== null && (typeof weight !== 'string' || !WEIGHT.test(weight)))
        return `.${name} must be a non-negative decimal string (at most 18 decimals) or null`;
    }
    return undefined;
  };
  return ValidateBy({
    name: 'isAttributeValues',
    validator: {
      validate: (value: unknown) => problem(value) === undefined,
      defaultMessage: (args) => `${args?.property ?? 'values'} ${problem(args?.value) ?? ''}`,
    },
  });
}

export class AttributesBody {
  @ApiProperty({
    description: 'Calendar date (YYYY-MM-DD) from which these values hold.',
    example: '2026-03-01',
  })
  @IsString()
  @Matches(DATE, { message: 'effectiveFrom must be a date YYYY-MM-DD' })
  effectiveFrom!: string;

  @ApiProperty({
    description:
      'Named weights the allocation criteria use (headcount, revenue...): integer or decimal ' +
      'strings; null removes an attribute from that date on.',
    example: { headcount: '42', revenue: '1250000.50' },
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
  })
  @IsAttributeValues()
  values!: Record<string, string | null>;
}

export class CreateUnitBody {
  @IdProperty('Client-chosen unit id, unique in the organisation.', 'team-search')
  unitId!: string;

  @ApiProperty({
    description: 'The parent unit; null creates a root (a perimeter).',
    example: 'bu-retail',
    nullable: true,
    type: String,
  })
  @ValidateIf((body: CreateUnitBody) => body.parentId !== null)
  @IsString()
  @Length(1, DOMAIN_LIMITS.idLength)
  parentId!: string | null;

  @ApiProperty({ description: 'Display name.', example: 'Search team', maxLength: 200 })
  @IsString()
  @Length(1, DOMAIN_LIMITS.nameLength)
  name!: string;

  @ApiPropertyOptional({ description: 'Initial attributes.', type: AttributesBody })
  @IsOptional()
  @ValidateNested()
  @Type(() => AttributesBody)
  attributes?: AttributesBody;

  @ReasonProperty('New search team')
  reason?: string;
}

export class RenameUnitBody {
  @ApiProperty({ description: 'The new display name.', example: 'Search & discovery' })
  @IsString()
  @Length(1, DOMAIN_LIMITS.nameLength)
  name!: string;

  @ReasonProperty('Team renamed')
  reason?: string;
}

export class MoveUnitBody {
  @ApiProperty({
    description: 'The new parent; null makes the unit a root. A unit cannot move below itself.',
    example: 'bu-corporate',
    nullable: true,
    type: String,
  })
  @ValidateIf((body: MoveUnitBody) => body.newParentId !== null)
  @IsString()
  @Length(1, DOMAIN_LIMITS.idLength)
  newParentId!: string | null;

  @ReasonProperty('Search moves to corporate')
  reason?: string;
}

export class SetAttributesBody extends AttributesBody {
  @ReasonProperty('Headcount after hiring')
  reason?: string;
}

export class SubtreeQuery {
  @ApiPropertyOptional({
    description: 'Include archived units (default false).',
    enum: ['true', 'false'],
    example: 'false',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeArchived?: 'true' | 'false';

  @AsOfProperty()
  asOf?: string;
}

export const HISTORY_LIMIT_MAX = HISTORY_MAX_LIMIT;

export class HistoryQuery {
  @OptionalIdProperty('Only events of this budget (and the organisation’s).', 'energy-2026-03')
  budgetId?: string;

  @ApiPropertyOptional({
    description: `Events per page, newest first (default 100, at most ${HISTORY_LIMIT_MAX}).`,
    example: 50,
    minimum: 1,
    maximum: HISTORY_LIMIT_MAX,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(HISTORY_LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Page: only events at a global position below this one (from `nextBefore`).',
    example: '18234',
  })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'before must be a ledger position (digits)' })
  before?: string;
}
