// The journal export of a period (and unit subtree): its totals from the JSON export, and a real
// CSV download (fetched with the key header — a plain link could not carry it — then saved with
// the server's file name). The downloaded file is totalled again, exactly, and compared.
import { useState } from 'react';
import { apiDownload, api, query, saveBlob } from '../../api/client';
import { Amount, AsyncStatus, DataTable, ErrorMessage } from '../../components';
import { asApiError, useAsync } from '../../hooks/useAsync';
import { compareJournalTotals, journalCsvTotals, netChargedMicro } from '../../lib/journal-csv';
import type { JournalExport, Statement } from '../../api/types';

interface DownloadCheck {
  filename: string;
  rows: number;
  differences: string[];
  /** Per currency: net charged in the file against the statement's total (when comparable). */
  statementChecks: Array<{ currency: string; net: bigint; statement: bigint | null }>;
}

export function JournalPanel({
  period,
  unitId,
  statement,
}: {
  period: string;
  unitId: string;
  statement: Statement | undefined;
}) {
  const journal = useAsync(`${period}|${unitId}`, (signal) =>
    api<JournalExport>(
      'billing',
      `/v1/exports/journal${query({ period, unitId, format: 'json' })}`,
      {
        signal,
      },
    ),
  );
  const [busy, setBusy] = useState(false);
  const [check, setCheck] = useState<DownloadCheck | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function download() {
    setBusy(true);
    setError(null);
    setCheck(null);
    try {
      const file = await apiDownload(
        'billing',
        `/v1/exports/journal${query({ period, unitId, format: 'csv' })}`,
        {},
        'text/csv',
      );
      const filename = file.filename ?? `plafond-journal-${period}.csv`;
      saveBlob(file, filename);
      const text = await file.blob.text();
      const json = await api<JournalExport>(
        'billing',
        `/v1/exports/journal${query({ period, unitId, format: 'json' })}`,
      );
      const summary = journalCsvTotals(text);
      const comparison = compareJournalTotals(summary, json.totals);
      const comparable = statement?.includeDescendants === true && statement.unitId === unitId;
      const net = netChargedMicro(text);
      setCheck({
        filename,
        rows: summary.rows,
        differences: comparison.differences,
        statementChecks: [...net.entries()].map(([currency, value]) => {
          const total = statement?.currencies.find((entry) => entry.currency === currency);
          return {
            currency,
            net: value,
            statement: comparable && total ? BigInt(total.totalMicro) : null,
          };
        }),
      });
      journal.reload();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const totals = Object.entries(journal.data?.totals ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="panel" aria-labelledby="billing-journal">
      <h2 id="billing-journal">Journal export</h2>
      <AsyncStatus
        state={journal}
        errorTitle="The journal could not be read"
        loadingLabel="Loading journal totals"
      />
      {journal.data && (
        <DataTable
          caption={`Journal totals, ${period}, ${unitId} and its subtree`}
          columns={[
            { header: 'Currency', rowHeader: true, cell: ([currency]) => currency },
            {
              header: 'Debit',
              numeric: true,
              cell: ([currency, sums]) => <Amount value={sums.debitMicro} currency={currency} />,
            },
            {
              header: 'Credit',
              numeric: true,
              cell: ([currency, sums]) => <Amount value={sums.creditMicro} currency={currency} />,
            },
          ]}
          rows={totals}
          rowKey={([currency]) => currency}
          empty="No journal line in this period."
        />
      )}
      {journal.data && (
        <p className="muted small">
          {journal.data.lines.length} journal rows (two per charge line).
        </p>
      )}
      <button type="button" onClick={() => void download()} disabled={busy}>
        {busy ? 'Downloading…' : 'Download CSV'}
      </button>
      {error !== null && <ErrorMessage error={error} title="The CSV could not be downloaded" />}
      {check && <DownloadResult check={check} />}
    </section>
  );
}

function DownloadResult({ check }: { check: DownloadCheck }) {
  const ok =
    check.differences.length === 0 &&
    check.statementChecks.every(
      (entry) => entry.statement === null || entry.statement === entry.net,
    );
  return (
    <div className={ok ? 'notice' : 'warning'} role="status">
      <p>
        Downloaded <code>{check.filename}</code>: {check.rows} rows.{' '}
        {check.differences.length === 0
          ? 'Its totals match the journal totals above.'
          : 'Its totals differ from the journal (it may have changed in between: download again).'}
      </p>
      {check.differences.length > 0 && (
        <ul>
          {check.differences.map((difference) => (
            <li key={difference}>{difference}</li>
          ))}
        </ul>
      )}
      <ul className="download-checks">
        {check.statementChecks.map((entry) => (
          <li key={entry.currency}>
            Net charged in the file: <Amount value={entry.net} currency={entry.currency} />
            {entry.statement === null ? null : entry.statement === entry.net ? (
              <> — equals the statement total.</>
            ) : (
              <>
                {' '}
                — the statement says <Amount value={entry.statement} currency={entry.currency} />.
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
