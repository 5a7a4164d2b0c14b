// One bench run: the 1-worker stack (history, warm-up, saturation and fixed-rate phases of ours and
// baseline (a), scenarios), then the scale-out stack, then the report. Everything started here is
// stopped here, also when a phase fails or the run is interrupted.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { ApiClient } from '../test/support/api-client';
import { SimControl } from '../test/support/simulator';
import { startBaselineWorker, type BaselineWorker } from './baselines/worker';
import { DRIVERS } from './drivers';
import type { BenchDriver, DriverContext, PollingSetup } from './drivers/types';
import type { MilestoneTracker } from './milestones';
import type { BenchOptions } from './options';
import { runHistoryPhase, runLoadPhase, warmUp, type BenchSession } from './phases';
import { ProcessSampler } from './proc';
import { buildDocTypeReport, evaluateTargets, type StackMeasurements } from './report/build';
import { docTypeChart, writeChart } from './report/chart';
import { formatReport } from './report/table';
import type { BenchReport, ScenarioReport } from './report/types';
import { SCENARIOS, loadScenario } from './scenarios';
import { attachTarget, startEmbeddedTarget, type BenchTarget } from './target';

const LATENCY_TARGET_MS = 250;
/** Other jobs using more than this many cores during a phase make its figures questionable. */
const FOREIGN_CORES_WARNING = 0.25;

interface RunNotes {
  problems: string[];
  warnings: string[];
}

export interface RunIo {
  command: string;
  signal: AbortSignal;
  log(line: string): void;
  /** The table goes here (stdout). */
  print(text: string): void;
}

interface StackSpec {
  name: string;
  workers: number;
  /** The first stack also runs baselines, the history phase, the fixed-rate phases and scenarios. */
  full: boolean;
}

function openTarget(options: BenchOptions, spec: StackSpec, io: RunIo): Promise<BenchTarget> {
  if (options.attach) {
    return Promise.resolve(
      attachTarget({
        ...(options.apiUrl && { apiUrl: options.apiUrl }),
        ...(options.simulatorUrl && { simulatorUrl: options.simulatorUrl }),
        ...(options.temporalAddress && { temporalAddress: options.temporalAddress }),
        ...(options.databaseUrl && { databaseUrl: options.databaseUrl }),
        workerPids: options.workerPids,
        ...(options.apiPid && { apiPid: options.apiPid }),
      }),
    );
  }
  // The full stack starts with the history phase's poll interval and switches to the load one after it.
  const pollIntervalMs = spec.full ? options.historyPollMs : options.pollIntervalMs;
  io.log(`starting the embedded stack with ${spec.workers} worker process${spec.workers > 1 ? 'es' : ''}…`);
  return startEmbeddedTarget({
    workers: spec.workers,
    env: {
      SO_POLL_INTERVAL_MS: String(pollIntervalMs),
      LOG_LEVEL: options.logLevel,
      // Node 20 refuses --cpu-prof in NODE_OPTIONS; a preloaded hook starts the profiler instead.
      ...(options.profileDir && {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${path.join(__dirname, 'cpu-profile.cjs')}"`.trim(),
        BENCH_CPU_PROFILE_DIR: options.profileDir,
      }),
    },
    temporal: options.temporal,
    childOutput: options.verbose ? 'inherit' : 'ignore',
    keepData: options.keepData,
    log: (line) => io.log(`  [stack] ${line}`),
  });
}

async function runScenarios(session: BenchSession, options: BenchOptions, baseline: BaselineWorker, db: Knex, io: RunIo, notes: RunNotes): Promise<Record<string, ScenarioReport>> {
  const out: Record<string, ScenarioReport> = {};
  const wanted = options.scenarios;
  const named = wanted !== 'all';
  for (const entry of SCENARIOS) {
    if (named && !wanted.includes(entry.name)) {
      out[entry.name] = { title: entry.title, status: 'skipped' };
      continue;
    }
    const run = await loadScenario(entry);
    if (!run) {
      out[entry.name] = { title: entry.title, status: 'unavailable', error: `bench/scenarios/${entry.module}.ts is not in the tree` };
      if (named) notes.problems.push(`scenario ${entry.name} was asked for but bench/scenarios/${entry.module}.ts is not in the tree`);
      continue;
    }
    io.log(`scenario ${entry.name}: ${entry.title}`);
    try {
      const outcome = await run({
        target: session.target,
        api: session.ctx.api,
        tokens: session.target.tokens,
        sim: session.sim,
        temporal: baseline.client,
        db,
        driver: session.driver,
        driverContext: session.ctx,
        options: { orders: options.orders, quick: options.quick },
        signal: io.signal,
        log: (line) => io.log(`  ${line}`),
      });
      out[entry.name] = { title: entry.title, status: 'ok', result: outcome.result, rows: outcome.rows };
    } catch (err) {
      if (io.signal.aborted) throw err;
      out[entry.name] = { title: entry.title, status: 'failed', error: (err as Error).message };
      notes.problems.push(`scenario ${entry.name} failed: ${(err as Error).message}`);
    }
  }
  return out;
}

