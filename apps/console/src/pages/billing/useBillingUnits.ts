// Which units the Billing page offers. Billing has no list of units, and a finance key opens
// billing only, so the tree comes from billing's own statement (`tree`: the unit and its
// subtree) of a root found in this order: the key's scope unit; the perimeters of the budgets
// (when an allocation key is connected too); else the units with usage in the period, or this
// month when the period has none (the rebound report's subtree rows — their common ancestor has
// the most requests).
import { api, enc, query } from '../../api/client';
import type { Budget, ReboundReport, Statement, StatementTreeNode } from '../../api/types';
import { useAsync } from '../../hooks/useAsync';
import type { Session } from '../../session';
import { monthOf } from '../../lib/rebound';

export interface UnitChoice {
  unitId: string;
  name: string;
  depth: number;
}

async function rootCandidates(session: Session, period: string, signal: AbortSignal) {
  const scope = session.scopeUnitId('billing');
  if (scope) return [scope];
  if (session.can('allocation', 'GET', '/v1/budgets')) {
    const budgets = await api<Budget[]>('allocation', '/v1/budgets', { signal }).catch(() => []);
    const perimeters = [...new Set(budgets.map((budget) => budget.perimeterUnitId))];
    if (perimeters.length > 0) return perimeters;
  }
  const usageIn = (month: string) =>
    api<ReboundReport>('billing', `/v1/reports/rebound${query({ period: month })}`, {
      signal,
    });
  let report = await usageIn(period);
  // A month without usage (a past one, say) still has units: look at this month's usage.
  if (report.rows.length === 0 && period !== monthOf(new Date())) {
    report = await usageIn(monthOf(new Date()));
  }
  const subtreeRows = report.rows.filter((row) => row.scope === 'subtree');
  const rows = subtreeRows.length > 0 ? subtreeRows : report.rows;
  const most = rows.reduce((max, row) => {
    const requests = BigInt(row.current.requests);
    return requests > max ? requests : max;
  }, -1n);
  return rows.filter((row) => BigInt(row.current.requests) === most).map((row) => row.unitId);
}

export function useBillingUnits(session: Session, period: string) {
  const sessionKey = `${session.scopeUnitId('billing') ?? ''}|${String(
    session.can('allocation', 'GET', '/v1/budgets'),
  )}`;
  return useAsync(`${sessionKey}|${period}`, async (signal): Promise<UnitChoice[]> => {
    const roots = await rootCandidates(session, period, signal);
    const trees = await Promise.all(
      roots.map((root) =>
        api<Statement>(
          'billing',
          `/v1/units/${enc(root)}/statement${query({ period, includeDescendants: true })}`,
          { signal },
        )
          .then((statement) => statement.tree)
          .catch(() => [] as StatementTreeNode[]),
      ),
    );
    // The largest tree holds the others when the candidates were nested.
    const seen = new Set<string>();
    const choices: UnitChoice[] = [];
    for (const tree of [...trees].sort((a, b) => b.length - a.length)) {
      const base = tree[0]?.depth ?? 0;
      for (const node of tree) {
        if (seen.has(node.unitId)) continue;
        seen.add(node.unitId);
        choices.push({ unitId: node.unitId, name: node.name, depth: node.depth - base });
      }
    }
    return choices;
  });
}
