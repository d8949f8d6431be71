// Public surface of the billing read side.
export {
  BillingReports,
  type InvoiceQuery,
  type JournalQuery,
  type ReconciliationReport,
  type StatementOptions,
} from './billing-reports.service';
export { BillingReadModule } from './read.module';
export {
  BILLING_READ_SETTINGS,
  validateReadSettings,
  type BillingReadSettings,
} from './read.settings';
export { replayNotSettled, verifyBooksReplay } from './replay.verify';
export * from './report.views';
export {
  rollUpTree,
  toCurrencyAmounts,
  type CurrencyAmounts,
  type StatementTreeNode,
  type TreeUnit,
} from './statement-tree';
export * from './books.projection';
