import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import type { IntegratorView } from './integrator.service';

export const INTEGRATOR_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/**
 * Text PostgreSQL can store: no NUL and no lone UTF-16 surrogate (a pair is one character).
 * Anything else is refused with 400 REQUEST.INVALID instead of failing in the database.
 */
// eslint-disable-next-line no-control-regex -- NUL is what this pattern refuses
export const STORABLE_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const storableMessage = (field: string) => ({
  message: `${field} must not contain NUL characters or lone surrogates`,
});
const MAX_UNITS = 1000;

export class CreateIntegratorBody {
  @ApiProperty({ example: 'llm-gateway', pattern: INTEGRATOR_ID_PATTERN.source })
  @IsString()
  @Matches(INTEGRATOR_ID_PATTERN, {
    message:
      'integratorId must be 1 to 100 of a-z, 0-9, ".", "_", "-", starting with a letter or digit',
  })
  integratorId!: string;

  @ApiProperty({ example: 'Search LLM gateway', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  @Matches(STORABLE_TEXT, storableMessage('name'))
  name!: string;

  @ApiProperty({
    description:
      'The CloudEvents `source` every event of this integrator carries (unique across integrators).',
    example: 'urn:acme:llm-gateway',
  })
  @IsString()
  @Length(1, 1024)
  @Matches(/^\S+$/, { message: 'source must be a URI-reference without spaces' })
  @Matches(STORABLE_TEXT, storableMessage('source'))
  source!: string;

  @ApiProperty({
    description: 'Units the integrator may report for; null: every unit.',
    example: ['bu-retail', 'bu-search'],
    nullable: true,
    type: [String],
  })
  @ValidateIf((body: CreateIntegratorBody) => body.unitIds !== null)
  @IsArray()
  @ArrayMaxSize(MAX_UNITS)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  @Matches(STORABLE_TEXT, { each: true, ...storableMessage('unitIds') })
  unitIds!: string[] | null;
}

export class UpdateIntegratorUnitsBody {
  @ApiProperty({
    description: 'Units the integrator may report for; null: every unit.',
    example: ['bu-retail'],
    nullable: true,
    type: [String],
  })
  @ValidateIf((body: UpdateIntegratorUnitsBody) => body.unitIds !== null)
  @IsArray()
  @ArrayMaxSize(MAX_UNITS)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  @Matches(STORABLE_TEXT, { each: true, ...storableMessage('unitIds') })
  unitIds!: string[] | null;
}

export class CreateIntegratorKeyBody {
  @ApiPropertyOptional({ description: 'Shown in key lists; default `integrator:<id>`.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(STORABLE_TEXT, storableMessage('name'))
  name?: string;
}

export class IntegratorDto implements IntegratorView {
  @ApiProperty({ example: 'llm-gateway' }) integratorId!: string;
  @ApiProperty({ example: 'Search LLM gateway' }) name!: string;
  @ApiProperty({ example: 'urn:acme:llm-gateway' }) source!: string;
  @ApiProperty({ example: ['bu-retail'], nullable: true, type: [String] })
  unitIds!: string[] | null;
  @ApiProperty({ example: '2026-11-29T07:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) disabledAt!: string | null;
}

export class IntegratorKeyDto {
  @ApiProperty({ example: 'k7d2m9x4q1ab' }) keyId!: string;
  @ApiProperty({ example: 'integrator:llm-gateway' }) name!: string;
  @ApiProperty({ example: 'integrator' }) role!: string;
  @ApiProperty({ example: 'admin:exampleadmin' }) createdBy!: string;
  @ApiProperty({ example: '2026-11-29T07:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) revokedBy!: string | null;
}

export class CreatedIntegratorKeyDto extends IntegratorKeyDto {
  @ApiProperty({
    description: 'The whole key, `plf_<keyId>_<secret>`: shown this once only.',
    example: 'plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo',
  })
  key!: string;
}

export class RotatedIntegratorKeyDto {
  @ApiProperty({ type: CreatedIntegratorKeyDto }) created!: CreatedIntegratorKeyDto;
  @ApiProperty({ type: IntegratorKeyDto }) revoked!: IntegratorKeyDto;
}
