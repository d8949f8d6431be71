import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { ReservationService } from '../application';
import { contextOf, isScoped, ScopeChecker } from './access';
import { CommitBody, ReserveBody } from './dto/reservations.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { amountOf } from './request-parsing';
import { ReservationView } from './views';

const reservationParam = ApiParam({ name: 'reservationId', example: 'job-7f3a' });

@ApiTags('reservations')
@Controller('v1/reservations')
@UseInterceptors(AllocationErrorInterceptor)
export class ReservationsHttpController {
  constructor(
    private readonly reservations: ReservationService,
    private readonly scope: ScopeChecker,
  ) {}

  @Post()
  @Roles('service', 'unit_manager')
  @Operation({
    summary: 'Reserve quota',
    roles: ROLES_DOC.reservations,
    description:
      'Holds an amount of the unit’s quota for `timeoutMs`, then commit (with the actual amount) ' +
      'or release it; untouched, it expires. 201 when granted, with what the unit has left. ' +
      'A refusal (422) says why and how much is `available`. A retry with the same ' +
      'reservationId and request returns the original answer, whatever happened since; the ' +
      'same id with another request is IDEMPOTENCY.CONFLICT. Never overspends, with any number ' +
      'of service instances.',
  })
  @ApiCreatedResponse({ type: ReservationView })
  @ApiErrors(
    'QUOTA.EXCEEDED',
    'QUOTA.UNIT_BLOCKED',
    'USECASE.PROHIBITED',
    'USECASE.CLASS_CAP_EXCEEDED',
    'USECASE.SHED_ABOVE_UTILISATION',
    'CATALOG.USE_CASE_NOT_FOUND',
    'CATALOG.USE_CASE_RETIRED',
    'IDEMPOTENCY.CONFLICT',
    'RESERVATION.TOO_MANY_PENDING',
    'RESERVATION.NO_OPEN_BUDGET',
    'RESERVATION.BUDGET_AMBIGUOUS',
    'BUDGET.NOT_FOUND',
    'BUDGET.PERIOD_CLOSED',
    'ACCOUNT.NOT_FOUND',
    'RESERVATION.BUSY',
    OUT_OF_SCOPE,
  )
  async reserve(@CurrentPrincipal() caller: Principal, @Body() body: ReserveBody) {
    await this.scope.requireUnits(caller, [body.unitId]);
    return this.reservations.reserve(contextOf(caller), {
      reservationId: body.reservationId,
      unitId: body.unitId,
      amount: amountOf(body.amount, 'amount', { allowZero: false }),
      useCase: body.useCase,
      timeoutMs: body.timeoutMs,
      ...(body.budgetId === undefined ? {} : { budgetId: body.budgetId }),
      ...(body.dimension === undefined ? {} : { dimension: body.dimension }),
    });
  }

  @Get(':reservationId')
  @Roles('auditor', 'service', 'unit_manager')
  @Operation({ summary: 'Read a reservation', roles: ROLES_DOC.reservationRead })
  @reservationParam
  @ApiOkResponse({ type: ReservationView })
  @ApiErrors('RESERVATION.NOT_FOUND', OUT_OF_SCOPE)
  async get(@CurrentPrincipal() caller: Principal, @Param('reservationId') reservationId: string) {
    const reservation = await this.reservations.get(reservationId);
    await this.scope.requireUnits(caller, [reservation.unitId]);
    return reservation;
  }

  @Post(':reservationId/commit')
  @HttpCode(200)
  @Roles('service', 'unit_manager')
  @Operation({
    summary: 'Commit a reservation',
    roles: ROLES_DOC.reservations,
    description:
      'With the amount actually used (at most the reserved one; the rest is released). ' +
      'Exactly one outcome per reservation: a commit after the deadline is refused with ' +
      'RESERVATION.EXPIRED, and the same commit again returns the same answer.',
  })
  @reservationParam
  @ApiOkResponse({ type: ReservationView })
  @ApiErrors(
    'RESERVATION.NOT_FOUND',
    'RESERVATION.ALREADY_FINALISED',
    'RESERVATION.COMMIT_EXCEEDS_RESERVED',
    'RESERVATION.EXPIRED',
    OUT_OF_SCOPE,
  )
  async commit(
    @CurrentPrincipal() caller: Principal,
    @Param('reservationId') reservationId: string,
    @Body() body: CommitBody,
  ) {
    await this.requireReservationInScope(caller, reservationId);
    return this.reservations.commit(
      contextOf(caller),
      reservationId,
      amountOf(body.amount, 'amount'),
    );
  }

  @Post(':reservationId/release')
  @HttpCode(200)
  @Roles('service', 'unit_manager')
  @Operation({
    summary: 'Release a reservation',
    roles: ROLES_DOC.reservations,
    description: 'Gives the whole amount back. Releasing twice returns the same answer.',
  })
  @reservationParam
  @ApiOkResponse({ type: ReservationView })
  @ApiErrors('RESERVATION.NOT_FOUND', 'RESERVATION.ALREADY_FINALISED', OUT_OF_SCOPE)
  async release(
    @CurrentPrincipal() caller: Principal,
    @Param('reservationId') reservationId: string,
  ) {
    await this.requireReservationInScope(caller, reservationId);
    return this.reservations.release(contextOf(caller), reservationId);
  }

  private async requireReservationInScope(caller: Principal, reservationId: string): Promise<void> {
    if (!isScoped(caller)) return;
    const reservation = await this.reservations.get(reservationId);
    await this.scope.requireUnits(caller, [reservation.unitId]);
  }
}
