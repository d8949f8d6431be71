// The simulator's report as text (the default) — pure, so its layout is unit tested.
import { CLASSES } from './plan';
import type { SimulationReport } from './run';

/** µWh (decimal integer string) as Wh with 3 decimals, exact. */
export function wh(microWh: string): string {
  const value = BigInt(microWh);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const milli = (abs + 500n) / 1000n; // mWh, rounded half up
  return `${sign}${milli / 1000n}.${String(milli % 1000n).padStart(3, '0')}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

const percent = (part: bigint, whole: bigint): string =>
  whole === 0n ? '—' : `${(Number((part * 10000n) / whole) / 100).toFixed(2)} %`;

export function formatReport(report: SimulationReport): string {
  const lines: string[] = [];
  lines.push(`Plafond traffic simulator — run ${report.runId}`);
  lines.push(
    `perimeter ${report.perimeterId}, budget ${report.budgetId}; ${report.phases.length} phases in ` +
      `${report.granularity} windows: energy per request ×0.8 and requests ×1.5 per phase; ` +
      'every request reserved before use',
  );
  lines.push('');
  lines.push('Requests per phase (attempted / served / refused):');
  lines.push(
    ...table(
      ['phase', 'window', 'Wh/request', ...CLASSES, 'served Wh', 'refusals'],
      report.phases.map((phase) => [
        String(phase.phase),
        phase.window,
        wh(phase.energyPerRequestMicroWh),
        ...CLASSES.map((name) => {
          const c = phase.byClass[name];
          return `${c.attempted} / ${c.served} / ${c.refused}`;
        }),
        wh(phase.servedEnergyMicroWh),
        Object.entries(phase.refusedByCode)
          .map(([code, count]) => `${code} ×${count}`)
          .join(', ') || '—',
      ]),
    ),
  );
  lines.push('');
  lines.push('Departments:');
  lines.push(
    ...table(
      ['unit', 'name', 'allocated Wh', 'consumed Wh', 'attempted', 'served', 'refused'],
      report.departments.map((d) => [
        d.unitId,
        d.name,
        wh(d.allocatedMicroWh),
        wh(d.committedMicroWh),
        String(d.attempted),
        String(d.served),
        String(d.refused),
      ]),
    ),
  );
  lines.push('');
  const consumed = BigInt(report.consumedMicroWh);
  const ceiling = BigInt(report.ceilingMicroWh);
  lines.push(
    `Ceiling ${wh(report.ceilingMicroWh)} Wh, consumed ${wh(report.consumedMicroWh)} Wh ` +
      `(${percent(consumed, ceiling)}), overrun ${wh(report.overrunMicroWh)} Wh: ` +
      (report.ceilingHeld ? 'the ceiling HELD' : 'the ceiling was NOT held'),
  );
  lines.push(
    report.refusalOrder.length === 0
      ? 'No request was refused.'
      : `Refusals began with: ${report.refusalOrder.join(', then ')}`,
  );
  lines.push(
    `Billing recorded ${wh(report.billing.recordedEnergyMicroWh)} Wh` +
      (report.billing.heldUnpriced > 0
        ? ` (${report.billing.heldUnpriced} usage(s) held: no price schedule in force)`
        : ', all of it charged'),
  );
  lines.push('');
  lines.push(
    `Rebound report (billing): ${report.rebound.period} against ${report.rebound.previousPeriod}`,
  );
  lines.push(
    ...table(
      ['unit', 'scope', 'requests', 'Wh', 'Wh/request change', 'total change', 'rebound'],
      report.rebound.rows.map((row) => [
        row.unitId,
        row.scope,
        `${row.previous.requests} → ${row.current.requests}`,
        `${wh(row.previous.energyMicroWh)} → ${wh(row.current.energyMicroWh)}`,
        row.energyPerRequestChangePercent === null ? '—' : `${row.energyPerRequestChangePercent} %`,
        row.totalEnergyChangePercent === null ? '—' : `${row.totalEnergyChangePercent} %`,
        row.rebound ? 'YES' : 'no',
      ]),
    ),
  );
  lines.push(
    report.rebound.flagged.length === 0
      ? 'No unit flagged.'
      : `Flagged (efficiency gain eaten by volume): ${report.rebound.flagged.join(', ')}`,
  );
  return lines.join('\n');
}
