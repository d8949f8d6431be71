import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@plafond/platform';
import { IngestionMessagingStatus } from './messaging.status';

/** JSON-safe copy of a report: bigints become decimal strings. */
export function withBigintsAsStrings(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(withBigintsAsStrings);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, withBigintsAsStrings(entry)]),
    );
  return value;
}

@ApiTags('admin')
@Controller('v1/admin/messaging')
export class IngestionMessagingHttpController {
  constructor(private readonly status: IngestionMessagingStatus) {}

  @Get()
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Relay checkpoint and lag, consumer states, raw outcome counts, last dedup pruning ' +
      '(roles: admin, auditor); counters as decimal strings',
  })
  @ApiOkResponse({ description: 'IngestionMessagingStatus.report()' })
  async get() {
    return withBigintsAsStrings(await this.status.report());
  }
}
