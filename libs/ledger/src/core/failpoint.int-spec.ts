// The one behaviour a unit test cannot see: a fired failpoint kills its own process with SIGKILL
// after one line on stderr. The module has no imports but node:fs, so it is transpiled alone
// (SWC, as Jest does) and required by a child process that hits the point several times.
import { transformFileSync } from '@swc/core';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('failpoint in a real process', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plafond-failpoint-'));
    const compiled = transformFileSync(join(__dirname, 'failpoint.ts'), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    await writeFile(join(dir, 'failpoint.js'), compiled.code);
    // Three hits, each announced on stdout first: the output shows how far the process got.
    await writeFile(
      join(dir, 'child.js'),
      [
        "const { failpoint, armedFailpoints } = require('./failpoint.js');",
        'console.log(JSON.stringify(armedFailpoints()));',
        'for (let hit = 1; hit <= 3; hit++) {',
        '  process.stdout.write(`before ${hit}\\n`);',
        "  failpoint('relay.after-publish');",
        '}',
        "process.stdout.write('survived\\n');",
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (failpoints: string | undefined): Promise<ChildRun> =>
    new Promise((resolve) => {
      const { PATH, HOME } = process.env;
      const env =
        failpoints === undefined ? { PATH, HOME } : { PATH, HOME, PLAFOND_FAILPOINTS: failpoints };
      const child = spawn(process.execPath, [join(dir, 'child.js')], { env, cwd: dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });

  it('SIGKILLs the process on the Nth hit, after naming the point on stderr', async () => {
    const result = await run('relay.after-publish@2');
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).toContain('[{"name":"relay.after-publish","hit":2}]');
    expect(result.stdout).toContain('before 2');
    expect(result.stdout).not.toContain('before 3');
    expect(result.stderr).toMatch(
      /^failpoint relay\.after-publish fired on hit 2: SIGKILL to pid \d+\n$/,
    );
  });

  it('is a no-op when PLAFOND_FAILPOINTS is absent or arms another point', async () => {
    for (const failpoints of [undefined, 'inbox.after-commit@1']) {
      const result = await run(failpoints);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
      expect(result.stdout).toContain('survived');
    }
  });

  it('throws a clear error at the first call when the setting is invalid', async () => {
    const result = await run('relay.after-publsh@2');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "PLAFOND_FAILPOINTS: unknown failpoint 'relay.after-publsh'; known: ledger.after-commit",
    );
    expect(result.stdout).not.toContain('before');
  });
});
