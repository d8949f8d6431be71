// "Verify ledgers": GET /v1/admin/ledger/verify on every connected service whose key may call it,
// side by side: ok, or the first broken link; events and streams checked; how long it took.
import { useState } from 'react';
import { api, SERVICE_LABELS, SERVICES, type Service } from '../../api/client';
import { DataTable, ErrorMessage } from '../../components';
import { asApiError } from '../../hooks/useAsync';
import type { Session } from '../../session';
import type { VerifyResult } from '../../api/types';

export const VERIFY_PATH = '/v1/admin/ledger/verify';

interface Outcome {
  service: Service;
  durationMs: number;
  result?: VerifyResult;
  error?: unknown;
}

export function verifiableServices(session: Session): Service[] {
  return SERVICES.filter((service) => session.can(service, 'GET', VERIFY_PATH));
}

export function VerifyLedgers({ session }: { session: Session }) {
  const services = verifiableServices(session);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);

  async function verify() {
    setBusy(true);
    setOutcomes(null);
    const results = await Promise.all(
      services.map(async (service): Promise<Outcome> => {
        const started = performance.now();
        try {
          const result = await api<VerifyResult>(service, VERIFY_PATH);
          return { service, result, durationMs: Math.round(performance.now() - started) };
        } catch (error) {
          return {
            service,
            error: asApiError(error),
            durationMs: Math.round(performance.now() - started),
          };
        }
      }),
    );
    setOutcomes(results);
    setBusy(false);
  }

  if (services.length === 0) return null;
  const allOk = outcomes?.every((outcome) => outcome.result?.ok === true) ?? false;
  return (
    <section className="panel" aria-labelledby="ledger-verification">
      <h2 id="ledger-verification">Ledger verification</h2>
      <p className="muted small">
        Recomputes every stream&apos;s hash chain on{' '}
        {services.map((service) => SERVICE_LABELS[service]).join(', ')}.
      </p>
      <button type="button" onClick={() => void verify()} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify ledgers'}
      </button>
      <div aria-live="polite">
        {outcomes && (
          <>
            <p className={allOk ? 'notice' : 'warning'}>
              {allOk
                ? `Every ledger verified (${outcomes
                    .map((outcome) => SERVICE_LABELS[outcome.service])
                    .join(', ')}): every hash chain is intact.`
                : 'At least one ledger did not verify: see below.'}
            </p>
            <DataTable
              caption="Ledger verification by service"
              captionHidden
              columns={[
                {
                  header: 'Service',
                  rowHeader: true,
                  cell: (outcome) => SERVICE_LABELS[outcome.service],
                },
                { header: 'Result', cell: (outcome) => <VerifyCell outcome={outcome} /> },
                {
                  header: 'Events checked',
                  numeric: true,
                  cell: (outcome) => outcome.result?.eventsChecked ?? '—',
                },
                {
                  header: 'Streams checked',
                  numeric: true,
                  cell: (outcome) => outcome.result?.streamsChecked ?? '—',
                },
                {
                  header: 'Duration',
                  numeric: true,
                  cell: (outcome) => `${outcome.durationMs} ms`,
                },
              ]}
              rows={outcomes}
              rowKey={(outcome) => outcome.service}
            />
            {outcomes
              .filter((outcome) => outcome.error !== undefined)
              .map((outcome) => (
                <ErrorMessage
                  key={outcome.service}
                  error={outcome.error}
                  title={`${SERVICE_LABELS[outcome.service]}: verification could not run`}
                />
              ))}
          </>
        )}
      </div>
    </section>
  );
}

function VerifyCell({ outcome }: { outcome: Outcome }) {
  if (outcome.error !== undefined) return <span className="badge danger">error</span>;
  const result = outcome.result;
  if (!result) return <span className="muted">—</span>;
  if (result.ok) return <span className="badge ok">ok</span>;
  const link = result.firstBrokenLink;
  return (
    <span>
      <span className="badge danger">broken</span> first broken link: <code>{link.reason}</code> in{' '}
      <code>{link.streamId}</code> version {link.streamVersion} (position {link.globalPosition})
    </span>
  );
}
