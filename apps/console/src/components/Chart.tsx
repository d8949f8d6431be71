import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * The frame of every chart: a labelled image (role="img") that fills its width, its height from
 * `.chart` (or `height`). Charts draw with Numbers; the same figures are always in a table or a
 * text summary beside them, which is what assistive technology reads.
 */
export function Chart({
  label,
  describedBy,
  className,
  height,
  children,
}: {
  label: string;
  describedBy?: string;
  className?: string;
  height?: number;
  children: ReactElement;
}) {
  return (
    <div
      className={className ? `chart ${className}` : 'chart'}
      role="img"
      aria-label={label}
      aria-describedby={describedBy}
      style={height === undefined ? undefined : { height }}
    >
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}
