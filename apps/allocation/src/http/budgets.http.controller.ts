import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BudgetService } from '../application';
import { BudgetHistoryQueries, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from '../read';
import { contextOf } from './access';
import {
  BudgetHistoryQuery,
  BudgetListQuery,
  CloseBody,
  LowerCeilingBody,
  OpenBudgetBody,
  periodOf,
} from './dto/budgets.dto';
import { AsOfQuery } from './dto/common.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { amountOf, parseAsOf } from './request-parsing';
import { BudgetHistoryView, BudgetView } from './views';

export const budgetParam = ApiParam({ name: 'budgetId', example: 'energy-2026-03' });

@ApiTags('budgets')
@Controller('v1/budgets')
@UseInterceptors(AllocationErrorInterceptor)
export class BudgetsHttpController {
  constructor(
    private readonly budgets: BudgetService,
    private readonly history: BudgetHistoryQueries,
  ) {}

  @Post()
  @Operation({
    summary: 'Open a budget',
    roles: ROLES_DOC.admin,
    description:
      'A perimeter unit, a period (a calendar month by default, in a time zone), a dimension ' +
      'and a ceiling that can be lowered but never raised while the period is open.',
  })
  @ApiCreatedResponse({ type: BudgetView })
  @ApiErrors(
    'COMMAND.INVALID',
    'UNIT.NOT_FOUND',
    'BUDGET.ALREADY_EXISTS',
    'BUDGET.PERIOD_INVALID',
    'BUDGET.TIME_ZONE_INVALID',
  )
  open(@CurrentPrincipal() caller: Principal, @Body() body: OpenBudgetBody) {
    return this.budgets.open(contextOf(caller, body.reason), {
      budgetId: body.budgetId,
      perimeterUnitId: body.perimeterUnitId,
      dimension: body.dimension,
      period: periodOf(body.period),
      ceiling: amountOf(body.ceiling, 'ceiling'),
      ...(body.timeZone === undefined ? {} : { timeZone: body.timeZone }),
      ...(body.mode === undefined ? {} : { mode: body.mode }),
      ...(body.thresholdsBasisPoints === undefined
        ? {}
        : { thresholdsBasisPoints: body.thresholdsBasisPoints }),
    });
  }

  @Get()
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({ summary: 'List budgets', roles: ROLES_DOC.read })
  @ApiOkResponse({ type: BudgetView, isArray: true })
  @ApiErrors()
  list(@Query() query: BudgetListQuery) {
    return this.budgets.list({
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.perimeterUnitId === undefined ? {} : { perimeterUnitId: query.perimeterUnitId }),
      ...(query.dimension === undefined ? {} : { dimension: query.dimension }),
    });
  }

  @Get(':budgetId')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({ summary: 'Read a budget', roles: ROLES_DOC.read })
  @budgetParam
  @ApiOkResponse({ type: BudgetView })
  @ApiErrors('BUDGET.NOT_FOUND')
  get(@Param('budgetId') budgetId: string, @Query() query: AsOfQuery) {
    return this.budgets.get(budgetId, parseAsOf(query.asOf));
  }

  @Get(':budgetId/history')
  @Roles('auditor')
  @Operation({
    summary: 'The event history of a budget',
    roles: ROLES_DOC.operations,
    description:
      'The budget’s own events (opened, allocation rounds with their parts, ceiling changes, ' +
      'transfers, close), newest first, each with actor, reason and correlation id. Page with ' +
      `\`before\` = the response's \`nextBefore\` (at most ${HISTORY_MAX_LIMIT} a page).`,
  })
  @budgetParam
  @ApiOkResponse({ type: BudgetHistoryView })
  @ApiErrors('BUDGET.NOT_FOUND')
  budgetHistory(@Param('budgetId') budgetId: string, @Query() query: BudgetHistoryQuery) {
    return this.history.budgetHistory(budgetId, {
      limit: query.limit ?? HISTORY_DEFAULT_LIMIT,
      ...(query.before === undefined ? {} : { before: BigInt(query.before) }),
    });
  }

  @Post(':budgetId/ceiling')
  @HttpCode(200)
  @Operation({
    summary: 'Lower the ceiling',
    roles: ROLES_DOC.admin,
    description:
      'Never raises it. Below what is already allocated, it is refused unless `reclaimUnused` ' +
      'takes unused quota back from the units in the same change (reserved and consumed quota ' +
      'is never touched).',
  })
  @budgetParam
  @ApiOkResponse({ type: BudgetView })
  @ApiErrors(
    'BUDGET.NOT_FOUND',
    'BUDGET.CEILING_RAISE_FORBIDDEN',
    'BUDGET.CEILING_BELOW_ALLOCATED',
    'BUDGET.PERIOD_CLOSED',
  )
  lowerCeiling(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Body() body: LowerCeilingBody,
  ) {
    return this.budgets.lowerCeiling(contextOf(caller, body.reason), budgetId, {
      changeId: body.changeId,
      ceiling: amountOf(body.ceiling, 'ceiling'),
      reclaimUnused: body.reclaimUnused ?? false,
    });
  }

  @Post(':budgetId/close')
  @HttpCode(200)
  @Operation({
    summary: 'Close the period',
    roles: ROLES_DOC.admin,
    description:
      'Releases pending reservations and closes every account. Before the period ends it needs ' +
      '`closeEarly` (and should carry a reason). Closing twice is a no-op.',
  })
  @budgetParam
  @ApiOkResponse({ type: BudgetView })
  @ApiErrors('BUDGET.NOT_FOUND', 'BUDGET.PERIOD_NOT_ENDED')
  close(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Body() body: CloseBody,
  ) {
    return this.budgets.close(contextOf(caller, body.reason), budgetId, {
      closeEarly: body.closeEarly ?? false,
    });
  }
}
