import { useMemo, useState } from 'react';
import { api, enc } from '../api/client';
import type { Balances, BalanceFigures, Budget, UnitNode } from '../api/types';
import { Amount, AsyncStatus, BudgetPicker, Empty, PageHeader } from '../components';
import { useAsync } from '../hooks/useAsync';
import { toBig } from '../lib/format';
import { FIGURES, expandedToDepth, flattenTree } from '../lib/tree';
import type { TreeRow } from '../lib/tree';
import { useSession } from '../session';

const FIGURE_LABELS: Record<(typeof FIGURES)[number], string> = {
  allocated: 'Allocated',
  reserved: 'Reserved',
  committed: 'Committed',
  available: 'Available',
  overrun: 'Overrun',
};

type View = 'subtree' | 'own';

export function OrganisationPage() {
  const session = useSession();
  const [budget, setBudget] = useState<Budget | undefined>();
  const scope = session.scopeUnitId('allocation');
  const rootId = scope ?? budget?.perimeterUnitId;

  const data = useAsync(
    budget && rootId ? `${budget.budgetId}|${rootId}` : null,
    async (signal) => {
      const [tree, balances] = await Promise.all([
        api<UnitNode>('allocation', `/v1/units/${enc(rootId ?? '')}`, { signal }),
        api<Balances>('allocation', `/v1/budgets/${enc(budget?.budgetId ?? '')}/balances`, {
          signal,
        }),
      ]);
      return { tree, balances };
    },
  );

  return (
    <>
      <PageHeader
        title="Organisation"
        description="The unit tree with each unit's ceiling, allocated, reserved, committed, available and overrun, rolled up over its subtree."
      />
      <div className="toolbar">
        <BudgetPicker onBudget={setBudget} />
        {data.status !== 'idle' && (
          <button type="button" className="secondary" onClick={data.reload}>
            Refresh
          </button>
        )}
      </div>
      {budget && (
        <BudgetFigures
          budget={budget}
          scope={scope}
          balances={
            data.data?.balances.budgetId === budget.budgetId ? data.data.balances : undefined
          }
        />
      )}
      <AsyncStatus
        state={data}
        errorTitle="The unit tree could not be read"
        loadingLabel="Loading the unit tree"
        whileReloading
      />
      {data.data && budget && data.data.balances.budgetId === budget.budgetId && (
        <UnitTreeTable
          key={`${budget.budgetId}|${data.data.tree.unitId}`}
          budget={budget}
          tree={data.data.tree}
          balances={data.data.balances}
        />
      )}
    </>
  );
}

function BudgetFigures({
  budget,
  scope,
  balances,
}: {
  budget: Budget;
  /** A unit manager's scope unit: its balances' totals are over that subtree only. */
  scope: string | null | undefined;
  balances: Balances | undefined;
}) {
  const unallocated = toBig(budget.ceiling) - toBig(budget.allocated);
  const totals = balances?.totals;
  // The ceiling and allocated are the budget's; the totals are over the rows the key may see.
  const over = (label: string) => (scope ? `${label} in ${scope} and below` : label);
  const item = (label: string, value: string | bigint | undefined) => (
    <div>
      <dt>{label}</dt>
      <dd>{value === undefined ? '—' : <Amount value={value} dimension={budget.dimension} />}</dd>
    </div>
  );
  return (
    <dl className="figures" aria-label={`Budget ${budget.budgetId} figures`}>
      {item('Ceiling', budget.ceiling)}
      {item('Allocated (all rounds)', budget.allocated)}
      {item('Not yet allocated', unallocated)}
      {item(over('Reserved'), totals?.reserved)}
      {item(over('Committed'), totals?.committed)}
      {item(over('Available'), totals?.available)}
      {item(over('Overrun'), totals?.overrun)}
    </dl>
  );
}

