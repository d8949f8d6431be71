// Operations of the ingestion service: its ledger's hash chains. Ingestion keeps no projection
// of its ledger (the dedup index and the learned units are written with the events they follow),
// so there is nothing to replay; the chains are what an auditor checks.
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PostgresEventStore } from '@plafond/ledger';
import { Roles, jsonSafe, ledgerVerifyView } from '@plafond/platform';

export const LedgerVerifyView = ledgerVerifyView({ eventsChecked: 1842, streamsChecked: 1842 });

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
