// `npm run chaos`: the sales-order, purchase-order and return paths under worker kills, Temporal and PostgreSQL restarts and JD
// faults, judged by invariants (docs/chaos.md). Exit 0: all hold; 1: a violation; 2: the run failed.
import { HELP, UsageError, parseChaosArgs } from './chaos/options';
import { formatReport } from './chaos/report';
import { ChaosAborted, runChaos } from './chaos/run';

const say = (line: string) => process.stdout.write(`${line}\n`);
const stamp = () => new Date().toISOString().slice(11, 19);

async function main(): Promise<number> {
  let options;
  try {
    options = parseChaosArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${HELP}`);
    return 2;
  }
  if (!options) {
    say(HELP);
    return 0;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C: do not wait for the clean-up
    say(`[chaos] ${signal}: stopping everything…`);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const report = await runChaos(options, { log: (line) => say(`[chaos ${stamp()}] ${line}`), signal: controller.signal });
  say(formatReport(report));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ChaosAborted) {
      say('[chaos] aborted; everything it started is stopped');
      process.exit(130);
    }
    process.stderr.write(`[chaos] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
