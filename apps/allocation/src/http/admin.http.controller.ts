import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { PostgresEventStore } from '@plafond/ledger';
import { DeadLetters, PlafondError, Roles, jsonSafe } from '@plafond/platform';
import { MessagingStatus } from '../messaging';
import { ProjectionStatus } from '../read';
import { DeadLetterQuery } from './dto/admin.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import {
  DeadLetterPageView,
  DeadLetterView,
  LedgerVerifyView,
  MessagingStatusView,
  ProjectionReplayView,
  ProjectionStatusView,
} from './views';

@ApiTags('operations')
@Controller('v1/admin')
@UseInterceptors(AllocationErrorInterceptor)
export class AdminHttpController {
  constructor(
    private readonly deadLetters: DeadLetters,
    private readonly projections: ProjectionStatus,
    private readonly messaging: MessagingStatus,
    private readonly store: PostgresEventStore,
  ) {}

  @Get('dead-letters')
  @Roles('auditor')
  @Operation({
    summary: 'Messages the usage consumer could not use',
    roles: ROLES_DOC.operations,
    description:
      'Kafka records that were not a valid usage.recorded CloudEvent (or that the domain ' +
      'refused), kept with topic, partition, offset, key, headers, a preview of the value and ' +
      'the error, oldest first. They never block the partition.',
  })
  @ApiOkResponse({ type: DeadLetterPageView })
  @ApiErrors()
  list(@Query() query: DeadLetterQuery) {
    return this.deadLetters.list({
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.after === undefined ? {} : { after: query.after }),
    });
  }

  @Get('dead-letters/:deadLetterId')
  @Roles('auditor')
  @Operation({
    summary: 'One dead letter with its whole value',
    roles: ROLES_DOC.operations,
  })
  @ApiParam({ name: 'deadLetterId', example: '121' })
  @ApiOkResponse({ type: DeadLetterView })
  @ApiErrors('DEAD_LETTER.NOT_FOUND')
  async deadLetter(@Param('deadLetterId') deadLetterId: string) {
    const found = await this.deadLetters.get(deadLetterId);
    if (found === null) {
      throw new PlafondError(
        'DEAD_LETTER.NOT_FOUND',
        `dead letter "${deadLetterId}" not found`,
        { deadLetterId },
        404,
      );
    }
    return found;
  }

  @Get('projections')
  @Roles('auditor')
  @Operation({
    summary: 'Read-model projections and their lag',
    roles: ROLES_DOC.operations,
    description:
      'The unit_balances projection (balance queries read the ledger, not this table, so a lag ' +
      'never makes a balance stale).',
  })
  @ApiOkResponse({ type: ProjectionStatusView, isArray: true })
  @ApiErrors()
  projectionStatus() {
    return this.projections.status();
  }

  @Get('replay')
  @Roles('auditor')
  @Operation({
    summary: 'Rebuild the unit_balances projection from the ledger and compare digests',
    roles: ROLES_DOC.operations,
    description:
      'Digests the live projection at its checkpoint, replays every allocation event up to it ' +
      'into a temporary schema with the same fold, and compares. `match: false` means the live ' +
      'table differs from what the ledger says. Wait for `GET /v1/admin/projections` to show no ' +
      'lag first if the check must cover the latest events.',
  })
  @ApiOkResponse({ type: ProjectionReplayView })
  @ApiErrors()
  async replay() {
    return this.projections.replay();
  }

  @Get('ledger/verify')
  @Roles('auditor')
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

  @Get('messaging')
  @Roles('auditor')
  @Operation({
    summary: 'The Kafka edge: relay, usage consumer, dead letters',
    roles: ROLES_DOC.operations,
  })
  @ApiOkResponse({ type: MessagingStatusView })
  @ApiErrors()
  async messagingStatus() {
    return jsonSafe(await this.messaging.report());
  }
}
