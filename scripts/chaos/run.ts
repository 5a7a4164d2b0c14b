// One chaos run from start to verdict: the embedded stack on free ports in a fresh data directory, the
// load and the disruptions at once, quiescence, then the invariants. Used by `npm run chaos` and by the
// small configuration in test/chaos/chaos.test.ts.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDocumentClient } from '../../client';
import { openDatabase, type Database } from '../../db';
import { DEV_CREDENTIALS } from '../../eclp/config';
import { startSimulator, type RunningSimulator } from '../../simulator/server';
import { ApiClient } from '../../test/support/api-client';
import { freePort } from '../../test/support/ports';
import { SimControl, type SimStats } from '../../test/support/simulator';
import { sleep } from '../../test/support/timing';
import { startStack, type Stack } from '../stack';
import { ChildSupervisor, planDisruptions, restartWindows, runDisruptions, type DisruptionRecord, type UnexpectedExit } from './disruptions';
import type { ChaosDriver, ChaosWorld } from './driver';
import { checkApiAvailability, checkNoUnexpectedExits, type InvariantResult } from './invariants';
import { startJdWire, type JdWire } from './jd-wire';
import { RecoveryProbe, summarizeRecovery, type RecoverySummary } from './recovery';
import type { ChaosOptions } from './options';
import { purchaseOrderChaosDriver } from './purchase-order-driver';
import { seededRandom } from './random';
import { returnChaosDriver } from './return-driver';
import { salesOrderChaosDriver } from './sales-order-driver';
import { injectFaultMix, setJdBehaviour } from './simulator';

export interface ChaosReport {
  seed: number;
  options: ChaosOptions;
  invariants: InvariantResult[];
  ok: boolean;
  /** Epoch ms the load started; times in the report are relative to it. */
  t0: number;
  timings: { setupMs: number; loadMs: number; settleMs: number; settled: boolean; totalMs: number };
  disruptions: DisruptionRecord[];
  unexpectedExits: UnexpectedExit[];
  jdCalls: SimStats;
  /** Per fault as injected: `kind`, `kind code`, or `kind@method` → calls it hit. */
  faultsFired: Record<string, number>;
  /** The drivers' own figures (latencies), for the header. */
  figures: string[];
  /** How long each worker kill held up the documents it had in flight (scripts/chaos/recovery.ts). */
  recovery: RecoverySummary;
}

export interface ChaosHooks {
  log: (line: string) => void;
  /** The document types to drive; default defaultDrivers(options): sales orders, purchase orders and returns. */
  drivers?: ChaosDriver[];
  /** Aborting stops the run; the stack is stopped before runChaos rejects. */
  signal?: AbortSignal;
}

/** Variables that would point the stack at external parts, which the run can neither restart nor reset. */
const EXTERNAL = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'DATABASE_URL', 'ECLP_GATEWAY_URL', 'API_TOKENS', 'ERP_WEBHOOK_URL'];

async function chaosEnv(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of EXTERNAL) delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('TEMPORAL_TLS')) delete env[name];
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [api, sim, temporal, pg] = [...ports];
  return {
    ...env,
    PORT: String(api),
    ECLP_SIM_PORT: String(sim),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: 'off',
    PG_EMBEDDED_PORT: String(pg),
    // Shipments are noticed within a second; a cancel's verdict is awaited briefly, so 202s happen too.
    SO_POLL_INTERVAL_MS: '1000',
    CANCEL_WAIT_MS: '3000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
}

export class ChaosAborted extends Error {
  override readonly name = 'ChaosAborted';
}

