// Stream names of the allocation service. Ids are at most DOMAIN_LIMITS.idLength (90) characters,
// so every name fits the ledger's 200-character stream ids.

export const ORGANISATION_STREAM_ID = 'organisation';
export const CATALOG_STREAM_ID = 'usecase-catalog';

export const budgetStreamId = (budgetId: string): string => `budget-${budgetId}`;

/** The budget id's length prefix keeps a dash inside an id from making two accounts share a stream. */
export const accountStreamId = (budgetId: string, unitId: string): string =>
  `account-${budgetId.length}:${budgetId}:${unitId}`;
