// Preloaded by the system bench's `--cpu-prof=<dir>` (NODE_OPTIONS=--require …): Node 20 refuses
// `--cpu-prof` in NODE_OPTIONS, and the bench starts services as `node <script>` with no flags.
// Profiles the whole process through the in-process inspector and writes
// <BENCH_CPU_PROF_DIR>/CPU.<pid>.cpuprofile (Chrome DevTools format) when the process exits —
// the services exit through process.exit after a graceful shutdown, so 'exit' fires.
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir !== undefined && dir !== '') {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  process.on('exit', () => {
    if (written) return;
    written = true;
    // The in-process session answers synchronously, so the file is written before exit.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, `CPU.${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}
