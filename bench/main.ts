// `npm run bench`: see --help and bench/README.md. Progress on stderr, the table on stdout, JSON and PNG
// under bench/results/. Ctrl-C stops everything the run started (a second Ctrl-C exits at once).
import path from 'node:path';
import { DEFAULT_DRIVER, DRIVERS } from './drivers';
import { HELP, UsageError, parseOptions } from './options';
import { runBench } from './run';
import { SCENARIOS } from './scenarios';

const projectRoot = path.resolve(__dirname, '..');
const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const controller = new AbortController();

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options;
  try {
    options = parseOptions(argv, projectRoot, Object.keys(DRIVERS), DEFAULT_DRIVER);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const unknown = options.scenarios === 'all' ? [] : options.scenarios.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length) {
    process.stderr.write(`unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})\n`);
    return 2;
  }
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    log('interrupted: stopping everything this run started (Ctrl-C again to exit at once)…');
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());
  const { exitCode } = await runBench(options, {
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    signal: controller.signal,
    log,
    print: (text) => process.stdout.write(`${text}\n`),
  });
  return controller.signal.aborted ? 130 : exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (controller.signal.aborted) {
      log('stopped');
      process.exit(130);
    }
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