function abortable(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    const fail = () => reject(new ChaosAborted('chaos run aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

const quietBundler = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message), log: () => undefined };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Sales orders, and purchase orders and returns mixed into the same storm unless there are none; each with the minimums the options ask. */
export function defaultDrivers(options: ChaosOptions): ChaosDriver[] {
  const salesOrders = salesOrderChaosDriver(options.orders, { minCancelledAtJd: options.minCancelledAtJd, minBackToReview: options.minBackToReview, minAmbiguousPushes: options.ambiguousPushes });
  return [salesOrders, ...purchaseOrderDrivers(options), ...returnDrivers(options)];
}

function purchaseOrderDrivers(options: ChaosOptions): ChaosDriver[] {
  if (options.purchaseOrders === 0) return [];
  const purchaseOrders = purchaseOrderChaosDriver({
    count: options.purchaseOrders,
    ambiguousPushes: options.poAmbiguousPushes,
    expected: {
      minVerdicts: options.minPoVerdicts,
      // Only a JD that refuses a repeated spPoOrderNo leaves a PO PUSH_UNCONFIRMED for the operator to link.
      minLinked: options.duplicateSpPoOrderNo === 'reject' && options.poAmbiguousPushes > 0 ? 1 : 0,
      // A lost answer is followed by the same addPoOrder again, which may take the next lost answer: one is sure.
      minAmbiguousPushes: Math.min(1, options.poAmbiguousPushes),
    },
  });
  return [purchaseOrders];
}

function returnDrivers(options: ChaosOptions): ChaosDriver[] {
  if (options.returns === 0) return [];
  return [
    returnChaosDriver({
      count: options.returns,
      ambiguousPushes: options.rtwAmbiguousPushes,
      cancelRefusals: options.rtwCancelRefusals,
      expected: {
        minOutcomes: options.minReturnOutcomes,
        // The first cancels of the run are refused, whichever returns they are for.
        minRefused: Math.min(1, options.rtwCancelRefusals),
        // A lost answer is followed by a lookup that finds the return: each is sure, one is required.
        minAmbiguousPushes: Math.min(1, options.rtwAmbiguousPushes),
      },
    }),
  ];
}

export async function runChaos(options: ChaosOptions, hooks: ChaosHooks): Promise<ChaosReport> {
  const { log } = hooks;
  const startedAt = Date.now();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'eclp-chaos-'));
  // Under root the embedded PostgreSQL runs as `postgres`, which must be able to enter (not list) it.
  await chmod(dataDir, 0o711);
  const supervisor = new ChildSupervisor(log);
  let stack: Stack | undefined;
  let starting: Promise<Stack> | undefined;
  let db: Database | undefined;
  let connection: Connection | undefined;
  let simulator: RunningSimulator | undefined;
  let wire: JdWire | undefined;
  const aborted = abortable(hooks.signal);
  aborted.catch(() => undefined);
  try {
    const work = async (): Promise<ChaosReport> => {
      const drivers = hooks.drivers ?? defaultDrivers(options);
      log(`seed ${options.seed}; ${drivers.map((d) => `${d.count} ${d.name}`).join(' + ')} over ${seconds(options.loadMs)}; data in ${dataDir}`);
      const env = await chaosEnv();
      // Workers start from a prebuilt bundle, as in production: bundling at every start would add seconds
      // to each kill's recovery on a 2-core machine, which production does not pay.
      const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundler });
      env.WORKFLOW_BUNDLE_PATH = path.join(dataDir, 'workflow-bundle.js');
      await writeFile(env.WORKFLOW_BUNDLE_PATH, bundle.code);
      // The simulator is started here, not by the stack, so that the worker reaches it through the wire
      // recorder: only the wire shows an addOrder sent again after JD already held the order.
      simulator = await startSimulator({
        port: Number(env.ECLP_SIM_PORT),
        credentials: DEV_CREDENTIALS,
        timeline: Object.assign({}, ...drivers.map((d) => d.timeline)),
        stateFile: path.join(dataDir, 'simulator.json'),
      });
      wire = await startJdWire(simulator.gatewayUrl);
      starting = startStack({
        dataDir,
        env: { ...env, ECLP_GATEWAY_URL: wire.gatewayUrl },
        workers: 1,
        restartChildren: false,
        childOutput: options.showLogs ? 'inherit' : 'ignore',
        log: (line) => log(`[stack] ${line}`),
      });
      stack = await starting;
      for (const child of [...stack.workers, stack.api]) supervisor.watch(child);
      const api = new ApiClient({ baseUrl: stack.apiUrl, tokens: stack.tokens });
      const sim = new SimControl(simulator.url);
      for (const driver of drivers) await driver.prepare(api);
      const setupMs = Date.now() - startedAt;
      log(`stack up and master data synced to JD in ${seconds(setupMs)}`);

      const random = seededRandom(options.seed);
      for (const driver of drivers) driver.plan(random, options.loadMs);
      const disruptionPlan = planDisruptions(random, options);
      await sim.resetStats();
      await setJdBehaviour(sim, { duplicateIsvUuid: options.duplicateIsvUuid, lookupLagMs: options.lookupLagMs, duplicateSpPoOrderNo: options.duplicateSpPoOrderNo });
      log(
        `JD answers a repeated isvUUID with ${options.duplicateIsvUuid}, a repeated spPoOrderNo with ${options.duplicateSpPoOrderNo}; its lookup by isvUUID lags ${options.lookupLagMs} ms behind a create`,
      );
      const lostAnswers = drivers.flatMap((d) => (d.lostAnswers ? [d.lostAnswers] : []));
      const extra = drivers.flatMap((d) => d.faults ?? []);
      await injectFaultMix(sim, { rate: options.faultRate, kinds: options.faultKinds, latencyMs: options.faultLatencyMs, lostAnswers, extra });
      // A `next` fault leaves the list once spent; remember what each was asked to do.
      const injected = await sim.faults();
      // Setup requests are not part of the verdict: the availability invariant judges the storm onwards.
      api.exchanges.length = 0;

      // Connected before the storm: the recovery probe describes runs right after each worker kill.
      connection = await Connection.connect({ address: stack.temporalAddress });
      const probe = new RecoveryProbe(new Client({ connection }), log);
      const t0 = Date.now();
      log(`load starts; disruptions: ${disruptionPlan.map((d) => `${d.kind}@${seconds(d.atMs)}`).join(', ') || 'none'}`);
      const driving = Promise.all(drivers.map((driver) => driver.drive(api, t0, sim)));
      const disruptions = await runDisruptions(stack, supervisor, disruptionPlan, t0, log, () => hooks.signal?.aborted ?? false, options.windowGraceMs, (pid, killedAt) => probe.killed(pid, killedAt));
      await driving;
      const faults = await sim.faults();
      await sim.clearFaults();
      const faultsFired = Object.fromEntries(
        injected.map((f) => {
          const spec = f as typeof f & { method?: string; code?: string; next?: number };
          const left = faults.find((g) => g.id === f.id);
          const name = `${f.kind}${spec.code ? ` ${spec.code}` : ''}${spec.method ? `@${spec.method.replace('jingdong.eclp.', '')}` : ''}`;
          return [name, left ? left.fired : (spec.next ?? 0) + f.fired];
        }),
      );
      const loadMs = Date.now() - t0;
      log(`load done in ${seconds(loadMs)}; JD faults cleared; waiting for the system to settle (up to ${seconds(options.settleTimeoutMs)})`);

      db = await openDatabase({ databaseUrl: stack.databaseUrl });
      const recorded = wire;
      const world: ChaosWorld = {
        db: db.knex,
        documents: createDocumentClient(new Client({ connection })),
        jdState: () => sim.state(),
        jdPushes: (method) => recorded.pushes(method),
      };
      const settleStart = Date.now();
      let settled = false;
      while (Date.now() - settleStart < options.settleTimeoutMs) {
        const moving = (await Promise.all(drivers.map((d) => d.unsettled(world)))).filter((line): line is string => line !== undefined);
        if (moving.length === 0) {
          settled = true;
          break;
        }
        for (const line of moving) log(`settling: ${line}`);
        await sleep(5_000);
      }
      const settleMs = Date.now() - settleStart;
      log(settled ? `settled ${seconds(settleMs)} after the load` : `NOT settled after ${seconds(settleMs)}; checking anyway`);

      const recovery = summarizeRecovery(await probe.results());
      const judged = await Promise.all(drivers.map((d) => d.judge(world)));
      const windows = restartWindows(disruptions, options.windowGraceMs);
      const invariants = [
        ...judged.flatMap((j) => j.invariants),
        checkApiAvailability(api.exchanges, windows, api.abandoned.length, t0),
        checkNoUnexpectedExits(supervisor.unexpectedExits, t0),
      ];
      return {
        seed: options.seed,
        options,
        invariants,
        ok: invariants.every((i) => i.ok),
        t0,
        timings: { setupMs, loadMs, settleMs, settled, totalMs: Date.now() - startedAt },
        disruptions,
        unexpectedExits: supervisor.unexpectedExits,
        jdCalls: await sim.stats(),
        faultsFired,
        figures: judged.flatMap((j) => j.figures),
        recovery,
      };
    };
    return await Promise.race([work(), aborted]);
  } finally {
    supervisor.stop();
    await connection?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    // Aborted while the stack was still starting: wait for it, so that nothing is left running.
    const running = stack ?? (await starting?.catch(() => undefined));
    await running?.stop();
    await wire?.close().catch(() => undefined);
    await simulator?.close().catch(() => undefined);
    if (!options.keepData) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    else log(`data kept in ${dataDir}`);
  }
}
