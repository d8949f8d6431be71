import { SubscriptionError } from './subscription.errors';

// Schema and table names are interpolated into SQL (they cannot be bind parameters), so they are
// restricted to plain lower-case identifiers and always double-quoted.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new SubscriptionError(
      'CONFIG.INVALID',
      `"${name}" is not a plain SQL identifier (${IDENTIFIER.source})`,
    );
  }
  return `"${name}"`;
}

export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
