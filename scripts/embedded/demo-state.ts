// `<dataDir>/demo.json`: written once the demo organisation is seeded, so later starts neither
// seed it again nor print its keys. Ids only: the keys are shown once and never stored here.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoActivity } from '../demo/activity';
import type { DemoSeed } from '../demo/seed';
import { DEMO_FILE_NAME } from './settings';

export interface DemoState {
  readonly seededAt: string;
  readonly perimeterId: string;
  readonly budgetId: string;
  readonly units: Readonly<Record<string, string>>;
  readonly integrator: { readonly integratorId: string; readonly keyId: string };
  readonly finance?: { readonly keyId: string };
  /** What the seed played of the month (usage counts, the refused reservation): no secrets. */
  readonly activity?: DemoActivity;
}

export const demoFile = (dataDir: string): string => join(dataDir, DEMO_FILE_NAME);

export function demoState(seed: DemoSeed, seededAt: Date): DemoState {
  return {
    seededAt: seededAt.toISOString(),
    perimeterId: seed.perimeterId,
    budgetId: seed.budgetId,
    units: seed.units,
    integrator: { integratorId: seed.integrator.integratorId, keyId: seed.integrator.keyId },
    ...(seed.finance === undefined ? {} : { finance: { keyId: seed.finance.keyId } }),
    ...(seed.activity === undefined ? {} : { activity: seed.activity }),
  };
}

/** The recorded demo, or undefined when none was seeded (or the file is unreadable). */
export function readDemoState(dataDir: string): DemoState | undefined {
  const file = demoFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoState>;
    return typeof value.perimeterId === 'string' && typeof value.budgetId === 'string'
      ? (value as DemoState)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Written aside then renamed: a crash mid-write leaves no half file that would pass as done. */
export function writeDemoState(dataDir: string, state: DemoState): void {
  const file = demoFile(dataDir);
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(aside, file);
}