interface StackOutcome {
  measurements: StackMeasurements;
  scenarios: Record<string, ScenarioReport>;
}

async function measureStack(options: BenchOptions, spec: StackSpec, driver: BenchDriver, runId: string, io: RunIo, notes: RunNotes): Promise<StackOutcome> {
  const target = await openTarget(options, spec, io);
  const cleanups: Array<() => Promise<unknown>> = [async () => target.stop()];
  try {
    if (io.signal.aborted) throw new Error('interrupted');
    const db = knexFactory({ client: 'pg', connection: target.databaseUrl, pool: { min: 0, max: 2 } });
    cleanups.push(() => db.destroy());
    const sampler = new ProcessSampler(() => target.roles());
    sampler.start(500);
    cleanups.push(async () => sampler.stop());
    const api = new ApiClient({ baseUrl: target.apiUrl, tokens: target.tokens });
    const sim = new SimControl(target.simulatorUrl);
    const originalTimeline = await sim.timeline();
    // An attached simulator is someone's demo: leave its timeline as it was.
    if (target.mode === 'attached') cleanups.push(() => sim.setTimeline(originalTimeline));
    const ctx: DriverContext = { api, sim, db, runId, log: (line) => io.log(`  ${line}`) };

    let current: MilestoneTracker | undefined;
    const stopWatching = driver.watch(ctx, {
      mark: (docNo, milestone, at) => current?.mark(docNo, milestone, at),
      fail: (docNo, reason, at) => current?.fail(docNo, reason, at),
    });
    cleanups.push(stopWatching);

    let baseline: BaselineWorker | undefined;
    if (spec.full) {
      io.log('starting the baseline worker (bundling the baseline workflows)…');
      baseline = await startBaselineWorker({ temporalAddress: target.temporalAddress, namespace: target.namespace, runId, milestones: driver.milestones });
      const started = baseline;
      cleanups.push(() => started.stop());
    }
    const session: BenchSession = {
      name: spec.name,
      target,
      driver,
      ctx,
      sim,
      ...(baseline && { baseline }),
      sampler,
      signal: io.signal,
      stallMs: options.quick ? 30_000 : 60_000,
      log: io.log,
      route: (tracker) => {
        current = tracker;
      },
    };

    io.log('master data through the API…');
    await driver.prepare(ctx);
    const measurements: StackMeasurements = { name: spec.name, workers: spec.workers, saturation: {}, fixedRate: {}, peakRssMiB: {}, highWaterMarkMiB: {} };
    let scenarios: Record<string, ScenarioReport> = {};

    const loadPollMs = target.mode === 'attached' ? options.attachedPollIntervalMs : options.pollIntervalMs;
    if (spec.full) {
      const historyPollMs = target.mode === 'attached' ? options.attachedPollIntervalMs : options.historyPollMs;
      measurements.history = await runHistoryPhase(session, { pollIntervalMs: historyPollMs, polls: options.historyPolls, count: options.historyCount });
      if (target.restart && historyPollMs !== loadPollMs) {
        io.log(`restarting the API with ${driver.pollIntervalEnv}=${loadPollMs}…`);
        await target.restart({ [driver.pollIntervalEnv]: String(loadPollMs) }, 'api');
      }
    }

    const setup: PollingSetup = { pollIntervalMs: loadPollMs, doneAfterMs: options.shipAfterMs };
    // Peaks of the load phases, not of start-up (the worker bundles its workflows with webpack then).
    sampler.resetPeaks();
    await sim.setTimeline(driver.timeline(options.shipAfterMs));
    io.log(`warm-up: ${options.warmUp} documents${baseline ? ' each for ours and baseline (a)' : ''}`);
    await warmUp(session, 'ours', options.warmUp, setup, `${spec.workers}W`);
    if (baseline) await warmUp(session, 'baseline-a', options.warmUp, setup, 'AW');

    const saturation = { kind: 'saturation' as const, window: options.window };
    const fixedRate = { kind: 'fixed-rate' as const, ratePerSecond: options.rate };
    if (baseline) measurements.saturation.baselineA = await runLoadPhase(session, { label: 'baseline (a) saturation', system: 'baseline-a', phaseCode: 'AS', count: options.saturationOrders, mode: saturation, setup });
    measurements.saturation.ours = await runLoadPhase(session, { label: `ours saturation (${spec.name})`, system: 'ours', phaseCode: `S${spec.workers}`, count: options.saturationOrders, mode: saturation, setup });
    if (spec.full) {
      if (baseline) measurements.fixedRate.baselineA = await runLoadPhase(session, { label: `baseline (a) at ${options.rate}/s`, system: 'baseline-a', phaseCode: 'AR', count: options.rateOrders, mode: fixedRate, setup });
      measurements.fixedRate.ours = await runLoadPhase(session, { label: `ours at ${options.rate}/s`, system: 'ours', phaseCode: 'R', count: options.rateOrders, mode: fixedRate, setup });
    }
    // Before the scenarios: they bring their own load (and may restart processes).
    for (const role of Object.keys(target.roles().trees).concat('bench')) {
      measurements.peakRssMiB[role] = sampler.peakRssMb(role);
      measurements.highWaterMarkMiB[role] = sampler.highWaterMarkMb(role);
    }
    if (spec.full && baseline) scenarios = await runScenarios(session, options, baseline, db, io, notes);

    for (const phase of [measurements.saturation.baselineA, measurements.saturation.ours, measurements.fixedRate.baselineA, measurements.fixedRate.ours]) {
      if (!phase) continue;
      if (phase.submitErrors) notes.problems.push(`${phase.label}: ${phase.submitErrors} documents could not be submitted (${phase.firstSubmitError})`);
      if (phase.failed) notes.problems.push(`${phase.label}: ${phase.failed} documents failed (${phase.firstFailure})`);
      if (phase.missing) notes.problems.push(`${phase.label}: ${phase.missing} documents did not reach ${driver.milestones.done}`);
      const foreignCores = phase.cpu.foreignCpuSeconds / Math.max(phase.cpu.seconds, 0.001);
      if (foreignCores > FOREIGN_CORES_WARNING) {
        notes.warnings.push(`${phase.label}: other processes on the machine used ${foreignCores.toFixed(2)} cores on average; the figures (and ratios across phases) are skewed`);
      }
    }
    return { measurements, scenarios };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => io.log(`cleanup: ${(err as Error).message}`));
  }
}

