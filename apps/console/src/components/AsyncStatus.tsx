import type { Async } from '../hooks/useAsync';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';

/**
 * The state of a `useAsync` load: its error (code, message, "Try again"), or "Loading…" while
 * there is nothing to show yet (also while reloading with `whileReloading`); else nothing.
 */
export function AsyncStatus<T>({
  state,
  errorTitle,
  loadingLabel,
  whileReloading = false,
}: {
  state: Async<T>;
  errorTitle: string;
  loadingLabel: string;
  whileReloading?: boolean;
}) {
  if (state.status === 'error') {
    return <ErrorMessage error={state.error} title={errorTitle} onRetry={state.reload} />;
  }
  if (state.status === 'loading' && (whileReloading || state.data === undefined)) {
    return <Loading label={loadingLabel} />;
  }
  return null;
}
