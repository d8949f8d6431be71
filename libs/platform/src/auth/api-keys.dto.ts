import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ROLE_NAME_PATTERN } from './access';
import { EXAMPLE_API_KEY, KEY_ID_PATTERN } from './api-key';
import { API_KEY_NAME_MAX_LENGTH, SCOPE_UNIT_ID_MAX_LENGTH } from './api-key.schema';
import type { ApiKeyPage, ApiKeyView, CreatedApiKeyView } from './api-keys.service';

export const EXAMPLE_KEY_ID = 'k7d2m9x4q1ab';

export class CreateApiKeyBody {
  @ApiProperty({
    description: 'What the key is for, shown in lists and logs.',
    example: 'search-gateway',
    minLength: 1,
    maxLength: API_KEY_NAME_MAX_LENGTH,
  })
  @IsString()
  @Length(1, API_KEY_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({
    description: 'One of the roles this service declares (see the service’s documentation).',
    example: 'service',
  })
  @IsString()
  @Matches(ROLE_NAME_PATTERN, { message: 'role must be a role name (a-z, 0-9, _)' })
  role!: string;

  @ApiPropertyOptional({
    description:
      'The unit whose subtree the key acts on: required for scoped roles (e.g. unit_manager), ' +
      'refused for the others.',
    example: null,
    nullable: true,
    type: String,
    maxLength: SCOPE_UNIT_ID_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @Length(1, SCOPE_UNIT_ID_MAX_LENGTH)
  scopeUnitId?: string | null;
}

export class ApiKeyListQuery {
  @ApiPropertyOptional({
    description: 'Also list revoked keys.',
    enum: ['true', 'false'],
    default: 'false',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeRevoked?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'Page size.', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'limit must be an integer from 1 to 1000' })
  @Min(1, { message: 'limit must be an integer from 1 to 1000' })
  @Max(1000, { message: 'limit must be an integer from 1 to 1000' })
  limit?: number;

  @ApiPropertyOptional({
    description: 'The previous page’s `nextAfter`: keys whose id sorts after it.',
    example: EXAMPLE_KEY_ID,
  })
  @IsOptional()
  @Matches(KEY_ID_PATTERN, { message: 'after must be a key id (12 characters a-z, 0-9)' })
  after?: string;
}

export class ApiKeyViewDto implements ApiKeyView {
  @ApiProperty({
    description: 'Public part of the key; names it in lists, logs and audit trails.',
    example: EXAMPLE_KEY_ID,
  })
  keyId!: string;

  @ApiProperty({ example: 'search-gateway' })
  name!: string;

  @ApiProperty({ example: 'service' })
  role!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  scopeUnitId!: string | null;

  @ApiProperty({
    description: '`<role>:<keyId>` of the admin who created it, or `config:ADMIN_API_KEY`.',
    example: 'admin:a0b1c2d3e4f5',
  })
  createdBy!: string;

  @ApiProperty({ example: '2026-03-01T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedBy!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyViewDto implements CreatedApiKeyView {
  @ApiProperty({
    description:
      'The whole key, `plf_<keyId>_<secret>`. Shown this once: only a hash of the secret is ' +
      'stored. Send it as `Authorization: Bearer <key>` or `X-Api-Key: <key>`.',
    example: EXAMPLE_API_KEY,
  })
  key!: string;
}

export class ApiKeyPageDto implements ApiKeyPage {
  @ApiProperty({ type: ApiKeyViewDto, isArray: true })
  items!: ApiKeyViewDto[];

  @ApiProperty({ type: String, nullable: true, example: null })
  nextAfter!: string | null;
}
