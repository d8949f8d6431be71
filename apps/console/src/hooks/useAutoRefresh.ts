import { useEffect, useRef } from 'react';

/**
 * Calls `refresh` every `intervalMs` while `enabled` and the tab is visible: the timer stops
 * when the tab is hidden (and refreshes at once when it shows again) and on unmount.
 */
export function useAutoRefresh(enabled: boolean, intervalMs: number, refresh: () => void): void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(() => {
    if (!enabled) return;
    let timer: number | undefined;
    const start = () => {
      timer ??= window.setInterval(() => latest.current(), intervalMs);
    };
    const stop = () => {
      if (timer !== undefined) window.clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        latest.current();
        start();
      } else stop();
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [enabled, intervalMs]);
}
