// `npm run chaos` options: what the command line may set, the defaults, and the --help text.
import { parseArgs } from 'node:util';
import { newSeed } from './random';
import { FAULT_MIX_KINDS, type DuplicateAnswer, type FaultMixKind } from './simulator';

export interface ChaosOptions {
  /** Sales orders. */
  orders: number;
  /** Purchase orders, mixed into the same load (0: none). */
  purchaseOrders: number;
  /** Returns and exchanges, each with a sales order of its own shipped first, mixed into the same load (0: none). */
  returns: number;
  seed: number;
  /** Documents are created at random moments over this span (returns over its first 70 %); the disruptions happen inside it. */
  loadMs: number;
  workerKills: number;
  restartTemporal: boolean;
  restartPostgres: boolean;
  /** How long Temporal and PostgreSQL stay down when restarted. */
  downMs: number;
  /** Share of JD calls the simulator answers with a fault during the load. */
  faultRate: number;
  faultKinds: FaultMixKind[];
  faultLatencyMs: number;
  /** addOrder calls JD executes without answering, on top of the mix (each must be recovered by lookup). */
  ambiguousPushes: number;
  /** How the simulated JD answers an addOrder with an isvUUID it already holds. */
  duplicateIsvUuid: DuplicateAnswer;
  /** addPoOrder calls JD executes without answering, on top of the mix (each ends PUSH_UNCONFIRMED under `reject`). */
  poAmbiguousPushes: number;
  /** How the simulated JD answers an addPoOrder with a spPoOrderNo it already holds. */
  duplicateSpPoOrderNo: DuplicateAnswer;
  /** How long a new JD order stays invisible to the lookup by isvUUID. */
  lookupLagMs: number;
  /** transportRtw calls JD executes without answering, on top of the mix (each must be found by queryRtw before a re-send). */
  rtwAmbiguousPushes: number;
  /** The first cancelRtwOrder calls of the run, which JD refuses (the return carries on and is received). */
  rtwCancelRefusals: number;
  /** The run fails unless it saw at least this many of these verdicts (proof that compensation ran at all). */
  minCancelledAtJd: number;
  minBackToReview: number;
  /** Purchase orders: at least this many of each of CANCELLED_AT_JD, CLOSED_AT_JD and REPUSHED. */
  minPoVerdicts: number;
  /** Returns: at least this many of each path (short, defective, rejected, cancelled at JD and in the ERP, replacement cancelled, attention, over-return refused). */
  minReturnOutcomes: number;
  /** After the load: how long the system may take to settle before the invariants are checked anyway. */
  settleTimeoutMs: number;
  /** A restart window lasts from the stop until this long after the part is back (clients reconnect). */
  windowGraceMs: number;
  /** Show the worker's and the API's logs (default: dropped). */
  showLogs: boolean;
  /** Keep the temporary data directory (Temporal's SQLite file, PostgreSQL's cluster) for a post-mortem. */
  keepData: boolean;
}

