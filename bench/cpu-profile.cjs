// Loaded into the worker and API processes with `--require` (NODE_OPTIONS) when the bench runs with
// --profile DIR: Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts V8's sampling profiler
// through the inspector and writes DIR/<folder>-<entry>-<pid>.cpuprofile (worker-main-1234…) on exit.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const entry = process.argv[process.argv.length - 1] ?? 'node';
  const name = `${path.basename(path.dirname(entry))}-${path.basename(entry, path.extname(entry))}-${process.pid}.cpuprofile`;
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // The in-process session answers synchronously, which is what lets this run inside 'exit'.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
    });
  });
}
