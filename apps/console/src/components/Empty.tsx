import type { ReactNode } from 'react';

/** Nothing to show, said plainly (and what to do about it, when there is something). */
export function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="empty" role="status">
      {children}
    </p>
  );
}
