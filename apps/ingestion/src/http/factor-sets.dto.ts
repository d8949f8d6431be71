import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Length } from 'class-validator';

export class PublishFactorSetBody {
  @ApiProperty({
    description:
      'The factor set in its JSON form (see docs/conversion.md; numbers as decimal strings). ' +
      'Its window is re-rated: recorded usage gets UsageAdjusted deltas.',
    example: {
      version: 'acme-2026.2',
      effectiveFrom: '2026-11-01T00:00:00Z',
      description: 'Corrected French grid intensity',
    },
  })
  @IsObject()
  factorSet!: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Publish even if some recorded usage cannot be converted (it keeps its values).',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  allowRerateFailures?: boolean;

  @ApiPropertyOptional({ description: 'Why; goes to the events’ metadata.reason.' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class FactorSetViewDto {
  @ApiProperty({ example: 'plafond-default-2026.1' }) version!: string;
  @ApiProperty({ example: '2020-01-01T00:00:00.000Z' }) effectiveFrom!: string;
  @ApiPropertyOptional({ example: '2027-01-01T00:00:00.000Z' }) effectiveTo?: string;
  @ApiProperty({ example: 'Default factors, each citing its source' }) description!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) publishedAt!: string | null;
  @ApiProperty({ example: true }) builtIn!: boolean;
}

export class PublicationResultDto {
  @ApiProperty({ type: FactorSetViewDto }) factorSet!: FactorSetViewDto;
  @ApiProperty({ example: 42, description: 'Recorded usages re-rated (one UsageAdjusted each).' })
  adjusted!: number;
  @ApiProperty({ example: '-1250000' }) energyDeltaMicroWh!: string;
  @ApiProperty({ example: '-310000' }) carbonDeltaMicroGrams!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) failures!: unknown[];
}
