// `npm run bench -- [options]`: parsing and the --help text (the README links here for the details).
import path from 'node:path';
import type { AttachOptions } from './target';

/** With `attach`, the AttachOptions say where the running system is. */
export interface BenchOptions extends AttachOptions {
  /** Document type (a driver of bench/drivers/). */
  type: string;
  /** Documents through the API in the measured load phases, all phases together. */
  orders: number;
  /** Of those: per saturation phase (1 worker; and again with more workers) and at the fixed rate. */
  saturationOrders: number;
  rateOrders: number;
  window: number;
  rate: number;
  /** How the bench's Temporal dev server runs (bench/target.ts TemporalConfig). */
  temporal: 'tuned' | 'stock';
  shipAfterMs: number;
  pollIntervalMs: number;
  historyPollMs: number;
  historyPolls: number;
  historyCount: number;
  warmUp: number;
  scaleOut: boolean;
  scaleOutWorkers: number;
  /** Scenarios of bench/scenarios/ to run after the standard phases: named ones, every available one, or none. */
  scenarios: string[] | 'all';
  quick: boolean;
  outDir: string;
  attach: boolean;
  /** The API's SO_POLL_INTERVAL_MS when attached (the bench cannot change it there). */
  attachedPollIntervalMs: number;
  logLevel: string;
  /** Directory for V8 CPU profiles of the worker and API processes (--cpu-prof). */
  profileDir?: string;
  verbose: boolean;
  keepData: boolean;
  strict: boolean;
  help: boolean;
}

export const HELP = `npm run bench -- [options]

Drives sales orders through the real API (approve → WMS_PICKING → SHIPPED) against the JD simulator,
measures the same load on two baseline workflows on the same Temporal server, and writes
bench/results/<time>.json and .png; a table goes to stdout, progress to stderr. See bench/README.md.

Load
  --type T                document type to drive (default sales-order; bench/drivers/index.ts)
  --orders N              documents driven through the API in the measured load phases (default 500;
                          --quick: 20): N/4 (at most 300) at the fixed rate, the rest split evenly
                          between the 1-worker and the scale-out saturation phases; baseline (a) runs
                          as many as ours in each phase
  --window W              documents kept between approve and WMS_PICKING at saturation (default 50)
  --rate R                offered rate of the fixed-rate phase, documents/s (default 10)
  --rate-orders M         documents in the fixed-rate phase instead (the saturation phases get the rest)
  --ship-after-ms S       the simulator ships S ms after JD accepted (picks at S/3, packs at 2S/3;
                          default 3000; --quick: 1000)
  --poll-interval-ms P    SO_POLL_INTERVAL_MS in the load phases (default 1000; --quick: 500)
  --warm-up K             unmeasured documents before the load phases (default 20; --quick: 5)

History events
  --history-poll-ms P     poll interval of the history phase (default 100)
  --history-polls X       JD's outcome comes at the first poll, then at poll X (default 50; --quick: 10)
  --history-count K       workflows per case and system (default 5; --quick: 2)

Scale-out and scenarios
  --no-scale-out          skip the second stack with more workers
  --scale-out-workers N   worker processes of the second stack (default 2)
  --scenarios a,b|all     also run these scenarios of bench/scenarios/ on the 1-worker stack, or every
                          available one (default none: they bring their own load and time); jd-economy:
                          JD calls per sales order (1,000 open) and per PO (200 open), polling vs sweeping

System
  (default)               start an embedded stack: Temporal dev server, PostgreSQL, simulator, worker and
                          API processes, on free ports with state in a temporary directory
  --temporal tuned|stock  the dev server: tuned (default) keeps its SQLite in memory and reads its task
                          and timer queues without the defaults' 20 reads/s and 1 s rounding; stock
                          is exactly npm start's (SQLite file, stock queue settings). See the README
  --attach                use a running system (npm start) instead; its defaults unless given:
    --api-url URL           (http://127.0.0.1:$PORT or 3000)
    --sim-url URL           (http://127.0.0.1:$ECLP_SIM_PORT or 3100; must be the simulator)
    --temporal-address A    ($TEMPORAL_ADDRESS or 127.0.0.1:7233)
    --database-url URL      ($DATABASE_URL or the embedded database on 54329)
    --worker-pid PID        worker process(es) to measure, repeatable; --api-pid PID
    --attached-poll-ms P    the running API's SO_POLL_INTERVAL_MS (default 2000)
                          tokens come from API_TOKENS or .data/dev-tokens.json; no scale-out
  --log-level L           LOG_LEVEL of the worker and API processes (default info, as in production)
  --profile DIR           write V8 CPU profiles of the worker and API processes to DIR (open them in
                          Chrome DevTools or speedscope); profiling slows them down, so not for figures
  --verbose               show the worker and API output
  --keep-data             keep the embedded stack's temporary state directory

Output
  --quick                 smoke size (npm test): small numbers above; scenarios run in their quick size
  --out DIR               where the JSON and PNG go (default bench/results)
  --strict                exit 1 when a target is missed (always exit 1 when documents got stuck)
  --help                  this text
`;

const NUMERIC: Record<string, keyof BenchOptions> = {
  '--orders': 'orders',
  '--window': 'window',
  '--rate': 'rate',
  '--rate-orders': 'rateOrders',
  '--ship-after-ms': 'shipAfterMs',
  '--poll-interval-ms': 'pollIntervalMs',
  '--history-poll-ms': 'historyPollMs',
  '--history-polls': 'historyPolls',
  '--history-count': 'historyCount',
  '--warm-up': 'warmUp',
  '--scale-out-workers': 'scaleOutWorkers',
  '--attached-poll-ms': 'attachedPollIntervalMs',
};

