import { Body, Controller, Get, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { PriceSchedules } from '../application';
import { contextOf } from './access';
import { CurrencyParams } from './dto/common.dto';
import {
  EffectiveScheduleQuery,
  PriceScheduleBody,
  SCHEDULE_EXAMPLE,
  ScheduleListQuery,
  ScheduleVersionParams,
} from './dto/schedules.dto';
import { BillingErrorInterceptor } from './error-mapping';
import { ApiErrors } from './openapi-errors';
import { Operation, READ_ROLES, ROLES_DOC, WRITE_ROLES } from './operation';
import { scheduleView } from './present';
import { parseInstantQuery } from './query-parsing';
import { PriceScheduleView, PublicationView } from './views';

@ApiTags('price-schedules')
@Controller('v1/price-schedules')
@UseInterceptors(BillingErrorInterceptor)
export class PriceSchedulesHttpController {
  constructor(private readonly schedules: PriceSchedules) {}

  @Post()
  @Roles(...WRITE_ROLES)
  @Operation({
    summary: 'Publish a price schedule version',
    roles: ROLES_DOC.write,
    description:
      'The next version of the currency’s internal carbon price, effective from `effectiveFrom` ' +
      'until the next version’s. Amounts are decimal strings (≤ 6 decimals; percentages ≤ 4). ' +
      'Every problem of the body is reported at once in `details.issues`. Lines already booked ' +
      'are never re-priced; usage held for want of a schedule and now covered is priced in the ' +
      'same transaction (`pricedHeldUsage`).',
  })
  @ApiBody({
    type: PriceScheduleBody,
    examples: { eur: { summary: 'EUR', value: SCHEDULE_EXAMPLE } },
  })
  @ApiCreatedResponse({ type: PublicationView })
  @ApiErrors(
    'BILLING.INVALID_SCHEDULE',
    'BILLING.SCHEDULE_NOT_AFTER_LATEST',
    'BILLING.SCHEDULE_IN_CLOSED_PERIOD',
    'LEDGER.CONCURRENCY',
  )
  async publish(@CurrentPrincipal() caller: Principal, @Body() body: unknown) {
    const published = await this.schedules.publish(body, contextOf(caller));
    return {
      schedule: scheduleView(published.schedule),
      pricedHeldUsage: published.pricedHeldUsage,
    };
  }

  @Get()
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'Price schedule versions',
    roles: ROLES_DOC.read,
    description: 'Every version, by currency then version; `currency` keeps one currency’s.',
  })
  @ApiOkResponse({ type: PriceScheduleView, isArray: true })
  @ApiErrors()
  async list(@Query() query: ScheduleListQuery) {
    const versions = await this.schedules.list(query.currency);
    return versions.map((schedule) => scheduleView(schedule));
  }

  @Get(':currency/versions/:version')
  @Roles(...READ_ROLES)
  @Operation({ summary: 'One price schedule version', roles: ROLES_DOC.read })
  @ApiOkResponse({ type: PriceScheduleView })
  @ApiErrors('BILLING.SCHEDULE_NOT_FOUND')
  async version(@Param() params: ScheduleVersionParams) {
    return scheduleView(await this.schedules.get(params.currency, Number(params.version)));
  }

  @Get(':currency/effective')
  @Roles(...READ_ROLES)
  @Operation({
    summary: 'The price schedule in force at an instant',
    roles: ROLES_DOC.read,
    description: 'The version whose effectiveFrom is the latest at or before `at`.',
  })
  @ApiOkResponse({ type: PriceScheduleView })
  @ApiErrors('BILLING.SCHEDULE_NOT_FOUND', 'BILLING.INVALID_QUERY')
  async effective(@Param() params: CurrencyParams, @Query() query: EffectiveScheduleQuery) {
    const at = parseInstantQuery(query.at, 'at');
    const schedule = await this.schedules.effectiveAt(params.currency, at);
    return scheduleView(schedule);
  }
}