function machine(): BenchReport['machine'] {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

export async function runBench(options: BenchOptions, io: RunIo): Promise<{ report: BenchReport; exitCode: number }> {
  const startedAt = new Date();
  const runId = randomBytes(3).toString('hex');
  const driver = DRIVERS[options.type]!;
  const notes: RunNotes = { problems: [], warnings: [] };
  const { problems } = notes;
  mkdirSync(options.outDir, { recursive: true });

  const primary = await measureStack(options, { name: '1 worker', workers: 1, full: true }, driver, runId, io, notes);
  const scaled = options.scaleOut
    ? await measureStack(options, { name: `${options.scaleOutWorkers} workers`, workers: options.scaleOutWorkers, full: false }, driver, runId, io, notes)
    : undefined;

  const inputs = { driver, window: options.window, primary: primary.measurements, ...(scaled && { scaleOut: scaled.measurements }) };
  const docReport = buildDocTypeReport(inputs);
  const cores = os.cpus().length;
  const stamp = `${startedAt.toISOString().replace(/[:.]/g, '-')}-${runId}`;
  const jsonPath = path.join(options.outDir, `${stamp}.json`);
  const chart = await writeChart(docTypeChart(`eclp-bridge bench: ${driver.title}, ${options.orders} through the API (${stamp})`, docReport, LATENCY_TARGET_MS), path.join(options.outDir, `${stamp}.png`));
  if (chart.note) problems.push(chart.note);
  const finishedAt = new Date();
  const report: BenchReport = {
    schema: 'eclp-bridge/bench@1',
    command: io.command,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: machine(),
    mode: options.attach ? 'attached' : 'embedded',
    config: {
      orders: options.orders,
      saturationOrders: options.saturationOrders,
      temporal: options.attach ? 'attached' : options.temporal,
      window: options.window,
      rate: options.rate,
      rateOrders: options.rateOrders,
      shipAfterMs: options.shipAfterMs,
      pollIntervalMs: options.attach ? options.attachedPollIntervalMs : options.pollIntervalMs,
      history: { pollIntervalMs: options.attach ? options.attachedPollIntervalMs : options.historyPollMs, polls: options.historyPolls, count: options.historyCount },
      warmUp: options.warmUp,
      scaleOutWorkers: options.scaleOut ? options.scaleOutWorkers : null,
      quick: options.quick,
      logLevel: options.logLevel,
      runId,
    },
    documentTypes: { [driver.name]: docReport },
    targets: evaluateTargets(docReport, inputs, cores),
    scenarios: primary.scenarios,
    problems,
    warnings: notes.warnings,
    files: { json: jsonPath, chart: chart.path },
  };
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  // Stable names for "the last run" (README links, quick looks); the stamped files stay.
  copyFileSync(jsonPath, path.join(options.outDir, 'latest.json'));
  if (!chart.note) copyFileSync(chart.path, path.join(options.outDir, 'latest.png'));
  io.print(formatReport(report));
  const missed = report.targets.some((t) => t.met === false);
  return { report, exitCode: problems.length || (options.strict && missed) ? 1 : 0 };
}
