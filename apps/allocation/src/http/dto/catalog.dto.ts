import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { ClassRule } from '../../domain';
import { IdProperty, ReasonProperty } from './common.dto';
import { OnlyWhen } from '../validators';

const DESCRIPTION_MAX = 500;
const isAllowed = (rule: object) => (rule as ClassRuleBody).kind === 'allowed';

export class ClassRuleBody {
  @ApiProperty({
    description:
      '`allowed` (optionally capped or shed) or `prohibited` (every reservation refused).',
    enum: ['allowed', 'prohibited'],
    example: 'allowed',
  })
  @IsIn(['allowed', 'prohibited'])
  kind!: 'allowed' | 'prohibited';

  @ApiPropertyOptional({
    description:
      'Cap: the class’s reserved + committed stays within this share of the unit’s allocation ' +
      '(basis points, 10 000 = 100 %). Only for `allowed`.',
    example: 2000,
    minimum: 0,
    maximum: 10000,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  @OnlyWhen(isAllowed, 'is only for kind "allowed"')
  capShareBasisPoints?: number;

  @ApiPropertyOptional({
    description:
      'Shedding: no new reservation of this class may take the unit’s utilisation above this ' +
      'level (basis points). Discretionary uses are shed first under scarcity. Only for `allowed`.',
    example: 8000,
    minimum: 0,
    maximum: 10000,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  @OnlyWhen(isAllowed, 'is only for kind "allowed"')
  shedAboveUtilisationBasisPoints?: number;
}

export function classRuleOf(body: ClassRuleBody): ClassRule {
  if (body.kind === 'prohibited') return { kind: 'prohibited' };
  return {
    kind: 'allowed',
    ...(body.capShareBasisPoints === undefined
      ? {}
      : { capShareBasisPoints: body.capShareBasisPoints }),
    ...(body.shedAboveUtilisationBasisPoints === undefined
      ? {}
      : { shedAboveUtilisationBasisPoints: body.shedAboveUtilisationBasisPoints }),
  };
}

export class DefineClassBody {
  @IdProperty('Class name, unique in the catalog.', 'discretionary')
  className!: string;

  @ApiProperty({
    description: 'What belongs here.',
    example: 'Nice-to-have uses, shed first under scarcity',
  })
  @IsString()
  @Length(1, DESCRIPTION_MAX)
  description!: string;

  @ApiProperty({ type: ClassRuleBody })
  @ValidateNested()
  @Type(() => ClassRuleBody)
  rule!: ClassRuleBody;

  @ReasonProperty('Catalog set-up')
  reason?: string;
}

export class ChangeClassRuleBody {
  @ApiProperty({
    type: ClassRuleBody,
    example: { kind: 'allowed', capShareBasisPoints: 1000, shedAboveUtilisationBasisPoints: 7000 },
  })
  @ValidateNested()
  @Type(() => ClassRuleBody)
  rule!: ClassRuleBody;

  @ReasonProperty('Tighter rules for the energy crunch')
  reason?: string;
}

export class RegisterUseCaseBody {
  @IdProperty('Use-case id, as services report it in usage.', 'support-triage')
  useCase!: string;

  @IdProperty('The usefulness class it belongs to.', 'essential')
  className!: string;

  @ApiProperty({ description: 'What it is.', example: 'Routing of customer support tickets' })
  @IsString()
  @Length(1, DESCRIPTION_MAX)
  description!: string;

  @ReasonProperty('New use case')
  reason?: string;
}

export class ReclassifyUseCaseBody {
  @IdProperty('The class it moves to.', 'standard')
  className!: string;

  @ReasonProperty('No longer critical')
  reason?: string;
}