export const HELP = `npm run chaos -- [options]

Runs the whole system (Temporal dev server, PostgreSQL, JD simulator, worker and API processes) on free
ports with a fresh temporary data directory, drives sales orders (send-backs and refunds at random
moments), purchase orders (partial and short receipts, cancels, closes, operator links and re-pushes)
and returns and exchanges (full, partial, short and defective receipts, rejections, cancels, replacement
orders) through the API while JD calls fail (~10 %), SIGKILLs the worker repeatedly and restarts the Temporal
dev server and PostgreSQL once each. When everything has settled it checks and prints each
invariant with its figures; the exit code is 1 when any invariant is violated, 2 when the run itself
failed. See docs/chaos.md.

Options
  --orders N                 sales orders to drive (default 300)
  --purchase-orders N        purchase orders to drive alongside (default orders / 3; 0 = none)
  --returns N                returns and exchanges to drive alongside, each against a sales order of
                             its own (default orders / 6; 0 = none)
  --seed N                   seed of the plan (orders, cancels, disruption times); printed when omitted
  --load-seconds S           span over which documents are created (default orders / 2.5, at least 20;
                             returns over its first 70 %)
  --worker-kills N           SIGKILLs of the worker during the load (default 3)
  --no-temporal-restart      skip the Temporal dev server restart
  --no-postgres-restart      skip the PostgreSQL restart
  --down-seconds S           how long Temporal and PostgreSQL stay down when restarted (default 3)
  --fault-rate R             share of JD calls that fail or stall, 0..1 (default 0.1)
  --fault-kinds K,K          which faults (default all: ${FAULT_MIX_KINDS.join(',')});
                             each quota hit makes one order wait a minute (JD's advice on code 2)
  --fault-latency-ms MS      delay of a slow JD answer and hold time of a lost one (default 1500)
  --ambiguous-pushes N       the next N addOrder calls are executed by JD, their answers lost
                             (default orders / 30, at least 1)
  --duplicate-isv-uuid A     JD's answer to an addOrder it already holds: reject (default) or
                             return-existing
  --lookup-lag-ms MS         a new JD order stays invisible to the lookup by isvUUID this long (default 2000)
  --po-ambiguous-pushes N    the next N addPoOrder calls are executed by JD, their answers lost
                             (default purchase orders / 30, at least 1)
  --duplicate-sp-po-order-no A
                             JD's answer to an addPoOrder it already holds: reject (default; the PO
                             waits PUSH_UNCONFIRMED for the operator) or return-existing
  --rtw-ambiguous-pushes N   the next N transportRtw calls are executed by JD, their answers lost
                             (default returns / 25, at least 1)
  --rtw-cancel-refusals N    JD refuses the first N cancelRtwOrder calls (default returns / 25, at least 1)
  --min-cancelled-at-jd N    fail unless at least N cancels were CANCELLED_AT_JD (default orders / 60, ≥ 1)
  --min-back-to-review N     fail unless at least N send-backs were BACK_TO_REVIEW (default orders / 150, ≥ 1)
  --min-po-verdicts N        fail unless purchase orders saw at least N each of CANCELLED_AT_JD, CLOSED_AT_JD
                             and REPUSHED (default purchase orders / 50, ≥ 1)
  --min-return-outcomes N    fail unless returns saw at least N each of a short and a defective receipt,
                             REJECTED, CANCELLED_AT_JD, CANCELLED_IN_ERP, a replacement cancelled in the
                             ERP, an attention item and a refused over-return (default returns / 50, ≥ 1)
  --settle-timeout-seconds S how long the system may take to settle after the load (default 240)
  --window-grace-seconds S   a restart window ends this long after the part is back (default 10)
  --show-logs                pass the worker's and the API's output through
  --keep-data                keep the temporary data directory
  --help                     this text
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function number(raw: string | undefined, name: string, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

const wholeAtLeast = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

function faultKinds(raw: string | undefined): FaultMixKind[] {
  if (raw === undefined) return [...FAULT_MIX_KINDS];
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(FAULT_MIX_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0) throw new UsageError(`--fault-kinds takes a comma list of ${FAULT_MIX_KINDS.join(', ')}; got ${JSON.stringify(raw)}`);
  return [...new Set(kinds)] as FaultMixKind[];
}

function duplicateAnswer(raw: string | undefined, name: string): DuplicateAnswer {
  if (raw === undefined) return 'reject';
  if (raw === 'reject' || raw === 'return-existing') return raw;
  throw new UsageError(`--${name} takes reject or return-existing; got ${JSON.stringify(raw)}`);
}

/** `undefined` when --help was asked for. */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        orders: { type: 'string' },
        'purchase-orders': { type: 'string' },
        returns: { type: 'string' },
        seed: { type: 'string' },
        'load-seconds': { type: 'string' },
        'worker-kills': { type: 'string' },
        'no-temporal-restart': { type: 'boolean' },
        'no-postgres-restart': { type: 'boolean' },
        'down-seconds': { type: 'string' },
        'fault-rate': { type: 'string' },
        'fault-kinds': { type: 'string' },
        'fault-latency-ms': { type: 'string' },
        'ambiguous-pushes': { type: 'string' },
        'duplicate-isv-uuid': { type: 'string' },
        'lookup-lag-ms': { type: 'string' },
        'po-ambiguous-pushes': { type: 'string' },
        'duplicate-sp-po-order-no': { type: 'string' },
        'rtw-ambiguous-pushes': { type: 'string' },
        'rtw-cancel-refusals': { type: 'string' },
        'min-cancelled-at-jd': { type: 'string' },
        'min-back-to-review': { type: 'string' },
        'min-po-verdicts': { type: 'string' },
        'min-return-outcomes': { type: 'string' },
        'settle-timeout-seconds': { type: 'string' },
        'window-grace-seconds': { type: 'string' },
        'show-logs': { type: 'boolean' },
        'keep-data': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  const orders = number(v.orders, 'orders', 300, wholeAtLeast(1), 'a whole number ≥ 1');
  const purchaseOrders = number(v['purchase-orders'], 'purchase-orders', Math.round(orders / 3), wholeAtLeast(0), 'a whole number ≥ 0');
  const returns = number(v.returns, 'returns', Math.round(orders / 6), wholeAtLeast(0), 'a whole number ≥ 0');
  // Nothing to prove about purchase orders or returns when there are none.
  const perPurchaseOrders = (n: number) => (purchaseOrders === 0 ? 0 : Math.max(1, n));
  const perReturns = (n: number) => (returns === 0 ? 0 : Math.max(1, n));
  const seconds = (raw: string | undefined, name: string, fallback: number) => 1000 * number(raw, name, fallback, (n) => n >= 0, 'a number of seconds ≥ 0');
  return {
    orders,
    purchaseOrders,
    returns,
    seed: number(v.seed, 'seed', newSeed(), wholeAtLeast(0), 'a whole number ≥ 0'),
    loadMs: seconds(v['load-seconds'], 'load-seconds', Math.max(20, orders / 2.5)),
    workerKills: number(v['worker-kills'], 'worker-kills', 3, wholeAtLeast(0), 'a whole number ≥ 0'),
    restartTemporal: !v['no-temporal-restart'],
    restartPostgres: !v['no-postgres-restart'],
    downMs: seconds(v['down-seconds'], 'down-seconds', 3),
    faultRate: number(v['fault-rate'], 'fault-rate', 0.1, (n) => n >= 0 && n <= 1, 'between 0 and 1'),
    faultKinds: faultKinds(v['fault-kinds']),
    faultLatencyMs: number(v['fault-latency-ms'], 'fault-latency-ms', 1_500, wholeAtLeast(0), 'a whole number of ms'),
    ambiguousPushes: number(v['ambiguous-pushes'], 'ambiguous-pushes', Math.max(1, Math.floor(orders / 30)), wholeAtLeast(0), 'a whole number ≥ 0'),
    duplicateIsvUuid: duplicateAnswer(v['duplicate-isv-uuid'], 'duplicate-isv-uuid'),
    // Longer than a lost answer is held (1.5 s): the worker's first lookup after it misses the order.
    lookupLagMs: number(v['lookup-lag-ms'], 'lookup-lag-ms', 2_000, wholeAtLeast(0), 'a whole number of ms'),
    poAmbiguousPushes: number(v['po-ambiguous-pushes'], 'po-ambiguous-pushes', perPurchaseOrders(Math.floor(purchaseOrders / 30)), wholeAtLeast(0), 'a whole number ≥ 0'),
    duplicateSpPoOrderNo: duplicateAnswer(v['duplicate-sp-po-order-no'], 'duplicate-sp-po-order-no'),
    rtwAmbiguousPushes: number(v['rtw-ambiguous-pushes'], 'rtw-ambiguous-pushes', perReturns(Math.floor(returns / 25)), wholeAtLeast(0), 'a whole number ≥ 0'),
    rtwCancelRefusals: number(v['rtw-cancel-refusals'], 'rtw-cancel-refusals', perReturns(Math.floor(returns / 25)), wholeAtLeast(0), 'a whole number ≥ 0'),
    minCancelledAtJd: number(v['min-cancelled-at-jd'], 'min-cancelled-at-jd', Math.max(1, Math.floor(orders / 60)), wholeAtLeast(0), 'a whole number ≥ 0'),
    minBackToReview: number(v['min-back-to-review'], 'min-back-to-review', Math.max(1, Math.floor(orders / 150)), wholeAtLeast(0), 'a whole number ≥ 0'),
    minPoVerdicts: number(v['min-po-verdicts'], 'min-po-verdicts', perPurchaseOrders(Math.floor(purchaseOrders / 50)), wholeAtLeast(0), 'a whole number ≥ 0'),
    minReturnOutcomes: number(v['min-return-outcomes'], 'min-return-outcomes', perReturns(Math.floor(returns / 50)), wholeAtLeast(0), 'a whole number ≥ 0'),
    settleTimeoutMs: seconds(v['settle-timeout-seconds'], 'settle-timeout-seconds', 240),
    windowGraceMs: seconds(v['window-grace-seconds'], 'window-grace-seconds', 10),
    showLogs: Boolean(v['show-logs']),
    keepData: Boolean(v['keep-data']),
  };
}
