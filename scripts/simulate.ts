// `npm run simulate`: plays the rebound effect against a running Plafond. See docs/simulator.md.
// Runs from the sources (node --require ./bench/swc-register.js scripts/simulate.ts) or built
// (node dist/scripts/simulate.js); both read the same options.
import { readFileSync } from 'node:fs';
import { parseOptions, USAGE, UsageError } from './simulator/plan';
import { formatReport } from './simulator/report';
import { runSimulation, SimulationWaitError } from './simulator/run';

function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env, readKeyFile);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 1;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Progress goes to stderr, so --json leaves stdout to the report alone.
  const log = (line: string) => process.stderr.write(`[simulate] ${line}\n`);
  try {
    const report = await runSimulation(options, log);
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
    );
    return report.ceilingHeld ? 0 : 1;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      error instanceof SimulationWaitError ? `${message}\n` : `simulation failed: ${message}\n`,
    );
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `simulation failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
