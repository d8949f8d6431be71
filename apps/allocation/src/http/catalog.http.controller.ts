import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@plafond/platform';
import { CatalogService } from '../application';
import { contextOf } from './access';
import {
  ChangeClassRuleBody,
  classRuleOf,
  DefineClassBody,
  ReclassifyUseCaseBody,
  RegisterUseCaseBody,
} from './dto/catalog.dto';
import { AsOfQuery, ReasonBody } from './dto/common.dto';
import { AllocationErrorInterceptor } from './error-mapping';
import { ApiErrors } from './openapi-errors';
import { Operation, ROLES_DOC } from './operation';
import { parseAsOf } from './request-parsing';
import { UseCaseView, UsefulnessClassView } from './views';

@ApiTags('catalog')
@Controller('v1')
@UseInterceptors(AllocationErrorInterceptor)
export class CatalogHttpController {
  constructor(private readonly catalog: CatalogService) {}

  @Post('usefulness-classes')
  @Operation({
    summary: 'Define a usefulness class',
    roles: ROLES_DOC.admin,
    description:
      'A class groups use cases under one rule: allowed (optionally capped at a share of the ' +
      'unit’s allocation, or shed above a utilisation level) or prohibited.',
  })
  @ApiCreatedResponse({ type: UsefulnessClassView })
  @ApiErrors('COMMAND.INVALID', 'CATALOG.CLASS_ALREADY_EXISTS', 'CATALOG.LIMIT_EXCEEDED')
  defineClass(@CurrentPrincipal() caller: Principal, @Body() body: DefineClassBody) {
    return this.catalog.defineClass(contextOf(caller, body.reason), {
      className: body.className,
      description: body.description,
      rule: classRuleOf(body.rule),
    });
  }

  @Get('usefulness-classes')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({ summary: 'List the usefulness classes', roles: ROLES_DOC.read })
  @ApiOkResponse({ type: UsefulnessClassView, isArray: true })
  @ApiErrors()
  async classes(@Query() query: AsOfQuery) {
    const catalog = await this.catalog.catalog(parseAsOf(query.asOf));
    return catalog.classOrder.map((className) => catalog.classes[className]);
  }

  @Put('usefulness-classes/:className/rule')
  @Operation({ summary: 'Change a class’s rule', roles: ROLES_DOC.admin })
  @ApiParam({ name: 'className', example: 'discretionary' })
  @ApiOkResponse({ type: UsefulnessClassView })
  @ApiErrors('COMMAND.INVALID', 'CATALOG.CLASS_NOT_FOUND')
  changeRule(
    @CurrentPrincipal() caller: Principal,
    @Param('className') className: string,
    @Body() body: ChangeClassRuleBody,
  ) {
    return this.catalog.changeClassRule(
      contextOf(caller, body.reason),
      className,
      classRuleOf(body.rule),
    );
  }

  @Post('use-cases')
  @Operation({ summary: 'Register a use case in a class', roles: ROLES_DOC.admin })
  @ApiCreatedResponse({ type: UseCaseView })
  @ApiErrors(
    'COMMAND.INVALID',
    'CATALOG.USE_CASE_ALREADY_EXISTS',
    'CATALOG.CLASS_NOT_FOUND',
    'CATALOG.LIMIT_EXCEEDED',
  )
  registerUseCase(@CurrentPrincipal() caller: Principal, @Body() body: RegisterUseCaseBody) {
    return this.catalog.registerUseCase(contextOf(caller, body.reason), {
      useCase: body.useCase,
      className: body.className,
      description: body.description,
    });
  }

  @Get('use-cases')
  @Roles('auditor', 'unit_manager', 'service')
  @Operation({ summary: 'List the use cases', roles: ROLES_DOC.read })
  @ApiOkResponse({ type: UseCaseView, isArray: true })
  @ApiErrors()
  async useCases(@Query() query: AsOfQuery) {
    const catalog = await this.catalog.catalog(parseAsOf(query.asOf));
    return Object.values(catalog.useCases).sort((left, right) =>
      left.useCase < right.useCase ? -1 : left.useCase > right.useCase ? 1 : 0,
    );
  }

  @Post('use-cases/:useCase/reclassify')
  @HttpCode(200)
  @Operation({ summary: 'Move a use case to another class', roles: ROLES_DOC.admin })
  @ApiParam({ name: 'useCase', example: 'support-triage' })
  @ApiOkResponse({ type: UseCaseView })
  @ApiErrors('CATALOG.USE_CASE_NOT_FOUND', 'CATALOG.CLASS_NOT_FOUND', 'CATALOG.USE_CASE_RETIRED')
  reclassify(
    @CurrentPrincipal() caller: Principal,
    @Param('useCase') useCase: string,
    @Body() body: ReclassifyUseCaseBody,
  ) {
    return this.catalog.reclassifyUseCase(contextOf(caller, body.reason), useCase, body.className);
  }

  @Post('use-cases/:useCase/retire')
  @HttpCode(200)
  @Operation({
    summary: 'Retire a use case',
    roles: ROLES_DOC.admin,
    description: 'New reservations naming it are refused; usage already recorded stays.',
  })
  @ApiParam({ name: 'useCase', example: 'legacy-summary' })
  @ApiOkResponse({ type: UseCaseView })
  @ApiErrors('CATALOG.USE_CASE_NOT_FOUND')
  retire(
    @CurrentPrincipal() caller: Principal,
    @Param('useCase') useCase: string,
    @Body() body: ReasonBody,
  ) {
    return this.catalog.retireUseCase(contextOf(caller, body.reason), useCase);
  }
}
