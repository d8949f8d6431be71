import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PostgresEventStore } from '@plafond/ledger';
import { Roles } from '@plafond/platform';
import { BillingReports } from '../read';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors } from './openapi-errors';
import { OPERATIONS_ROLES, Operation, ROLES_DOC } from './operation';
import { jsonSafe } from './present';
import { LedgerVerifyView, ReplayView } from './views';

@ApiTags('operations')
@Controller('v1/admin')
@UseInterceptors(BillingErrorInterceptor)
export class BillingAdminHttpController {
  constructor(
    private readonly reports: BillingReports,
    private readonly store: PostgresEventStore,
  ) {}

  @Get('replay')
  @Roles(...OPERATIONS_ROLES)
  @Operation({
    summary: 'Rebuild the billing books from the ledger and compare digests',
    roles: ROLES_DOC.operations,
    description:
      'Replays every billing event into a temporary schema with the same projection ' +
      '(`billing-books`) and compares its digest with the live tables’ at the same ledger head. ' +
      '`match: false` means the live books differ from what the ledger says.',
  })
  @ApiOkResponse({ type: ReplayView })
  @ApiErrors('BILLING.REPLAY_NOT_SETTLED')
  async replay() {
    return jsonSafe(await this.reports.verifyReplay());
  }

  @Get('ledger/verify')
  @Roles(...OPERATIONS_ROLES)
  @Operation({
    summary: 'Verify the ledger’s hash chains',
    roles: ROLES_DOC.operations,
    description: 'Recomputes every event hash of every stream; reports the first broken link.',
  })
  @ApiOkResponse({ type: LedgerVerifyView })
  @ApiErrors()
  async verify() {
    return jsonSafe(await this.store.verify());
  }
}
