import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One line of bench/results/<suite>.json. `ratio` = value / baselineValue (higher is better for rates). */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baselineValue: number;
  ratio: number;
}

export function compare(
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baselineValue: number,
): BenchResult {
  return {
    name,
    value: Math.round(value),
    unit,
    baselineName,
    baselineValue: Math.round(baselineValue),
    // Three decimals; three significant digits below 0.01, so a small ratio does not read as 0.
    ratio:
      value / baselineValue >= 0.01
        ? Math.round((value / baselineValue) * 1000) / 1000
        : Number((value / baselineValue).toPrecision(3)),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function machineDescription(postgres: string): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function writeResults(
  suite: string,
  results: readonly BenchResult[],
  environment: Record<string, unknown>,
): string {
  const directory = path.join(__dirname, '..', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${suite}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    path.join(directory, `${suite}.environment.json`),
    `${JSON.stringify(environment, null, 2)}\n`,
  );
  return file;
}
