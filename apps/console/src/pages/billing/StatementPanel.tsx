import { Amount, CurrencyAmounts, DataTable, Empty } from '../../components';
import { formatDateTime } from '../../lib/format';
import type { Statement } from '../../api/types';

/** A unit's running (or closed) statement: per currency its total and groups, the unit tree. */
export function StatementPanel({ statement }: { statement: Statement }) {
  return (
    <section className="panel" aria-labelledby="billing-statement">
      <h2 id="billing-statement">
        Statement of {statement.unitId}, {statement.period}{' '}
        <span className={statement.status === 'closed' ? 'badge ok' : 'badge warn'}>
          {statement.status === 'closed' ? 'closed' : 'open (running)'}
        </span>
      </h2>
      {statement.currencies.length === 0 && (
        <Empty>Nothing billed to this unit in {statement.period}.</Empty>
      )}
      {statement.currencies.map((currency) => (
        <div key={currency.currency}>
          <p>
            <strong>
              Total: <Amount value={currency.totalMicro} currency={currency.currency} />
            </strong>{' '}
            <span className="muted">({currency.lines} lines)</span>
          </p>
          <DataTable
            caption={`Lines by usefulness class, model and kind (${currency.currency})`}
            columns={[
              { header: 'Class', rowHeader: true, cell: (group) => group.usefulnessClass ?? '—' },
              { header: 'Model', cell: (group) => group.model ?? '—' },
              { header: 'Kind', cell: (group) => group.kind },
              { header: 'Lines', numeric: true, cell: (group) => group.lines },
              { header: 'Requests', numeric: true, cell: (group) => group.requests },
              {
                header: 'Energy',
                numeric: true,
                cell: (group) => <Amount value={group.energyMicroWh} dimension="energy" />,
              },
              {
                header: 'Carbon',
                numeric: true,
                cell: (group) => <Amount value={group.carbonMicroGrams} dimension="carbon" />,
              },
              {
                header: 'Amount',
                numeric: true,
                cell: (group) => <Amount value={group.amountMicro} currency={currency.currency} />,
              },
            ]}
            rows={currency.groups}
            rowKey={(group) => `${group.usefulnessClass}|${group.model}|${group.kind}`}
          />
        </div>
      ))}
      {statement.tree.length > 1 && (
        <DataTable
          caption="By unit (own lines and rolled up)"
          columns={[
            {
              header: 'Unit',
              rowHeader: true,
              cell: (node) => (
                <span
                  style={{
                    paddingLeft: `${(node.depth - (statement.tree[0]?.depth ?? 0)) * 1.25}rem`,
                  }}
                >
                  {node.name} <span className="muted small">({node.unitId})</span>
                </span>
              ),
            },
            {
              header: 'Own',
              numeric: true,
              cell: (node) => <CurrencyAmounts amounts={node.own} />,
            },
            {
              header: 'With sub-units',
              numeric: true,
              cell: (node) => <CurrencyAmounts amounts={node.subtree} />,
            },
          ]}
          rows={statement.tree}
          rowKey={(node) => node.unitId}
        />
      )}
      {statement.adjustments.length > 0 && (
        <DataTable
          caption="Lines adjusting an invoice of a closed period"
          columns={[
            { header: 'Invoice adjusted', rowHeader: true, cell: (line) => line.adjustsInvoice },
            { header: 'Kind', cell: (line) => line.kind },
            { header: 'Unit', cell: (line) => line.unitId },
            { header: 'Service period', cell: (line) => line.servicePeriod },
            { header: 'Booked', cell: (line) => formatDateTime(line.bookedAt) },
            {
              header: 'Amount',
              numeric: true,
              cell: (line) => <Amount value={line.amountMicro} currency={line.currency} />,
            },
          ]}
          rows={statement.adjustments}
          rowKey={(line) => line.lineId}
        />
      )}
    </section>
  );
}
