import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const DEAD_LETTER_PAGE_MAX = 200;

export class DeadLetterQuery {
  @ApiPropertyOptional({
    description: `Rows per page, oldest first (default 50, at most ${DEAD_LETTER_PAGE_MAX}).`,
    example: 50,
    minimum: 1,
    maximum: DEAD_LETTER_PAGE_MAX,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DEAD_LETTER_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Page: rows after this dead-letter id (the previous page’s `nextAfter`).',
    example: '120',
  })
  @IsOptional()
  @Matches(/^(0|[1-9][0-9]{0,17})$/, { message: 'after must be a dead letter id (digits)' })
  after?: string;
}