function UnitTreeTable({
  budget,
  tree,
  balances,
}: {
  budget: Budget;
  tree: UnitNode;
  balances: Balances;
}) {
  const [expanded, setExpanded] = useState<Set<string>>(() => expandedToDepth(tree, 2));
  const [view, setView] = useState<View>('subtree');
  const rows = useMemo(
    () => flattenTree(tree, balances.units, expanded),
    [tree, balances.units, expanded],
  );
  const allParents = useMemo(() => expandedToDepth(tree, Number.MAX_SAFE_INTEGER), [tree]);

  if (balances.units.length === 0 && tree.children.length === 0) {
    return <Empty>No unit has a balance in this budget yet.</Empty>;
  }

  const toggle = (unitId: string) =>
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(unitId)) next.delete(unitId);
      else next.add(unitId);
      return next;
    });

  const figuresOf = (row: TreeRow): BalanceFigures | undefined =>
    view === 'subtree' ? row.rolledUp : row.own;

  return (
    <section aria-labelledby="unit-tree-title" className="panel">
      <div className="toolbar">
        <h2 id="unit-tree-title" style={{ margin: 0 }}>
          Units
        </h2>
        <div className="field">
          <label htmlFor="figures-view">Figures</label>
          <select
            id="figures-view"
            value={view}
            onChange={(event) => setView(event.target.value as View)}
          >
            <option value="subtree">Rolled up (unit and everything below)</option>
            <option value="own">Own account only</option>
          </select>
        </div>
        <button
          type="button"
          className="secondary"
          onClick={() => setExpanded(new Set(allParents))}
        >
          Expand all
        </button>
        <button type="button" className="secondary" onClick={() => setExpanded(new Set())}>
          Collapse all
        </button>
      </div>
      <div className="table-wrap">
        <table className="tree-table" aria-label={`Unit tree of ${budget.budgetId}`}>
          <caption className="visually-hidden">
            Units of {tree.name} in budget {budget.budgetId},{' '}
            {view === 'subtree' ? 'figures rolled up over each subtree' : 'own account figures'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col" className="num">
                Ceiling
              </th>
              {FIGURES.map((figure) => (
                <th key={figure} scope="col" className="num">
                  {FIGURE_LABELS[figure]}
                </th>
              ))}
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const figures = figuresOf(row);
              const classes = [row.blocked ? 'is-blocked' : '', row.overrun ? 'is-overrun' : '']
                .join(' ')
                .trim();
              return (
                <tr
                  key={row.unitId}
                  data-unit-id={row.unitId}
                  data-depth={row.depth}
                  className={classes || undefined}
                >
                  <th scope="row" style={{ paddingLeft: `${0.6 + row.depth * 1.25}rem` }}>
                    {row.hasChildren ? (
                      <button
                        type="button"
                        className="tree-toggle"
                        aria-expanded={row.expanded}
                        aria-label={`${row.expanded ? 'Collapse' : 'Expand'} ${row.name}`}
                        onClick={() => toggle(row.unitId)}
                      >
                        <span aria-hidden="true">{row.expanded ? '▾' : '▸'}</span>
                      </button>
                    ) : (
                      <span className="tree-spacer" aria-hidden="true" />
                    )}
                    {row.name} <span className="muted small unit-id">{row.unitId}</span>
                  </th>
                  <td className="num">
                    {row.unitId === budget.perimeterUnitId ? (
                      <Amount value={budget.ceiling} dimension={budget.dimension} />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  {FIGURES.map((figure) => (
                    <td key={figure} className="num" data-figure={figure}>
                      <Amount value={figures?.[figure]} dimension={budget.dimension} />
                    </td>
                  ))}
                  <td>
                    {row.blocked && <span className="badge danger">blocked</span>}
                    {row.overrun && <span className="badge danger">overrun</span>}
                    {!row.blocked && row.blockedBelow && (
                      <span className="badge warn">blocked below</span>
                    )}
                    {!row.overrun && row.overrunBelow && (
                      <span className="badge warn">overrun below</span>
                    )}
                    {row.own?.closed && <span className="badge">closed</span>}
                    {row.archived && <span className="badge">archived</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Rolled up = the unit's own account plus every unit below it. The ceiling applies to the
        whole perimeter ({budget.perimeterUnitId}).
      </p>
    </section>
  );
}
