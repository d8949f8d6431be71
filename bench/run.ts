// `npm run bench -- <suite...>`: runs the named benchmark suites (all when none is named) and
// writes bench/results/<suite>.json. Not a test: numbers are reported, never asserted.
import { runLedgerBench } from './ledger/ledger.bench';
import { runSystemBench } from './system/system.bench';

const SUITES: Record<string, () => Promise<void>> = {
  ledger: runLedgerBench,
  system: runSystemBench,
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
  const names = requested.length > 0 ? requested : Object.keys(SUITES);
  for (const name of names) {
    const suite = SUITES[name];
    if (suite === undefined)
      throw new Error(`unknown bench suite "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
    await suite();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
