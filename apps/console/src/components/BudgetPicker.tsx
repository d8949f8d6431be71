import { useEffect, useId } from 'react';
import { api } from '../api/client';
import type { Budget } from '../api/types';
import { useAsync } from '../hooks/useAsync';
import { useHashParam } from '../hooks/useHashRoute';
import { formatDate } from '../lib/format';
import { AsyncStatus } from './AsyncStatus';
import { Empty } from './Empty';

/** All budgets the allocation key may read (GET /v1/budgets), newest period first. */
export function useBudgets() {
  return useAsync('budgets', async (signal) => {
    const list = await api<Budget[]>('allocation', '/v1/budgets', {
      signal,
    });

    return [...list].sort(
      (a, b) =>
        (b.period.startsAt ?? '').localeCompare(a.period.startsAt ?? '') ||
        a.budgetId.localeCompare(b.budgetId),
    );
  });
}

/**
 * A labelled budget <select>, its choice kept in the hash (`?budget=`), defaulting to the
 * first open budget. Renders its own loading / error / empty states; `onBudget` gets the
 * chosen budget (or undefined while none).
 */
export function BudgetPicker({
  onBudget,
  label = 'Budget',
}: {
  onBudget: (budget: Budget | undefined) => void;
  label?: string;
}) {
  const id = useId();
  const budgets = useBudgets();
  const [chosen, setChosen] = useHashParam('budget');
  const list = budgets.data ?? [];
  const fallback = list.find((budget) => budget.status === 'open') ?? list[0];
  const current = list.find((budget) => budget.budgetId === chosen) ?? fallback;

  useEffect(() => {
    onBudget(current);
  }, [current, onBudget]);

  if (budgets.status === 'error' || !budgets.data) {
    return (
      <AsyncStatus
        state={budgets}
        errorTitle="Budgets could not be read"
        loadingLabel="Loading budgets"
      />
    );
  }
  if (list.length === 0)
    return <Empty>No budget yet. An admin opens one with POST /v1/budgets.</Empty>;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={current?.budgetId ?? ''}
        onChange={(event) => setChosen(event.target.value)}
      >
        {list.map((budget) => (
          <option key={budget.budgetId} value={budget.budgetId}>
            {budget.budgetId} · {budget.dimension} · {formatDate(budget.period.startsAt)} to{' '}
            {formatDate(budget.period.endsAt)} · {budget.status}
          </option>
        ))}
      </select>
    </div>
  );
}
