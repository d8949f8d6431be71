// Public surface of the allocation HTTP edge.
export { HttpModule, type HttpModuleOptions } from './http.module';
export {
  ALLOCATION_ROLES,
  SCOPED_ROLES,
  actorOf,
  contextOf,
  ScopeChecker,
  type AllocationRole,
  type CallerIdentity,
} from './access';
export { ALLOCATION_ERROR_STATUS, httpStatusOf, toHttpError } from './error-mapping';
export { parseAsOf, amountOf } from './request-parsing';
