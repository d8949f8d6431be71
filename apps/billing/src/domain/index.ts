// The billing domain: pure functions and types, no Nest, no PostgreSQL. See README.md.
export * from './billing.events';
export * from './errors';
export * from './money';
export * from './rounding';
export * from './periods';
export * from './price-schedule';
export * from './pricing';
export * from './journal';
export * from './csv';
export * from './invoices';
export * from './rebound';
export * from './report-windows';
export * from './reconciliation';
