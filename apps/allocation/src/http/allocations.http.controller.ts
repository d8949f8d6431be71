import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BudgetService } from '../application';
import { BudgetHistoryQueries } from '../read';
import { contextOf, ScopeChecker } from './access';
import { budgetParam } from './budgets.http.controller';
import { AllocateBody, PreviewBody, TransferBody } from './dto/budgets.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { amountOf, optionalAmountOf } from './request-parsing';
import { AllocationListView, AllocationPreviewView, AllocationView, TransferView } from './views';

const POLICY_ERRORS = [
  'BUDGET.NOT_FOUND',
  'ALLOCATION.POLICY_INVALID',
  'ALLOCATION.AMOUNT_INVALID',
  'BUDGET.ALLOCATION_EXCEEDS_CEILING',
  'BUDGET.PERIOD_CLOSED',
] as const;

@ApiTags('allocations')
@Controller('v1/budgets/:budgetId')
@UseInterceptors(AllocationErrorInterceptor)
export class AllocationsHttpController {
  constructor(
    private readonly budgets: BudgetService,
    private readonly history: BudgetHistoryQueries,
    private readonly scope: ScopeChecker,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @Roles('auditor')
  @Operation({
    summary: 'Preview an allocation',
    roles: ROLES_DOC.preview,
    description:
      'Splits an amount down the perimeter’s tree with one policy per parent, exactly as ' +
      '`allocations` would, and explains every unit’s part (what each criterion contributed, ' +
      'which floor or cap bound it). Writes nothing.',
  })
  @budgetParam
  @ApiOkResponse({ type: AllocationPreviewView })
  @ApiErrors(...POLICY_ERRORS, 'COMMAND.INVALID', 'ALLOCATION.NOT_FOUND')
  preview(@Param('budgetId') budgetId: string, @Body() body: PreviewBody) {
    const amount = optionalAmountOf(body.amount, 'amount');
    return this.budgets.preview(budgetId, {
      policies: body.policies,
      ...(amount === undefined ? {} : { amount }),
      ...(body.attributeOverrides === undefined
        ? {}
        : { attributeOverrides: body.attributeOverrides }),
      ...(body.replacing === undefined ? {} : { replacing: body.replacing }),
    });
  }

  @Get('allocations')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({
    summary: 'List the allocation rounds of a budget',
    roles: ROLES_DOC.read,
    description:
      'Oldest first: id, amount, who made it, why and when. Each round’s parts and ' +
      'explanations are at `allocations/{allocationId}`.',
  })
  @budgetParam
  @ApiOkResponse({ type: AllocationListView })
  @ApiErrors('BUDGET.NOT_FOUND')
  allocations(@Param('budgetId') budgetId: string) {
    return this.history.budgetAllocations(budgetId);
  }

  @Post('allocations')
  @Operation({
    summary: 'Allocate',
    roles: ROLES_DOC.admin,
    description:
      'Commits what `preview` shows: every unit of the perimeter gets an account with its part, ' +
      'and the explanations are stored with the events (`attributeOverrides` is refused: ' +
      '400 REQUEST.INVALID; set the attributes first). A retry with the same allocationId and ' +
      'policies returns the same allocation; several rounds may be made while Σ ≤ ceiling.',
  })
  @budgetParam
  @ApiCreatedResponse({ type: AllocationView })
  @ApiErrors(
    ...POLICY_ERRORS,
    'IDEMPOTENCY.CONFLICT',
    'BUDGET.ALLOCATION_ROOT_MISMATCH',
    'BUDGET.ALLOCATION_LIMIT_EXCEEDED',
  )
  allocate(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Body() body: AllocateBody,
  ) {
    const amount = optionalAmountOf(body.amount, 'amount');
    return this.budgets.allocate(contextOf(caller, body.reason), budgetId, {
      allocationId: body.allocationId,
      policies: body.policies,
      ...(amount === undefined ? {} : { amount }),
    });
  }

  @Get('allocations/:allocationId')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({
    summary: 'Read an allocation and its explanations',
    roles: ROLES_DOC.read,
    description: 'The stored round: amount, policies, each unit’s part and explanation.',
  })
  @budgetParam
  @ApiParam({ name: 'allocationId', example: 'round-1' })
  @ApiOkResponse({ type: AllocationView })
  @ApiErrors('BUDGET.NOT_FOUND', 'ALLOCATION.NOT_FOUND')
  allocation(@Param('budgetId') budgetId: string, @Param('allocationId') allocationId: string) {
    return this.budgets.allocation(budgetId, allocationId);
  }

  @Post('transfers')
  @Roles('unit_manager')
  @Operation({
    summary: 'Transfer unused quota between two units',
    roles: ROLES_DOC.transfer,
    description:
      'Moves unused quota (allocated − reserved − committed) from one unit to another of the ' +
      'same budget, with a reason; totals are conserved. A retry with the same transferId is a ' +
      'no-op.',
  })
  @budgetParam
  @ApiCreatedResponse({ type: TransferView })
  @ApiErrors(
    'BUDGET.NOT_FOUND',
    'BUDGET.PERIOD_CLOSED',
    'TRANSFER.SAME_UNIT',
    'TRANSFER.UNIT_NOT_IN_BUDGET',
    'TRANSFER.INSUFFICIENT_UNUSED',
    'IDEMPOTENCY.CONFLICT',
    OUT_OF_SCOPE,
  )
  async transfer(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Body() body: TransferBody,
  ) {
    await this.scope.requireUnits(caller, [body.fromUnitId, body.toUnitId]);
    return this.budgets.transfer(contextOf(caller, body.reason), budgetId, {
      transferId: body.transferId,
      fromUnitId: body.fromUnitId,
      toUnitId: body.toUnitId,
      amount: amountOf(body.amount, 'amount', { allowZero: false }),
      reason: body.reason,
    });
  }
}
