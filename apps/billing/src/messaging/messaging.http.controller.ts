import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { DEAD_LETTER_LIST_LIMITS, DeadLetters, PlafondError, Roles } from '@plafond/platform';
import { BillingMessagingStatus } from './messaging.status';

/** JSON-safe copy of a report: bigints become decimal strings, dates ISO instants. */
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
export class BillingMessagingHttpController {
  constructor(
    private readonly status: BillingMessagingStatus,
    private readonly deadLetters: DeadLetters,
  ) {}

  @Get()
  @Roles('auditor')
  @ApiOperation({
    summary:
      'The Kafka edge: relay checkpoint and lag, usage and allocation consumers (state, outcome ' +
      'counts since start), dead-letter count (roles: admin, auditor); counters as decimal strings',
  })
  @ApiOkResponse({
    description: 'BillingMessagingStatus.report()',
    schema: {
      example: {
        relay: {
          state: 'running',
          attempts: 1,
          enabled: true,
          topic: 'plafond.billing.events.v1',
          subscription: { state: 'running', checkpoint: '1842' },
          lag: { eventsBehind: '0' },
        },
        usageConsumer: {
          state: 'running',
          attempts: 1,
          enabled: true,
          topic: 'plafond.usage.recorded.v1',
          groupId: 'plafond-billing.usage',
          counts: { charged: 1200, unpriced: 3, held: 0, duplicate: 2, deadLettered: 1 },
        },
        allocationConsumer: {
          state: 'running',
          attempts: 1,
          enabled: true,
          topic: 'plafond.allocation.events.v1',
          groupId: 'plafond-billing.allocation',
          counts: { applied: 310, ignored: 95, deadLettered: 0 },
        },
        deadLetters: { count: 1 },
      },
    },
  })
  async get() {
    return withBigintsAsStrings(await this.status.report());
  }

  @Get('dead-letters')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Kafka records the consumers could not apply (not a CloudEvent, another type, data ' +
      'breaking the contract, BILLING.UNKNOWN_USAGE), oldest first, values previewed (4 KiB) ' +
      '(roles: admin, auditor)',
  })
  @ApiQuery({ name: 'limit', required: false, example: DEAD_LETTER_LIST_LIMITS.defaultLimit })
  @ApiQuery({ name: 'after', required: false, example: '120', description: 'last id seen' })
  @ApiOkResponse({ description: '{ items: DeadLetterView[], nextAfter: string | null }' })
  list(@Query('limit') limit?: string, @Query('after') after?: string) {
    let parsedLimit: number | undefined;
    if (limit !== undefined) {
      parsedLimit = /^[0-9]{1,4}$/.test(limit) ? Number(limit) : Number.NaN;
    }
    return this.deadLetters.list({
      ...(parsedLimit === undefined ? {} : { limit: parsedLimit }),
      ...(after === undefined ? {} : { after }),
    });
  }

  @Get('dead-letters/:deadLetterId')
  @Roles('auditor')
  @ApiOperation({ summary: 'One dead letter with its whole value (roles: admin, auditor)' })
  @ApiParam({ name: 'deadLetterId', example: '121' })
  @ApiOkResponse({ description: 'DeadLetterView' })
  @ApiNotFoundResponse({ description: 'DEAD_LETTER.NOT_FOUND' })
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
}
