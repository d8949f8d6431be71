// Billing: a unit's statement for a period, the period's invoices, the journal export (totals
// and a CSV download checked against them) and the reconciliation status. Closing the period is
// offered only to keys allowed to (admin, finance), behind a confirmation.
import { useId, useState } from 'react';
import { api, enc, query } from '../api/client';
import { AsyncStatus, Empty, PageHeader } from '../components';
import { useAsync } from '../hooks/useAsync';
import { useHashParam } from '../hooks/useHashRoute';
import { monthOf } from '../lib/rebound';
import { useSession } from '../session';
import { ClosedNotice, ClosePeriod } from './billing/ClosePeriod';
import { InvoicesPanel } from './billing/InvoicesPanel';
import { JournalPanel } from './billing/JournalPanel';
import { ReconciliationPanel } from './billing/ReconciliationPanel';
import { StatementPanel } from './billing/StatementPanel';
import type { PeriodClose, Statement } from '../api/types';
import { useBillingUnits } from './billing/useBillingUnits';

const MONTH = /^\d{4}-\d{2}$/;

export function BillingPage() {
  const session = useSession();
  const periodId = useId();
  const unitId = useId();
  const descendantsId = useId();
  const [periodParam, setPeriod] = useHashParam('period');
  const [unitParam, setUnit] = useHashParam('unit');
  const [ownOnlyParam, setOwnOnly] = useHashParam('own');
  const period = periodParam && MONTH.test(periodParam) ? periodParam : monthOf(new Date());
  const includeDescendants = ownOnlyParam !== '1';

  const units = useBillingUnits(session, period);
  const choices = units.data ?? [];
  const unit = choices.find((choice) => choice.unitId === unitParam)?.unitId ?? choices[0]?.unitId;

  const statement = useAsync(
    unit ? `${unit}|${period}|${String(includeDescendants)}` : null,
    (signal) =>
      api<Statement>(
        'billing',
        `/v1/units/${enc(unit ?? '')}/statement${query({ period, includeDescendants })}`,
        { signal },
      ),
  );
  const canClose = session.can('billing', 'POST', `/v1/periods/${period}/close`);
  // A close issues invoices and freezes the books: everything below is read again.
  const [closes, setCloses] = useState(0);
  const [closed, setClosed] = useState<PeriodClose | null>(null);
  const onClosed = (answer: PeriodClose) => {
    setClosed(answer);
    setCloses((count) => count + 1);
    statement.reload();
  };

  return (
    <>
      <PageHeader
        title="Billing"
        description="Statements and invoices per unit and period, the journal export and reconciliation."
        actions={
          canClose && statement.data?.status !== 'closed' ? (
            <ClosePeriod period={period} onClosed={onClosed} />
          ) : undefined
        }
      />
      {closed && <ClosedNotice closed={closed} />}
      <div className="toolbar">
        <div className="field">
          <label htmlFor={periodId}>Period</label>
          <input
            id={periodId}
            type="month"
            value={period}
            onChange={(event) => {
              if (MONTH.test(event.target.value)) setPeriod(event.target.value);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={unitId}>Unit</label>
          <select
            id={unitId}
            value={unit ?? ''}
            onChange={(event) => setUnit(event.target.value)}
            disabled={choices.length === 0}
          >
            {choices.map((choice) => (
              <option key={choice.unitId} value={choice.unitId}>
                {'\u00a0\u00a0'.repeat(choice.depth)}
                {choice.name} ({choice.unitId})
              </option>
            ))}
          </select>
        </div>
        <div className="field-check">
          <input
            id={descendantsId}
            type="checkbox"
            checked={includeDescendants}
            onChange={(event) => setOwnOnly(event.target.checked ? undefined : '1')}
          />
          <label htmlFor={descendantsId}>Include sub-units</label>
        </div>
      </div>
      <AsyncStatus
        state={units}
        errorTitle="The units could not be read"
        loadingLabel="Loading units"
      />
      {units.status === 'ok' && choices.length === 0 && (
        <Empty>
          Billing knows no unit with usage in {period} yet. Pick another period, or sign in with an
          allocation key too so the console can list the organisation&apos;s units.
        </Empty>
      )}
      {unit && (
        <>
          <AsyncStatus
            state={statement}
            errorTitle="The statement could not be read"
            loadingLabel="Loading statement"
          />
          {statement.data && <StatementPanel statement={statement.data} />}
          <div className="grid-2" key={`panels-${closes}`}>
            <JournalPanel period={period} unitId={unit} statement={statement.data} />
            <ReconciliationPanel period={period} unitId={unit} />
          </div>
          <InvoicesPanel
            key={`invoices-${closes}`}
            period={period}
            unitId={unit}
            open={statement.data?.status !== 'closed'}
          />
        </>
      )}
    </>
  );
}
