// Public surface of the billing HTTP edge.
export { BillingHttpModule, type BillingHttpModuleOptions } from './http.module';
export {
  BILLING_ROLES,
  SCOPED_ROLES,
  BillingScope,
  contextOf,
  type BillingRole,
  type CallerIdentity,
} from './access';
export { httpStatusOf, toHttpError, BillingErrorInterceptor } from './error-mapping';
export { ERROR_EXAMPLES, ApiErrors } from './openapi-errors';
export { present, jsonSafe, scheduleView } from './present';
export { CSV_CONTENT_TYPE, journalFileName } from './exports.http.controller';
