import { api, query } from '../../api/client';
import { Amount, AsyncStatus, DataTable } from '../../components';
import { useAsync } from '../../hooks/useAsync';
import { formatDateTime } from '../../lib/format';
import type { Reconciliation, ReconciliationUnit } from '../../api/types';

/** Recorded usage of the service period against what was billed for it, and usage held unpriced. */
export function ReconciliationPanel({ period, unitId }: { period: string; unitId: string }) {
  const report = useAsync(`${period}|${unitId}`, (signal) =>
    api<Reconciliation>('billing', `/v1/reconciliation${query({ period, unitId })}`, { signal }),
  );
  return (
    <section className="panel" aria-labelledby="billing-reconciliation">
      <h2 id="billing-reconciliation">Reconciliation</h2>
      <AsyncStatus
        state={report}
        errorTitle="The reconciliation could not be read"
        loadingLabel="Loading reconciliation"
      />
      {report.data && (
        <>
          <p>
            Status:{' '}
            {report.data.status === 'match' ? (
              <span className="badge ok">match</span>
            ) : (
              <span className="badge danger">differences</span>
            )}{' '}
            <span className="muted">
              {report.data.units.length} units with usage in {report.data.period};{' '}
              {report.data.differences.length} differ; {report.data.heldUsage.length} usage events
              held for want of a price.
            </span>
          </p>
          {report.data.differences.length > 0 && (
            <UnitsTable
              caption="Units whose recorded and billed usage differ"
              rows={report.data.differences}
            />
          )}
          <details>
            <summary>Recorded against billed, per unit</summary>
            <UnitsTable caption="Recorded against billed usage per unit" rows={report.data.units} />
          </details>
          {report.data.heldUsage.length > 0 && (
            <DataTable
              caption="Usage held for want of a price schedule"
              columns={[
                { header: 'Usage', rowHeader: true, cell: (held) => <code>{held.usageId}</code> },
                { header: 'Unit', cell: (held) => held.unitId },
                { header: 'Currency', cell: (held) => held.currency },
                { header: 'Occurred', cell: (held) => formatDateTime(held.occurredAt) },
                {
                  header: 'Energy',
                  numeric: true,
                  cell: (held) => <Amount value={held.energyMicroWh} dimension="energy" />,
                },
              ]}
              rows={report.data.heldUsage}
              rowKey={(held) => held.usageId}
            />
          )}
        </>
      )}
    </section>
  );
}

function UnitsTable({ caption, rows }: { caption: string; rows: ReconciliationUnit[] }) {
  return (
    <DataTable
      caption={caption}
      columns={[
        { header: 'Unit', rowHeader: true, cell: (unit) => unit.unitId },
        {
          header: 'Recorded energy',
          numeric: true,
          cell: (unit) => <Amount value={unit.recordedEnergyMicroWh} dimension="energy" exact />,
        },
        {
          header: 'Billed energy',
          numeric: true,
          cell: (unit) => <Amount value={unit.billedEnergyMicroWh} dimension="energy" exact />,
        },
        {
          header: 'Carbon difference',
          numeric: true,
          cell: (unit) => (
            <Amount value={unit.carbonDifferenceMicroGrams} dimension="carbon" exact />
          ),
        },
        { header: 'Held', numeric: true, cell: (unit) => unit.heldUnpriced },
        {
          header: 'Status',
          cell: (unit) =>
            unit.match ? (
              <span className="badge ok">match</span>
            ) : (
              <span className="badge danger">differs</span>
            ),
        },
      ]}
      rows={rows}
      rowKey={(unit) => unit.unitId}
    />
  );
}