const TEXT: Record<string, 'type' | 'apiUrl' | 'simulatorUrl' | 'temporalAddress' | 'databaseUrl' | 'outDir' | 'logLevel' | 'profileDir' | 'temporal'> = {
  '--temporal': 'temporal',
  '--type': 'type',
  '--api-url': 'apiUrl',
  '--sim-url': 'simulatorUrl',
  '--temporal-address': 'temporalAddress',
  '--database-url': 'databaseUrl',
  '--out': 'outDir',
  '--log-level': 'logLevel',
  '--profile': 'profileDir',
};

const FLAGS: Record<string, 'scaleOut' | 'quick' | 'attach' | 'verbose' | 'keepData' | 'strict' | 'help'> = {
  '--quick': 'quick',
  '--attach': 'attach',
  '--verbose': 'verbose',
  '--keep-data': 'keepData',
  '--strict': 'strict',
  '--help': 'help',
  '-h': 'help',
};

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[], projectRoot: string, types: readonly string[], defaultType: string): BenchOptions {
  const given: Record<string, unknown> = {};
  const workerPids: number[] = [];
  let scaleOut = true;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const number = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number`);
      return n;
    };
    if (flag in NUMERIC) given[NUMERIC[flag]!] = number();
    else if (flag in TEXT) given[TEXT[flag]!] = value();
    else if (flag in FLAGS) given[FLAGS[flag]!] = true;
    else if (flag === '--no-scale-out') scaleOut = false;
    else if (flag === '--worker-pid') workerPids.push(number());
    else if (flag === '--api-pid') given.apiPid = number();
    else if (flag === '--scenarios') {
      const list = value();
      given.scenarios = list === 'none' ? [] : list === 'all' ? 'all' : list.split(',').map((s) => s.trim()).filter(Boolean);
    } else throw new UsageError(`unknown option ${flag} (see --help)`);
  }
  const quick = given.quick === true;
  const orders = Math.round((given.orders as number | undefined) ?? (quick ? 20 : 500));
  const scaleOutOn = scaleOut && given.attach !== true;
  const rateOrders = Math.round((given.rateOrders as number | undefined) ?? Math.min(300, Math.max(1, Math.round(orders / 4))));
  if (rateOrders >= orders) throw new UsageError(`--rate-orders (${rateOrders}) must leave documents for the saturation phases out of --orders (${orders})`);
  const temporal = (given.temporal as string | undefined) ?? 'tuned';
  if (temporal !== 'tuned' && temporal !== 'stock') throw new UsageError('--temporal must be tuned or stock');
  const type = (given.type as string | undefined) ?? defaultType;
  if (!types.includes(type)) throw new UsageError(`unknown --type ${type} (known: ${types.join(', ')})`);
  const options: BenchOptions = {
    type,
    orders,
    saturationOrders: Math.max(1, Math.round((orders - rateOrders) / (scaleOutOn ? 2 : 1))),
    rateOrders,
    window: Math.round((given.window as number | undefined) ?? 50),
    rate: (given.rate as number | undefined) ?? 10,
    temporal,
    shipAfterMs: (given.shipAfterMs as number | undefined) ?? (quick ? 1_000 : 3_000),
    pollIntervalMs: (given.pollIntervalMs as number | undefined) ?? (quick ? 500 : 1_000),
    historyPollMs: (given.historyPollMs as number | undefined) ?? 100,
    historyPolls: Math.round((given.historyPolls as number | undefined) ?? (quick ? 10 : 50)),
    historyCount: Math.round((given.historyCount as number | undefined) ?? (quick ? 2 : 5)),
    warmUp: Math.round((given.warmUp as number | undefined) ?? (quick ? 5 : 20)),
    scaleOut: scaleOutOn,
    scaleOutWorkers: Math.round((given.scaleOutWorkers as number | undefined) ?? 2),
    scenarios: (given.scenarios as string[] | 'all' | undefined) ?? [],
    quick,
    outDir: path.resolve((given.outDir as string | undefined) ?? path.join(projectRoot, 'bench', 'results')),
    attach: given.attach === true,
    ...(given.apiUrl !== undefined && { apiUrl: given.apiUrl as string }),
    ...(given.simulatorUrl !== undefined && { simulatorUrl: given.simulatorUrl as string }),
    ...(given.temporalAddress !== undefined && { temporalAddress: given.temporalAddress as string }),
    ...(given.databaseUrl !== undefined && { databaseUrl: given.databaseUrl as string }),
    workerPids,
    ...(given.apiPid !== undefined && { apiPid: given.apiPid as number }),
    attachedPollIntervalMs: (given.attachedPollIntervalMs as number | undefined) ?? 2_000,
    logLevel: (given.logLevel as string | undefined) ?? 'info',
    ...(given.profileDir !== undefined && { profileDir: path.resolve(given.profileDir as string) }),
    verbose: given.verbose === true,
    keepData: given.keepData === true,
    strict: given.strict === true,
    help: given.help === true,
  };
  if (options.scaleOutWorkers < 2) throw new UsageError('--scale-out-workers must be at least 2');
  return options;
}
