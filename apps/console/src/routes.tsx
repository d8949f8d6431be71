// The navigation registry: every page, its hash route, its nav name (= the page's heading) and
// what the connected keys must be allowed to call for it to be listed (from /v1/auth/self).
import type { ComponentType } from 'react';
import type { Service } from './api/client';
import type { Session } from './session';
import { OrganisationPage } from './pages/OrganisationPage';
import { BurnDownPage } from './pages/BurnDownPage';
import { AllocationPage } from './pages/AllocationPage';
import { ScarcityPage } from './pages/ScarcityPage';
import { BillingPage } from './pages/BillingPage';
import { ReboundPage } from './pages/ReboundPage';
import { AuditPage } from './pages/AuditPage';
import { VERIFY_PATH as VERIFY } from './pages/audit/VerifyLedgers';

export interface RouteDef {
  /** Hash path: `#/organisation`. */
  path: string;
  /** Nav name and page heading. */
  name: string;
  component: ComponentType;
  /** Listed (and reachable) only when this holds for the session. */
  visible: (session: Session) => boolean;
}

/** Visible when the key of `service` may GET every one of `paths`. */
function readsAll(service: Service, ...paths: string[]) {
  return (session: Session) => paths.every((path) => session.can(service, 'GET', path));
}

/** Visible when the keys may GET at least one of the `[service, path]` pairs. */
function readsAny(...routes: [Service, string][]) {
  return (session: Session) => routes.some(([service, path]) => session.can(service, 'GET', path));
}

export const ROUTES: readonly RouteDef[] = [
  {
    path: '/organisation',
    name: 'Organisation',
    component: OrganisationPage,
    visible: readsAll('allocation', '/v1/budgets/{budgetId}/balances', '/v1/units/{unitId}'),
  },
  {
    path: '/burn-down',
    name: 'Budget burn-down',
    component: BurnDownPage,
    visible: readsAll('allocation', '/v1/budgets/{budgetId}/burn-down'),
  },
  {
    path: '/allocation',
    name: 'Why this allocation',
    component: AllocationPage,
    visible: readsAll(
      'allocation',
      '/v1/budgets/{budgetId}/allocations',
      '/v1/budgets/{budgetId}/allocations/{allocationId}',
    ),
  },
  {
    path: '/scarcity',
    name: 'Scarcity',
    component: ScarcityPage,
    visible: readsAll('allocation', '/v1/budgets/{budgetId}/refusals'),
  },
  {
    path: '/billing',
    name: 'Billing',
    component: BillingPage,
    visible: readsAny(['billing', '/v1/units/{unitId}/statement'], ['billing', '/v1/invoices']),
  },
  {
    path: '/rebound',
    name: 'Rebound',
    component: ReboundPage,
    visible: readsAll('billing', '/v1/reports/rebound'),
  },
  {
    path: '/audit',
    name: 'Audit',
    component: AuditPage,
    visible: readsAny(
      ['allocation', '/v1/units/{unitId}/history'],
      ['allocation', '/v1/budgets/{budgetId}/history'],
      ['allocation', VERIFY],
      ['ingestion', VERIFY],
      ['billing', VERIFY],
    ),
  },
];

export const SIGN_IN_PATH = '/sign-in';

export function visibleRoutes(session: Session): RouteDef[] {
  return ROUTES.filter((route) => route.visible(session));
}
