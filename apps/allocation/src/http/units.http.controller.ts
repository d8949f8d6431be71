import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { OrganisationService } from '../application';
import { HistoryQueries } from '../read';
import { contextOf, ScopeChecker } from './access';
import { ReasonBody } from './dto/common.dto';
import {
  CreateUnitBody,
  HISTORY_LIMIT_MAX,
  HistoryQuery,
  MoveUnitBody,
  RenameUnitBody,
  SetAttributesBody,
  SubtreeQuery,
} from './dto/units.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors, OUT_OF_SCOPE } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { parseAsOf } from './request-parsing';
import { SubtreeNodeView, UnitHistoryView, UnitView } from './views';

const unitParam = ApiParam({ name: 'unitId', example: 'team-search' });
const DEFAULT_HISTORY_LIMIT = 100;

@ApiTags('units')
@Controller('v1/units')
@UseInterceptors(AllocationErrorInterceptor)
export class UnitsHttpController {
  constructor(
    private readonly organisation: OrganisationService,
    private readonly history: HistoryQueries,
    private readonly scope: ScopeChecker,
  ) {}

  @Post()
  @Operation({
    summary: 'Create a unit',
    roles: ROLES_DOC.admin,
    description:
      'A root (parentId null) or a child of an active unit, optionally with its first attributes. ' +
      'Creating the same unit again with the same name and parent is a no-op.',
  })
  @ApiCreatedResponse({ type: UnitView })
  @ApiErrors(
    'COMMAND.INVALID',
    'UNIT.NOT_FOUND',
    'UNIT.ALREADY_EXISTS',
    'UNIT.ARCHIVED',
    'UNIT.TOO_DEEP',
    'UNIT.LIMIT_EXCEEDED',
  )
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateUnitBody) {
    return this.organisation.createUnit(contextOf(caller, body.reason), {
      unitId: body.unitId,
      parentId: body.parentId,
      name: body.name,
      ...(body.attributes === undefined
        ? {}
        : {
            attributes: {
              effectiveFrom: body.attributes.effectiveFrom,
              values: body.attributes.values,
            },
          }),
    });
  }

  @Get(':unitId')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({
    summary: 'Read a unit and its subtree',
    roles: ROLES_DOC.readScoped,
    description: 'The unit with its descendants, as nested nodes; `asOf` reads the past tree.',
  })
  @unitParam
  @ApiOkResponse({ type: SubtreeNodeView })
  @ApiErrors('UNIT.NOT_FOUND', OUT_OF_SCOPE)
  async subtree(
    @CurrentPrincipal() caller: Principal,
    @Param('unitId') unitId: string,
    @Query() query: SubtreeQuery,
  ) {
    await this.scope.requireUnits(caller, [unitId]);
    const asOf = parseAsOf(query.asOf);
    return this.organisation.subtree(unitId, {
      includeArchived: query.includeArchived === 'true',
      ...(asOf === undefined ? {} : { asOf }),
    });
  }

  @Patch(':unitId')
  @Operation({ summary: 'Rename a unit', roles: ROLES_DOC.admin })
  @unitParam
  @ApiOkResponse({ type: UnitView })
  @ApiErrors('COMMAND.INVALID', 'UNIT.NOT_FOUND', 'UNIT.ARCHIVED')
  rename(
    @CurrentPrincipal() caller: Principal,
    @Param('unitId') unitId: string,
    @Body() body: RenameUnitBody,
  ) {
    return this.organisation.renameUnit(contextOf(caller, body.reason), unitId, body.name);
  }

  @Post(':unitId/move')
  @HttpCode(200)
  @Operation({
    summary: 'Move a unit under another parent',
    roles: ROLES_DOC.admin,
    description: 'Refused when it would create a cycle or pass the depth limit.',
  })
  @unitParam
  @ApiOkResponse({ type: UnitView })
  @ApiErrors('UNIT.NOT_FOUND', 'UNIT.ARCHIVED', 'UNIT.CYCLE', 'UNIT.TOO_DEEP')
  move(
    @CurrentPrincipal() caller: Principal,
    @Param('unitId') unitId: string,
    @Body() body: MoveUnitBody,
  ) {
    return this.organisation.moveUnit(contextOf(caller, body.reason), unitId, body.newParentId);
  }

  @Post(':unitId/archive')
  @HttpCode(200)
  @Operation({
    summary: 'Archive a unit',
    roles: ROLES_DOC.admin,
    description: 'Refused while it holds allocations in open budgets or has active children.',
  })
  @unitParam
  @ApiOkResponse({ type: UnitView })
  @ApiErrors('UNIT.NOT_FOUND', 'UNIT.HAS_OPEN_ALLOCATIONS', 'UNIT.HAS_ACTIVE_CHILDREN')
  archive(
    @CurrentPrincipal() caller: Principal,
    @Param('unitId') unitId: string,
    @Body() body: ReasonBody,
  ) {
    return this.organisation.archiveUnit(contextOf(caller, body.reason), unitId);
  }

  @Put(':unitId/attributes')
  @Operation({
    summary: 'Set attributes from a date',
    roles: ROLES_DOC.admin,
    description:
      'A new version of named weights (headcount, revenue...) effective from a date; earlier ' +
      'versions stay for allocations computed on earlier dates. null removes an attribute.',
  })
  @unitParam
  @ApiOkResponse({ type: UnitView })
  @ApiErrors('COMMAND.INVALID', 'UNIT.NOT_FOUND', 'UNIT.ARCHIVED', 'UNIT.LIMIT_EXCEEDED')
  setAttributes(
    @CurrentPrincipal() caller: Principal,
    @Param('unitId') unitId: string,
    @Body() body: SetAttributesBody,
  ) {
    return this.organisation.setAttributes(
      contextOf(caller, body.reason),
      unitId,
      body.effectiveFrom,
      body.values,
    );
  }

  @Get(':unitId/history')
  @Roles('auditor', 'unit_manager')
  @Operation({
    summary: 'The event history of a unit',
    roles: ROLES_DOC.history,
    description:
      'Organisation events about the unit, budget events naming it (allocations, transfers) ' +
      'and its account events, newest first, each with actor, reason and correlation id. ' +
      `Page with \`before\` = the response's \`nextBefore\` (at most ${HISTORY_LIMIT_MAX} a page).`,
  })
  @unitParam
  @ApiOkResponse({ type: UnitHistoryView })
  @ApiErrors('UNIT.NOT_FOUND', 'BUDGET.NOT_FOUND', OUT_OF_SCOPE)
  async unitHistory(
    @CurrentPrincipal() caller: Principal,
    @Param('unitId') unitId: string,
    @Query() query: HistoryQuery,
  ) {
    await this.scope.requireUnits(caller, [unitId]);
    return this.history.unitHistory(unitId, {
      limit: query.limit ?? DEFAULT_HISTORY_LIMIT,
      ...(query.budgetId === undefined ? {} : { budgetId: query.budgetId }),
      ...(query.before === undefined ? {} : { before: BigInt(query.before) }),
    });
  }
}
