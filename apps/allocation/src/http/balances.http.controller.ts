import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { BalanceQueries, type BalanceFigures } from '../read';
import { isScoped, ScopeChecker } from './access';
import { budgetParam } from './budgets.http.controller';
import { UnitBalanceQuery } from './dto/budgets.dto';
import { AsOfQuery } from './dto/common.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { parseAsOf } from './request-parsing';
import { BudgetBalancesView, UnitBalanceView } from './views';

/** Σ of the rows' own figures (exact: bigint over decimal strings). */
export function totalsOf(rows: readonly BalanceFigures[]): BalanceFigures {
  const sum = (figure: keyof BalanceFigures) =>
    rows.reduce((total, row) => total + BigInt(row[figure]), 0n).toString();
  return {
    allocated: sum('allocated'),
    reserved: sum('reserved'),
    committed: sum('committed'),
    available: sum('available'),
    overrun: sum('overrun'),
  };
}

@ApiTags('balances')
@Controller('v1/budgets/:budgetId')
@UseInterceptors(AllocationErrorInterceptor)
export class BalancesHttpController {
  constructor(
    private readonly balances: BalanceQueries,
    private readonly scope: ScopeChecker,
  ) {}

  @Get('balances')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({
    summary: 'Balances of every unit of a budget',
    roles: `${ROLES_DOC.readScoped}; a unit manager sees only its subtree's rows`,
    description:
      'Per unit: allocated, reserved, committed, available, overrun, blocked — its own and ' +
      'rolled up over its subtree, and the budget totals. Computed from the ledger (exact at ' +
      'once, not from the projection); `asOf` gives the balances as they were. A unit manager ' +
      'gets the rows of its subtree and totals over them.',
  })
  @budgetParam
  @ApiOkResponse({ type: BudgetBalancesView })
  @ApiErrors('BUDGET.NOT_FOUND')
  async budgetBalances(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Query() query: AsOfQuery,
  ) {
    const asOf = parseAsOf(query.asOf);
    const report = await this.balances.budgetBalances(budgetId, asOf === undefined ? {} : { asOf });
    if (!isScoped(caller)) return report;
    // A unit manager sees its subtree's rows, and totals over those rows only.
    const units = await this.scope.filter(caller, report.units, (row) => row.unitId);
    return { ...report, totals: totalsOf(units), units };
  }

  @Get('units/:unitId/balance')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({
    summary: 'Balance of one unit',
    roles: ROLES_DOC.readScoped,
    description:
      'The unit’s own figures and, with `rollUp` (default), its subtree’s. `asOf` for the past.',
  })
  @budgetParam
  @ApiParam({ name: 'unitId', example: 'team-search' })
  @ApiOkResponse({ type: UnitBalanceView })
  @ApiErrors('BUDGET.NOT_FOUND', 'UNIT.NOT_FOUND', 'UNIT.NOT_IN_BUDGET', OUT_OF_SCOPE)
  async unitBalance(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Param('unitId') unitId: string,
    @Query() query: UnitBalanceQuery,
  ) {
    await this.scope.requireUnits(caller, [unitId]);
    const asOf = parseAsOf(query.asOf);
    return this.balances.unitBalance(budgetId, unitId, {
      rollUp: query.rollUp !== 'false',
      ...(asOf === undefined ? {} : { asOf }),
    });
  }
}
