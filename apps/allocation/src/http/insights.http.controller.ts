// Burn-down and scarcity, for the console: consumption over the period with a projection, and
// refused reservations with the units that cannot reserve now. Read-only; a unit manager sees its
// own subtree (its unit by default).
import { Controller, Get, Inject, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, parseIsoInstant, Roles, type Principal } from '@plafond/platform';
import { CLOCK, ReservationRefusals, type Clock } from '../application';
import { BurnDownQueries, RefusalQueries } from '../read';
import { isScoped, ScopeChecker } from './access';
import { budgetParam } from './budgets.http.controller';
import { AllocationErrorInterceptor } from './error-mapping';
import {
  BurnDownQuery,
  BurnDownView,
  RefusalBufferView,
  RefusalQuery,
  RefusalReportView,
} from './insights.views';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { invalidField } from './request-parsing';

const INSTANT_FORMAT = 'must be an ISO-8601 instant with a time zone (2026-11-01T00:00:00Z)';

function instantOf(raw: string | undefined, field: string): Date | undefined {
  if (raw === undefined) return undefined;
  const at = parseIsoInstant(raw);
  if (at === undefined) throw invalidField(field, INSTANT_FORMAT);
  return at;
}

@ApiTags('insights')
@Controller('v1/budgets/:budgetId')
@UseInterceptors(AllocationErrorInterceptor)
export class InsightsHttpController {
  constructor(
    private readonly burnDowns: BurnDownQueries,
    private readonly refusalQueries: RefusalQueries,
    private readonly scope: ScopeChecker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('burn-down')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({
    summary: 'Consumption over the period against the ceiling and the allocations',
    roles: 'admin, auditor, service, unit_manager (units in its subtree; its own by default)',
    description:
      'Cumulative consumption (committed reservations + debited usage) of the unit’s subtree at ' +
      'the end of each local day of the period up to now, the same per direct child, and a linear ' +
      'projection to the period’s end at the average rate since its start (integer arithmetic, ' +
      'rounded down; `exhaustsAt` rounded up). Usage counts on the day it occurred. Computed from ' +
      'the ledger in one snapshot.',
  })
  @budgetParam
  @ApiOkResponse({ type: BurnDownView })
  @ApiErrors('BUDGET.NOT_FOUND', 'UNIT.NOT_FOUND', 'UNIT.NOT_IN_BUDGET', OUT_OF_SCOPE)
  async burnDown(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Query() query: BurnDownQuery,
  ) {
    const unitId = await this.unitInView(caller, query.unitId);
    return this.burnDowns.burnDown(budgetId, {
      now: this.clock(),
      ...(unitId === undefined ? {} : { unitId }),
    });
  }

  @Get('refusals')
  @Roles('auditor', 'unit_manager')
  @Operation({
    summary: 'Refused reservations over time, and the units that cannot reserve now',
    roles: 'admin, auditor, unit_manager (units in its subtree; its own by default)',
    description:
      'Reservations refused for quota or policy (QUOTA.EXCEEDED, QUOTA.UNIT_BLOCKED, ' +
      'USECASE.PROHIBITED, USECASE.CLASS_CAP_EXCEEDED, USECASE.SHED_ABOVE_UTILISATION, ' +
      'BUDGET.PERIOD_CLOSED, RESERVATION.TOO_MANY_PENDING) counted per minute, in ' +
      '[from, to) (default: the period’s start to now) by hour or local day, reason and ' +
      'usefulness class, and per unit. They appear about RESERVATION_REFUSALS_FLUSH_MS after ' +
      'the refusal. `blocked`: units holding an account that cannot reserve anything now; ' +
      '`shed`: classes refused even the smallest amount in the other units.',
  })
  @budgetParam
  @ApiOkResponse({ type: RefusalReportView })
  @ApiErrors('COMMAND.INVALID', 'BUDGET.NOT_FOUND', 'UNIT.NOT_FOUND', OUT_OF_SCOPE)
  async refusals(
    @CurrentPrincipal() caller: Principal,
    @Param('budgetId') budgetId: string,
    @Query() query: RefusalQuery,
  ) {
    const from = instantOf(query.from, 'from');
    const to = instantOf(query.to, 'to');
    const unitId = await this.unitInView(caller, query.unitId);
    return this.refusalQueries.refusals(budgetId, {
      now: this.clock(),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(query.bucket === undefined ? {} : { bucket: query.bucket }),
      ...(unitId === undefined ? {} : { unitId }),
    });
  }

  /**
   * The unit to read: the one asked for, else a scoped key's own unit, else none (the whole
   * perimeter), checked against the caller's scope. A scoped key without a scope unit sees
   * nothing (ScopeChecker refuses every unit).
   */
  private async unitInView(
    caller: Principal,
    requested: string | undefined,
  ): Promise<string | undefined> {
    const unitId = requested ?? (isScoped(caller) ? (caller.scopeUnitId ?? undefined) : undefined);
    if (unitId !== undefined) await this.scope.requireUnits(caller, [unitId]);
    else if (isScoped(caller)) await this.scope.requireUnits(caller, ['']);
    return unitId;
  }
}

@ApiTags('operations')
@Controller('v1/admin')
@UseInterceptors(AllocationErrorInterceptor)
export class RefusalBufferHttpController {
  constructor(private readonly refusals: ReservationRefusals) {}

  @Get('refusals')
  @Roles('auditor')
  @Operation({
    summary: 'This instance’s buffer of refused-reservation counts',
    roles: ROLES_DOC.operations,
    description:
      'Keys waiting for the next flush, refusals dropped because the buffer was full (the ' +
      'database refusing the writes for long), the last successful flush and the last error.',
  })
  @ApiOkResponse({ type: RefusalBufferView })
  @ApiErrors()
  status() {
    return this.refusals.status();
  }
}
