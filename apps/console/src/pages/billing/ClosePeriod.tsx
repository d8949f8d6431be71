// "Close period" with a confirmation dialog: a native modal <dialog> (the page behind is inert,
// Escape cancels, the focus goes back to the button) whose Tab and Shift+Tab wrap around inside it
// (a modal <dialog> alone lets Tab leave for the browser's own controls).
// Rendered only for keys allowed to POST /v1/periods/{period}/close (admin, finance).
import { useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { api, enc } from '../../api/client';
import { Amount, ErrorMessage } from '../../components';
import { asApiError } from '../../hooks/useAsync';
import type { PeriodClose } from '../../api/types';

export function ClosePeriod({
  period,
  onClosed,
}: {
  period: string;
  onClosed: (closed: PeriodClose) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const reasonId = useId();
  const titleId = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      const closed = await api<PeriodClose>('billing', `/v1/periods/${enc(period)}/close`, {
        method: 'POST',
        body: reason.trim() ? { reason: reason.trim() } : {},
      });
      dialog.current?.close();
      onClosed(closed);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
      >
        Close period {period}…
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="dialog" onKeyDown={keepTabInside}>
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            void confirm();
          }}
        >
          <h2 id={titleId}>Close {period}?</h2>
          <p>
            Closing issues the period&apos;s invoices, which can never change afterwards: later
            usage of {period} is billed in the next open period as adjustments.
          </p>
          <div className="field">
            <label htmlFor={reasonId}>Reason (recorded with the close)</label>
            <input
              id={reasonId}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </div>
          {error !== null && <ErrorMessage error={error} title={`${period} was not closed`} />}
          <div className="toolbar dialog-actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Closing…' : `Close ${period}`}
            </button>
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** What a close answered: the period, its invoice range and totals. */
export function ClosedNotice({ closed }: { closed: PeriodClose }) {
  const { period } = closed;
  return (
    <p className="notice" role="status">
      {period.period} closed: {period.invoiceCount} invoices
      {period.firstInvoice ? ` (${period.firstInvoice} to ${period.lastInvoice})` : ''}
      {Object.entries(period.totalsMicro).map(([currency, micro]) => (
        <span key={currency}>
          , <Amount value={micro} currency={currency} />
        </span>
      ))}
      .
    </p>
  );
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab on the last control goes to the first, Shift+Tab on the first to the last. */
function keepTabInside(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== 'Tab') return;
  const controls = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !event.currentTarget.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}
