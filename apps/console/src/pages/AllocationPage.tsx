import { useCallback, useId, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError, api, enc } from '../api/client';
import type {
  AllocatedUnit,
  AllocationList,
  AllocationResult,
  Budget,
  Contribution,
} from '../api/types';
import {
  AsyncStatus,
  Amount,
  BudgetPicker,
  Chart,
  Empty,
  ErrorMessage,
  Loading,
  PageHeader,
  colourAt,
} from '../components';
import { asApiError, useAsync } from '../hooks/useAsync';
import { useHashParam } from '../hooks/useHashRoute';
import {
  formatAmount,
  formatChartValue,
  formatDateTime,
  formatDelta,
  formatExact,
  toBig,
  toChartNumber,
} from '../lib/format';
import {
  attributeOverrides,
  attributesUsed,
  boundByKind,
  compareAllocations,
  contributionsTotal,
  describeBoundBy,
  weightsUsed,
} from '../lib/whatif';
import { useSession } from '../session';
import { PolicyEditor } from './allocation/PolicyEditor';

export function AllocationPage() {
  const session = useSession();
  const [budget, setBudget] = useState<Budget | undefined>();
  const [roundId, setRoundId] = useHashParam('round');
  const [unitId, setUnitId] = useHashParam('unit');
  const roundFieldId = useId();
  const unitFieldId = useId();
  const budgetId = budget?.budgetId;

  const rounds = useAsync(budgetId ? `rounds|${budgetId}` : null, (signal) =>
    api<AllocationList>('allocation', `/v1/budgets/${enc(budgetId ?? '')}/allocations`, { signal }),
  );
  const items = rounds.data?.budgetId === budgetId ? (rounds.data?.items ?? []) : [];
  const chosenRound =
    items.find((item) => item.allocationId === roundId) ?? items[items.length - 1];

  const round = useAsync(
    budgetId && chosenRound ? `round|${budgetId}|${chosenRound.allocationId}` : null,
    (signal) =>
      api<AllocationResult>(
        'allocation',
        `/v1/budgets/${enc(budgetId ?? '')}/allocations/${enc(chosenRound?.allocationId ?? '')}`,
        { signal },
      ),
  );
  const units = round.data?.units ?? [];
  const selected =
    units.find((unit) => unit.unitId === unitId) ??
    units.find((unit) => unit.depth === 1) ??
    units[0];
  const canPreview = session.can('allocation', 'POST', '/v1/budgets/{budgetId}/preview');

  return (
    <>
      <PageHeader
        title="Why this allocation"
        description="Per unit, what each criterion contributed and which floor, cap or demand bound it; and a what-if preview that commits nothing."
      />
      <div className="toolbar">
        <BudgetPicker onBudget={setBudget} />
        {items.length > 0 && (
          <div className="field">
            <label htmlFor={roundFieldId}>Allocation round</label>
            <select
              id={roundFieldId}
              value={chosenRound?.allocationId ?? ''}
              onChange={(event) => setRoundId(event.target.value)}
            >
              {items.map((item) => (
                <option key={item.allocationId} value={item.allocationId}>
                  {item.allocationId} · {formatAmount(item.amount, budget?.dimension)} ·{' '}
                  {formatDateTime(item.occurredAt)}
                </option>
              ))}
            </select>
          </div>
        )}
        {units.length > 0 && (
          <div className="field">
            <label htmlFor={unitFieldId}>Unit</label>
            <select
              id={unitFieldId}
              value={selected?.unitId ?? ''}
              onChange={(event) => setUnitId(event.target.value)}
            >
              {units.map((unit) => (
                <option key={unit.unitId} value={unit.unitId}>
                  {'\u00a0\u00a0'.repeat(unit.depth)}
                  {unit.unitId}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <AsyncStatus
        state={rounds}
        errorTitle="Allocation rounds could not be read"
        loadingLabel="Loading allocation rounds"
      />
      {rounds.status === 'ok' && items.length === 0 && (
        <Empty>No allocation round in this budget yet: nothing has been allocated.</Empty>
      )}
      <AsyncStatus
        state={round}
        errorTitle="The allocation round could not be read"
        loadingLabel="Loading the allocation round"
      />
      {round.data && budget && selected && (
        <>
          <RoundOverview
            round={round.data}
            dimension={budget.dimension}
            selected={selected.unitId}
            onSelect={setUnitId}
            actor={chosenRound?.actor}
            occurredAt={chosenRound?.occurredAt}
          />
          <ExplanationPanel
            title={`Why ${selected.unitId} got ${formatAmount(selected.amount, budget.dimension)}`}
            unit={selected}
            units={units}
            dimension={budget.dimension}
          />
          {canPreview ? (
            <WhatIfPanel
              key={round.data.allocationId}
              budget={budget}
              round={round.data}
              selected={selected.unitId}
            />
          ) : (
            <p className="muted small">
              Your allocation key may not run previews, so the what-if panel is not shown.
            </p>
          )}
        </>
      )}
    </>
  );
}

function RoundOverview({
  round,
  dimension,
  selected,
  onSelect,
  actor,
  occurredAt,
}: {
  round: AllocationResult;
  dimension: string;
  selected: string;
  onSelect: (unitId: string) => void;
  actor?: string;
  occurredAt?: string;
}) {
  return (
    <section className="panel" aria-labelledby="round-title">
      <h2 id="round-title" style={{ marginTop: 0 }}>
        Round {round.allocationId}: <Amount value={round.amount} dimension={dimension} />
      </h2>
      <p className="muted small">
        {actor ? `By ${actor}` : ''} {occurredAt ? `on ${formatDateTime(occurredAt)}` : ''}
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">
            Every unit's part in round {round.allocationId}
          </caption>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                Own account (spendable)
              </th>
              <th scope="col">Bound by</th>
              <th scope="col">Explanation</th>
            </tr>
          </thead>
          <tbody>
            {round.units.map((unit) => {
              const bound = boundByKind(unit.explanation?.boundBy);
              return (
                <tr
                  key={unit.unitId}
                  data-unit-id={unit.unitId}
                  className={unit.unitId === selected ? 'is-selected' : undefined}
                >
                  <th scope="row" style={{ paddingLeft: `${0.6 + unit.depth * 1.25}rem` }}>
                    {unit.unitId}
                  </th>
                  <td className="num" data-figure="amount">
                    <Amount value={unit.amount} dimension={dimension} />
                  </td>
                  <td className="num">
                    <Amount value={unit.spendable} dimension={dimension} />
                  </td>
                  <td>
                    {bound ? (
                      <span className="badge warn">{bound}</span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    {unit.explanation ? (
                      <button
                        type="button"
                        className="link"
                        aria-pressed={unit.unitId === selected}
                        onClick={() => onSelect(unit.unitId)}
                      >
                        Explain {unit.unitId}
                      </button>
                    ) : (
                      <span className="muted">the perimeter</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function contributionLabel(contribution: Contribution): string {
  const parts: string[] = [contribution.criterion];
  if (typeof contribution.attribute === 'string') parts.push(contribution.attribute);
  if (typeof contribution.tier === 'string') parts.push(`tier ${contribution.tier}`);
  return parts.join(' · ');
}

function contributionDetail(contribution: Contribution, dimension: string): string {
  const c = contribution as Record<string, unknown>;
  const details: string[] = [];
  if (typeof c.weight === 'string' && typeof c.totalWeight === 'string') {
    details.push(`weight ${c.weight} of ${c.totalWeight}`);
  } else if (typeof c.weight === 'string') details.push(`weight ${c.weight}`);
  if (typeof c.componentAmount === 'string') {
    details.push(`share of ${formatAmount(c.componentAmount, dimension)}`);
  }
  if (typeof c.floor === 'string') details.push(`floor ${formatAmount(c.floor, dimension)}`);
  if (typeof c.shortfall === 'string' && c.shortfall !== '0') {
    details.push(`shortfall ${formatAmount(c.shortfall, dimension)}`);
  }
  if (typeof c.demand === 'string') details.push(`demand ${formatAmount(c.demand, dimension)}`);
  if (typeof c.level === 'string') details.push(`level ${formatAmount(c.level, dimension)}`);
  if (typeof c.rank === 'number') details.push(`rank ${c.rank}`);
  if (c.roundedUp === true) details.push('rounded up by one');
  return details.join(', ');
}

function ExplanationPanel({
  title,
  unit,
  units,
  dimension,
}: {
  title: string;
  unit: AllocatedUnit;
  units: readonly AllocatedUnit[];
  dimension: string;
}) {
  const headingId = useId();
  const parent = units.find((candidate) => candidate.unitId === unit.parentId);
  const contributions = unit.explanation?.contributions ?? [];
  const total = contributionsTotal(unit.explanation);
  const bound = boundByKind(unit.explanation?.boundBy);
  const bars = contributions.map((contribution, index) => ({
    name: contributionLabel(contribution),
    value: toChartNumber(contribution.amount),
    index,
  }));
  return (
    <section className="panel" aria-labelledby={headingId} data-explained-unit={unit.unitId}>
      <h2 id={headingId} style={{ marginTop: 0 }}>
        {title}
      </h2>
      {!unit.explanation ? (
        <Empty>{unit.unitId} is the perimeter: it receives the whole round amount.</Empty>
      ) : (
        <>
          <p className={bound ? 'warning' : 'muted'}>
            <strong>{bound ? `Bound by ${bound}. ` : ''}</strong>
            {describeBoundBy(bound)}
          </p>
          <div className="grid-2">
            <div className="table-wrap">
              <table aria-label={`Contributions to ${unit.unitId}`}>
                <thead>
                  <tr>
                    <th scope="col">Criterion</th>
                    <th scope="col">Detail</th>
                    <th scope="col" className="num">
                      Contributed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {contributions.map((contribution, index) => (
                    <tr key={index}>
                      <th scope="row">{contributionLabel(contribution)}</th>
                      <td>{contributionDetail(contribution, dimension)}</td>
                      <td className="num" data-figure="contribution">
                        <Amount value={contribution.amount} dimension={dimension} />
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={2}>
                      Sum of contributions{' '}
                      {total === toBig(unit.amount) ? (
                        <span className="badge ok">= amount</span>
                      ) : (
                        <span className="badge danger">
                          ≠ amount {formatExact(unit.amount, dimension)}
                        </span>
                      )}
                    </th>
                    <td className="num" data-figure="contributions-total">
                      <Amount value={total} dimension={dimension} />
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
            <Chart
              height={Math.max(140, 48 * bars.length + 40)}
              label={`Bar chart of the contributions to ${unit.unitId}; the table lists the same figures`}
            >
              <BarChart data={bars} layout="vertical" margin={{ left: 8, right: 16 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  type="number"
                  tickFormatter={(v: number) => formatChartValue(v, dimension)}
                />
                <YAxis type="category" dataKey="name" width={140} />
                <Tooltip formatter={(v) => formatChartValue(Number(v), dimension)} />
                <Bar dataKey="value" name="contributed" isAnimationActive={false}>
                  {bars.map((bar) => (
                    <Cell key={bar.index} fill={colourAt(bar.index)} />
                  ))}
                </Bar>
              </BarChart>
            </Chart>
          </div>
        </>
      )}
      {parent?.split && (
        <>
          <h3>At the parent, {parent.unitId}</h3>
          <p className="small">
            Rule <code>{parent.split.criterion}</code>; {parent.unitId} received{' '}
            <Amount value={parent.amount} dimension={dimension} />, held back{' '}
            <Amount value={parent.split.heldBack} dimension={dimension} /> (contingency) and left{' '}
            <Amount value={parent.split.unallocated} dimension={dimension} /> unallocated
            {parent.split.unallocatedReasons.length > 0
              ? ` (${parent.split.unallocatedReasons.map(String).join(', ')})`
              : ''}
            .
          </p>
        </>
      )}
    </section>
  );
}

type Edits = Record<string, Record<string, string>>;

function WhatIfPanel({
  budget,
  round,
  selected,
}: {
  budget: Budget;
  round: AllocationResult;
  selected: string;
}) {
  const original = useMemo(() => round.policies ?? {}, [round.policies]);
  const [policies, setPolicies] = useState<Record<string, unknown>>(original);
  const [edits, setEdits] = useState<Edits>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [preview, setPreview] = useState<AllocationResult | null>(null);
  const used = useMemo(() => weightsUsed(round.units, original), [round.units, original]);
  const attributes = useMemo(() => attributesUsed(original), [original]);
  const weightedUnits = useMemo(() => round.units.filter((unit) => unit.depth > 0), [round.units]);
  const dim = budget.dimension;

  // Any change makes a shown preview stale: drop it.
  const changePolicies = useCallback((next: Record<string, unknown>) => {
    setPolicies(next);
    setPreview(null);
  }, []);
  const changeEdit = (unitId: string, attribute: string, value: string) => {
    setEdits((previous) => ({
      ...previous,
      [unitId]: { ...previous[unitId], [attribute]: value },
    }));
    setPreview(null);
  };

  const reset = useCallback(() => {
    setPolicies(original);
    setEdits({});
    setError(null);
    setPreview(null);
  }, [original]);

  async function runPreview() {
    setBusy(true);
    setError(null);
    try {
      const overrides = attributeOverrides(edits, used);
      // Re-split this round's amount as if the round were not there (contracts B′: `replacing`).
      const body: Record<string, unknown> = {
        policies,
        amount: round.amount,
        replacing: round.allocationId,
      };
      if (Object.keys(overrides).length > 0) body.attributeOverrides = overrides;
      const answer = await api<AllocationResult>(
        'allocation',
        `/v1/budgets/${enc(budget.budgetId)}/preview`,
        { method: 'POST', body },
      );
      setPreview(answer);
    } catch (caught) {
      setError(asApiError(caught));
      setPreview(null);
    } finally {
      setBusy(false);
    }
  }

  const compared = preview ? compareAllocations(round.units, preview.units) : [];
  const previewSelected = preview?.units.find((unit) => unit.unitId === selected);

  return (
    <section className="panel" aria-labelledby="what-if-title">
      <h2 id="what-if-title" style={{ marginTop: 0 }}>
        What if
      </h2>
      <p className="muted">
        Change the round's policies or the units' weights and preview the result. A preview
        re-splits the round's amount (<Amount value={round.amount} dimension={dim} />) as if this
        round were replaced, and <strong>commits nothing</strong>.
      </p>
      <PolicyEditor
        policies={policies}
        onChange={changePolicies}
        units={round.units}
        dimension={dim}
      />
      {attributes.length > 0 && weightedUnits.length > 0 && (
        <details className="panel" open>
          <summary>Unit weights (attributes)</summary>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">
                Attribute weights per unit for the preview
              </caption>
              <thead>
                <tr>
                  <th scope="col">Unit</th>
                  {attributes.map((attribute) => (
                    <th key={attribute} scope="col">
                      {attribute}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {weightedUnits.map((unit) => (
                  <tr key={unit.unitId}>
                    <th scope="row">{unit.unitId}</th>
                    {attributes.map((attribute) => {
                      const current = used.get(unit.unitId)?.get(attribute);
                      const value = edits[unit.unitId]?.[attribute] ?? current ?? '';
                      return (
                        <td key={attribute}>
                          <input
                            className="num"
                            inputMode="decimal"
                            size={8}
                            aria-label={`${unit.unitId} ${attribute} weight`}
                            placeholder={current === undefined ? 'unchanged' : undefined}
                            value={value}
                            onChange={(event) =>
                              changeEdit(unit.unitId, attribute, event.target.value)
                            }
                          />
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            Pre-filled with the weights the round used (read from its explanations); an empty field
            keeps the unit's current value.
          </p>
        </details>
      )}
      <div className="toolbar">
        <button type="button" onClick={() => void runPreview()} disabled={busy}>
          {busy ? 'Previewing…' : 'Preview'}
        </button>
        <button type="button" className="secondary" onClick={reset}>
          Reset to the round
        </button>
      </div>
      {error && <ErrorMessage error={error} title="The preview was refused" />}
      {busy && <Loading label="Computing the preview" />}
      {preview && (
        <div aria-live="polite">
          <p className="notice" role="status">
            Preview only: nothing has been committed. Total{' '}
            <Amount value={preview.amount} dimension={dim} />.
          </p>
          <div className="table-wrap">
            <table aria-label="Preview compared with the round">
              <thead>
                <tr>
                  <th scope="col">Unit</th>
                  <th scope="col" className="num">
                    Current
                  </th>
                  <th scope="col" className="num">
                    Preview
                  </th>
                  <th scope="col" className="num">
                    Change
                  </th>
                </tr>
              </thead>
              <tbody>
                {compared.map((row) => (
                  <tr
                    key={row.unitId}
                    data-unit-id={row.unitId}
                    className={row.unitId === selected ? 'is-selected' : undefined}
                  >
                    <th scope="row" style={{ paddingLeft: `${0.6 + row.depth * 1.25}rem` }}>
                      {row.unitId}
                    </th>
                    <td className="num" data-figure="current">
                      <Amount value={row.current} dimension={dim} />
                    </td>
                    <td className="num" data-figure="preview">
                      <Amount value={row.preview} dimension={dim} />
                    </td>
                    <td className="num" data-figure="delta" data-value={row.delta.toString()}>
                      <span className={row.delta < 0n ? 'amount negative' : 'amount'}>
                        {formatDelta(row.delta, dim)}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {previewSelected && (
            <ExplanationPanel
              title={`In the preview, ${selected} would get ${formatAmount(previewSelected.amount, dim)}`}
              unit={previewSelected}
              units={preview.units}
              dimension={dim}
            />
          )}
        </div>
      )}
    </section>
  );
}
