// Operations of the ingestion service: its ledger's hash chains. Ingestion keeps no projection
// of its ledger (the dedup index and the learned units are written with the events they follow),
// so there is nothing to replay; the chains are what an auditor checks.
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { PostgresEventStore } from '@plafond/ledger';
import { Roles } from '@plafond/platform';

export class LedgerVerifyView {
  @ApiProperty({ example: true }) ok!: boolean;
  @ApiProperty({ example: 1842 }) eventsChecked!: number;
  @ApiProperty({ example: 1842 }) streamsChecked!: number;
}

/** Bigints (a broken link's positions) as decimal strings, like every quantity in the API. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, jsonSafe(entry)]));
  return value;
}

@ApiTags('admin')
@Controller('v1/admin')
export class IngestionAdminHttpController {
  constructor(private readonly store: PostgresEventStore) {}

  @Get('ledger/verify')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Verify the ledger’s hash chains: recomputes every event hash of every stream and reports ' +
      'the first broken link (roles: admin, auditor)',
  })
  @ApiOkResponse({ type: LedgerVerifyView })
  async verify() {
    return jsonSafe(await this.store.verify());
  }
}
