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

export const ROLES_DOC = {
  admin: 'admin',
  read: 'admin, auditor, unit_manager, service',
  readScoped: 'admin, auditor, service, unit_manager (units in its subtree)',
  history: 'admin, auditor, unit_manager (units in its subtree)',
  preview: 'admin, auditor',
  transfer: 'admin, unit_manager (source and target in its subtree)',
  reservations: 'admin, service, unit_manager (units in its subtree)',
  reservationRead: 'admin, auditor, service, unit_manager (units in its subtree)',
  operations: 'admin, auditor',
} as const;
