import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, SERVICES, SERVICE_LABELS } from '../api/client';
import type { Service } from '../api/client';
import { ErrorMessage } from '../components';
import { asApiError } from '../hooks/useAsync';
import { useSession } from '../session';
import type { SignInResult } from '../session';

/**
 * Signed out: "Sign in" with one API key, tried on every service. Signed in: the connected
 * services with role and scope, and "Add a key for another service" (keys are per service).
 */
export function SignInPage() {
  const session = useSession();
  const signedIn = session.status === 'signed-in';
  const inputId = useId();
  const hintId = useId();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<SignInResult | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const answer = await session.signIn(key);
      setKey('');
      setResult(answer);
      // First sign-in: go to the first page the key opens (the app picks it).
      if (!signedIn) window.location.hash = '#/';
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const missing = SERVICES.filter((service) => !session.connections[service]);
  return (
    <section className={signedIn ? 'keys-page' : 'sign-in'} aria-labelledby={`${inputId}-title`}>
      <h1 id={`${inputId}-title`} tabIndex={-1}>
        {signedIn ? 'Keys' : 'Sign in'}
      </h1>
      {!signedIn && (
        <p className="muted">
          Plafond console: collective limits on AI compute. Sign in with an API key of the
          allocation, ingestion or billing service.
        </p>
      )}
      {signedIn && (
        <>
          <table>
            <caption>Connected services</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Role</th>
                <th scope="col">Scope</th>
                <th scope="col">Key</th>
              </tr>
            </thead>
            <tbody>
              {SERVICES.map((service) => {
                const self = session.connections[service]?.self;
                return (
                  <tr key={service}>
                    <th scope="row">{SERVICE_LABELS[service]}</th>
                    <td>{self?.role ?? 'not connected'}</td>
                    <td>{self ? (self.scopeUnitId ?? 'whole organisation') : '—'}</td>
                    <td>{self ? `${self.name} (${self.keyId})` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>Add a key for another service</h2>
          <p className="muted">
            Keys are per service: an allocation key does not open billing.{' '}
            {missing.length > 0
              ? `Not connected: ${missing.map((service) => SERVICE_LABELS[service]).join(', ')}.`
              : 'Every service is connected; a new key replaces the one it is valid for.'}
          </p>
        </>
      )}
      <form
        method="post"
        onSubmit={(event) => void submit(event)}
        className="sign-in-form"
        noValidate
      >
        <div className="field">
          <label htmlFor={inputId}>API key</label>
          <input
            id={inputId}
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="plf_…"
            value={key}
            required
            aria-describedby={hintId}
            aria-invalid={error ? true : undefined}
            onChange={(event) => setKey(event.target.value)}
            autoFocus
          />
          <small id={hintId} className="muted">
            Kept in this browser tab only (sessionStorage); signing out forgets it.
          </small>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : signedIn ? 'Add key' : 'Sign in'}
        </button>
      </form>
      {error && <ErrorMessage error={error} title="The key was not accepted" />}
      {result && <SignInOutcome result={result} />}
    </section>
  );
}

function SignInOutcome({ result }: { result: SignInResult }) {
  const name = (service: Service) => SERVICE_LABELS[service];
  return (
    <div role="status" className="notice">
      <p>Connected: {result.accepted.map(name).join(', ')}.</p>
      {result.refused.length > 0 && (
        <p className="muted">
          Not valid for{' '}
          {result.refused
            .map(({ service, error }) => `${name(service)} (${error.code})`)
            .join(', ')}
          .
        </p>
      )}
    </div>
  );
}
