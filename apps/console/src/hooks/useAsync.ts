// Loads data for a component: loading / ok / error states, cancelled on change, reloadable.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

export type AsyncState<T> =
  | { status: 'idle'; data: undefined; error: undefined }
  | { status: 'loading'; data: T | undefined; error: undefined }
  | { status: 'ok'; data: T; error: undefined }
  | { status: 'error'; data: T | undefined; error: ApiError };

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(
    0,
    'CONSOLE.UNEXPECTED',
    error instanceof Error ? error.message : String(error),
  );
}

/**
 * What useAsync returns. `reload` is a property holding a stable function (not a method), so it
 * can be passed as it is: `onRetry={data.reload}`.
 */
export type Async<T> = AsyncState<T> & { readonly reload: () => void };

/**
 * Runs `load` when `key` changes (a string naming the inputs, e.g. `${budgetId}|${unitId}`);
 * `null` key = nothing to load (idle). Keeps the previous data while reloading.
 */
export function useAsync<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
): Async<T> {
  const [generation, setGeneration] = useState(0);
  // The last settled answer and the request (key + generation) it answers.
  const [settled, setSettled] = useState<{
    request: string;
    data: T | undefined;
    error: ApiError | undefined;
  } | null>(null);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  const request = key === null ? null : `${generation}|${key}`;
  useEffect(() => {
    if (key === null || request === null) return;
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ request, data, error: undefined });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setSettled((previous) => ({
          request,
          data: previous?.data,
          error: asApiError(error),
        }));
      },
    );
    return () => controller.abort();
  }, [key, request]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  let state: AsyncState<T>;
  if (request === null) state = { status: 'idle', data: undefined, error: undefined };
  else if (settled?.request !== request) {
    state = { status: 'loading', data: settled?.data, error: undefined };
  } else if (settled.error) state = { status: 'error', data: settled.data, error: settled.error };
  else state = { status: 'ok', data: settled.data as T, error: undefined };
  return { ...state, reload };
}
