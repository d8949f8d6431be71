import { useState } from 'react';
import { api, enc, query } from '../../api/client';
import { Amount, AsyncStatus, DataTable } from '../../components';
import { useAsync } from '../../hooks/useAsync';
import { formatDateTime } from '../../lib/format';
import type { InvoiceDetail, InvoiceSummary } from '../../api/types';

const MAX_LINES_SHOWN = 200;

/** The invoices of a period (issued when it is closed) and, on demand, one invoice's groups and lines. */
export function InvoicesPanel({
  period,
  unitId,
  open,
}: {
  period: string;
  unitId: string;
  open: boolean;
}) {
  const invoices = useAsync(`${period}|${unitId}`, (signal) =>
    api<InvoiceSummary[]>('billing', `/v1/invoices${query({ period, unitId })}`, { signal }),
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const detail = useAsync(chosen, (signal) =>
    api<InvoiceDetail>('billing', `/v1/invoices/${enc(chosen ?? '')}`, { signal }),
  );
  return (
    <section className="panel" aria-labelledby="billing-invoices">
      <h2 id="billing-invoices">Invoices</h2>
      <AsyncStatus
        state={invoices}
        errorTitle="Invoices could not be read"
        loadingLabel="Loading invoices"
      />
      {invoices.data && (
        <DataTable
          caption={`Invoices of ${period} for ${unitId} and its subtree`}
          captionHidden
          columns={[
            {
              header: 'Invoice',
              rowHeader: true,
              cell: (invoice) => (
                <button
                  type="button"
                  className="link"
                  aria-expanded={chosen === invoice.invoiceNumber}
                  onClick={() =>
                    setChosen((current) =>
                      current === invoice.invoiceNumber ? null : invoice.invoiceNumber,
                    )
                  }
                >
                  {invoice.invoiceNumber}
                </button>
              ),
            },
            { header: 'Unit', cell: (invoice) => invoice.unitId },
            { header: 'Cost centre', cell: (invoice) => invoice.costCentre },
            { header: 'Lines', numeric: true, cell: (invoice) => invoice.lineCount },
            {
              header: 'Total',
              numeric: true,
              cell: (invoice) => <Amount value={invoice.totalMicro} currency={invoice.currency} />,
            },
            { header: 'Issued', cell: (invoice) => formatDateTime(invoice.issuedAt) },
          ]}
          rows={invoices.data}
          rowKey={(invoice) => invoice.invoiceNumber}
          rowClassName={(invoice) => (invoice.invoiceNumber === chosen ? 'is-selected' : undefined)}
          empty={
            open
              ? `No invoice yet: ${period} is open. Invoices are issued when finance closes the period.`
              : `No invoice for ${unitId} in ${period}.`
          }
        />
      )}
      {chosen !== null && (
        <AsyncStatus
          state={detail}
          errorTitle={`${chosen} could not be read`}
          loadingLabel={`Loading ${chosen}`}
          whileReloading
        />
      )}
      {chosen !== null && detail.data?.invoiceNumber === chosen && (
        <InvoiceView invoice={detail.data} />
      )}
    </section>
  );
}

function InvoiceView({ invoice }: { invoice: InvoiceDetail }) {
  const shown = invoice.lines.slice(0, MAX_LINES_SHOWN);
  return (
    <div>
      <h3>
        {invoice.invoiceNumber}: <Amount value={invoice.totalMicro} currency={invoice.currency} />
      </h3>
      {invoice.adjustsInvoices.length > 0 && <p>Adjusts {invoice.adjustsInvoices.join(', ')}.</p>}
      <DataTable
        caption={`${invoice.invoiceNumber}: groups`}
        columns={[
          { header: 'Kind', rowHeader: true, cell: (group) => group.kind },
          { header: 'Class', cell: (group) => group.usefulnessClass ?? '—' },
          { header: 'Model', cell: (group) => group.model ?? '—' },
          { header: 'Lines', numeric: true, cell: (group) => group.lines },
          {
            header: 'Energy',
            numeric: true,
            cell: (group) => <Amount value={group.energyMicroWh} dimension="energy" />,
          },
          {
            header: 'Amount',
            numeric: true,
            cell: (group) => <Amount value={group.amountMicro} currency={invoice.currency} />,
          },
        ]}
        rows={invoice.groups}
        rowKey={(group) => `${group.kind}|${group.usefulnessClass}|${group.model}`}
      />
      <details>
        <summary>
          Lines ({invoice.lines.length}
          {invoice.lines.length > MAX_LINES_SHOWN ? `, first ${MAX_LINES_SHOWN} shown` : ''})
        </summary>
        <DataTable
          caption={`${invoice.invoiceNumber}: lines`}
          captionHidden
          columns={[
            {
              header: 'Occurred',
              rowHeader: true,
              cell: (line) => formatDateTime(line.occurredAt),
            },
            { header: 'Unit', cell: (line) => line.unitId },
            { header: 'Use case', cell: (line) => line.useCase },
            { header: 'Kind', cell: (line) => line.kind },
            { header: 'Requests', numeric: true, cell: (line) => line.requests },
            {
              header: 'Amount',
              numeric: true,
              cell: (line) => <Amount value={line.amountMicro} currency={invoice.currency} />,
            },
          ]}
          rows={shown}
          rowKey={(line) => line.lineId}
        />
      </details>
    </div>
  );
}
