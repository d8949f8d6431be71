// One decorator per endpoint for what OpenAPI shows: summary, who may call, what it does.
import { applyDecorators } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

export interface OperationDoc {
  summary: string;
  /** Who may call, as the docs say it (the guard enforces `@Roles`). */
  roles: string;
  description?: string;
}

export function Operation(doc: OperationDoc): MethodDecorator {
  const description = [`**Roles:** ${doc.roles}.`, doc.description].filter(Boolean).join('\n\n');
  return applyDecorators(ApiOperation({ summary: doc.summary, description }));
}

/** The roles of each kind of route, as the `@Roles` of the controllers grant them. */
export const READ_ROLES = ['finance', 'auditor', 'unit_manager'] as const;
export const FINANCE_READ_ROLES = ['finance', 'auditor'] as const;
export const WRITE_ROLES = ['finance'] as const;
export const OPERATIONS_ROLES = ['auditor'] as const;

export const ROLES_DOC = {
  write: 'admin, finance',
  read: 'admin, finance, auditor, unit_manager',
  readScoped: 'admin, finance, auditor, unit_manager (units in its subtree)',
  financeRead: 'admin, finance, auditor',
  operations: 'admin, auditor',
} as const;
