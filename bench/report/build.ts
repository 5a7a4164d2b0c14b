// Turns the measured phases into the report: ours next to baseline (a) and (b), ratios, the targets of
// issue 5 item 1 with what bounds each figure.
import type { BenchDriver } from '../drivers/types';
import { ratio, round } from '../metrics';
import type { HistoryResult, LoadResult } from '../phases';
import type { CpuDelta } from '../proc';
import type { CostReport, DocTypeReport, JdCallReport, ResourceReport, TargetCheck } from './types';

/** What one stack produced. */
export interface StackMeasurements {
  name: string;
  workers: number;
  saturation: { ours?: LoadResult; baselineA?: LoadResult };
  fixedRate: { ours?: LoadResult; baselineA?: LoadResult };
  history?: HistoryResult;
  /** Highest resident set sampled during the load phases. */
  peakRssMiB: Record<string, number | null>;
  /** The kernel's VmHWM over each process's life (start-up included). */
  highWaterMarkMiB: Record<string, number | null>;
}

export interface ReportInputs {
  driver: BenchDriver;
  window: number;
  primary: StackMeasurements;
  scaleOut?: StackMeasurements;
}

const WORKERS = 'workers (all)';
const TIMER_LOOP_TARGET_POLLS = 50;

/** CPU seconds per 1,000 documents by role; several worker processes are also summed. */
function cpuPer1000(result: LoadResult | undefined): Record<string, number | null> {
  if (!result || result.reached.done === 0) return {};
  const out: Record<string, number | null> = {};
  let workers = 0;
  let workerRoles = 0;
  for (const [role, seconds] of Object.entries(result.cpu.cpuSeconds)) {
    out[role] = round((seconds / result.reached.done) * 1000, 2);
    if (role.startsWith('worker')) {
      workers += seconds;
      workerRoles += 1;
    }
  }
  if (workerRoles > 1) out[WORKERS] = round((workers / result.reached.done) * 1000, 2);
  return out;
}

/** "machine 95 % busy; temporal 0.9 cores, worker 0.6, …": where the CPU went while the figure was taken. */
export function describeCpu(cpu: CpuDelta, cores: number): string {
  const busiest = Object.entries(cpu.cpuSeconds)
    .map(([role, seconds]) => [role, seconds / Math.max(cpu.seconds, 0.001)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([role, used]) => `${role} ${used.toFixed(2)}`)
    .join(', ');
  const foreign = cpu.foreignCpuSeconds / Math.max(cpu.seconds, 0.001);
  return `machine ${Math.round(cpu.systemBusy * 100)} % busy over ${cores} cores; cores used: ${busiest}${foreign >= 0.05 ? `; other processes ${foreign.toFixed(2)}` : ''}`;
}

/** "189 ms (temporal 99, worker 53, …)": CPU of the measured processes per finished document. */
function describeCpuPerDocument(result: LoadResult): string {
  const done = Math.max(1, result.reached.done);
  const parts = Object.entries(result.cpu.cpuSeconds)
    .map(([role, seconds]) => [role, (seconds / done) * 1000] as const)
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1]);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  return `${total.toFixed(0)} ms (${parts.map(([role, ms]) => `${role} ${ms.toFixed(0)}`).join(', ')})`;
}

function jdCallReport(driver: BenchDriver, primary: StackMeasurements): JdCallReport {
  const sat = primary.saturation.ours;
  const fixed = primary.fixedRate.ours;
  const setup = sat?.setup ?? fixed?.setup ?? { pollIntervalMs: NaN, doneAfterMs: NaN };
  const minimum = driver.minimumJdCalls(setup);
  const perOrder = (result: LoadResult | undefined, method: string) => (result?.jdCalls && result.reached.done ? round((result.jdCalls.byMethod[method] ?? 0) / result.reached.done, 2) : null);
  const methods = [...new Set([...Object.keys(minimum), ...Object.keys(sat?.jdCalls?.byMethod ?? {}), ...Object.keys(fixed?.jdCalls?.byMethod ?? {})])].sort();
  const total = (result: LoadResult | undefined) => (result?.jdCalls && result.reached.done ? round(result.jdCalls.total / result.reached.done, 2) : null);
  const minimumTotal = Object.values(minimum).reduce((a, b) => a + b, 0);
  return {
    pollIntervalMs: setup.pollIntervalMs,
    doneAfterMs: setup.doneAfterMs,
    byMethod: methods.map((method) => ({ method, saturation: perOrder(sat, method), fixedRate: perOrder(fixed, method), minimum: minimum[method] ?? 0 })),
    totalPerOrder: { saturation: total(sat), fixedRate: total(fixed), minimum: minimumTotal },
    ratioToMinimum: round(ratio(total(fixed) ?? total(sat), minimumTotal), 2),
    detectionLagMs: {
      saturation: { ours: sat?.detectionLagMs ?? null, baselineA: primary.saturation.baselineA?.detectionLagMs ?? null },
      fixedRate: { ours: fixed?.detectionLagMs ?? null, baselineA: primary.fixedRate.baselineA?.detectionLagMs ?? null },
    },
  };
}

function resources(primary: StackMeasurements): ResourceReport {
  const ours = cpuPer1000(primary.saturation.ours);
  const base = cpuPer1000(primary.saturation.baselineA);
  const workerCpu = ours[WORKERS] ?? ours.worker ?? null;
  const apiCpu = ours.api ?? null;
  const oursProcesses = workerCpu !== null && apiCpu !== null ? workerCpu + apiCpu : null;
  return {
    cpuSecondsPer1000: { ours, baselineA: base },
    cpuRatio: round(ratio(oursProcesses, base.bench), 2),
    peakRssMiB: primary.peakRssMiB,
    highWaterMarkMiB: primary.highWaterMarkMiB,
    systemBusy: { ours: round(primary.saturation.ours?.cpu.systemBusy, 3), baselineA: round(primary.saturation.baselineA?.cpu.systemBusy, 3) },
  };
}

/** CPU ms per finished document by role, and their sum (every measured process). */
function cpuMsPerDocument(result: LoadResult | undefined): { total: number | null; byRole: Record<string, number> } {
  if (!result || result.reached.done === 0) return { total: null, byRole: {} };
  const byRole = Object.fromEntries(Object.entries(result.cpu.cpuSeconds).map(([role, seconds]) => [role, round((seconds / result.reached.done) * 1000, 1)!] as const));
  const total = Object.values(result.cpu.cpuSeconds).reduce((a, b) => a + b, 0);
  return { total: round((total / result.reached.done) * 1000, 1), byRole };
}

function cost(primary: StackMeasurements): CostReport {
  const ours = cpuMsPerDocument(primary.saturation.ours);
  const noop = cpuMsPerDocument(primary.saturation.baselineA);
  const sat = primary.saturation.ours;
  const db = sat?.db;
  const docs = sat?.reached.done ?? 0;
  const perDoc = (n: number) => round(n / docs, 2)!;
  const fixedOurs = primary.fixedRate.ours?.latency.accepted.p99;
  const fixedNoop = primary.fixedRate.baselineA?.latency.accepted.p99;
  const history = primary.history?.short.events;
  return {
    cpuMsPerOrder: ours.total,
    cpuMsPerOrderNoop: noop.total,
    cpuRatioVsNoop: round(ratio(ours.total, noop.total), 2),
    cpuMsPerOrderByProcess: { ours: ours.byRole, baselineA: noop.byRole },
    dbRoundTripsPerOrder: db && docs ? perDoc(db.total) : null,
    dbRoundTripsPerOrderByProcess: db && docs ? Object.fromEntries(Object.entries(db.byProcess).map(([role, n]) => [role, perDoc(n)])) : {},
    dbRoundTripsPerOrderByStatement:
      db && docs
        ? Object.entries(db.byStatement)
            .map(([statement, n]) => ({ statement, perOrder: perDoc(n) }))
            .filter((s) => s.perOrder >= 0.01)
            .sort((a, b) => b.perOrder - a.perOrder)
        : [],
    historyEventsPerOrder: history?.ours.max ?? null,
    historyEventsPerOrderNoop: history?.baselineA.max ?? null,
    p99ApproveToPickingMs: round(fixedOurs, 0),
    p99ApproveToPickingMsNoop: round(fixedNoop, 0),
    p99RatioVsNoop: round(ratio(fixedOurs, fixedNoop), 2),
  };
}

const latencyRatio = (ours: LoadResult | undefined, base: LoadResult | undefined) => ({
  p50: round(ratio(ours?.latency.accepted.p50, base?.latency.accepted.p50), 2),
  p95: round(ratio(ours?.latency.accepted.p95, base?.latency.accepted.p95), 2),
  p99: round(ratio(ours?.latency.accepted.p99, base?.latency.accepted.p99), 2),
});

const perSecond = (result: LoadResult | undefined) => ({
  accepted: round(result?.throughput.accepted.perSecond, 2),
  done: round(result?.throughput.done.perSecond, 2),
});

export function buildDocTypeReport(inputs: ReportInputs): DocTypeReport {
  const { driver, primary, scaleOut } = inputs;
  const oursSat = primary.saturation.ours;
  const baseSat = primary.saturation.baselineA;
  const history = primary.history;
  const scaled = scaleOut?.saturation.ours;
  return {
    title: driver.title,
    milestones: driver.milestones,
    throughput: {
      ours: perSecond(oursSat),
      baselineA: perSecond(baseSat),
      ratio: {
        accepted: round(ratio(oursSat?.throughput.accepted.perSecond, baseSat?.throughput.accepted.perSecond), 2),
        done: round(ratio(oursSat?.throughput.done.perSecond, baseSat?.throughput.done.perSecond), 2),
      },
    },
    latency: {
      fixedRate: {
        offeredPerSecond: round(primary.fixedRate.ours?.offeredPerSecond, 2),
        ours: primary.fixedRate.ours?.latency.accepted ?? null,
        baselineA: primary.fixedRate.baselineA?.latency.accepted ?? null,
        ratio: latencyRatio(primary.fixedRate.ours, primary.fixedRate.baselineA),
      },
      saturation: { window: inputs.window, ours: oursSat?.latency.accepted ?? null, baselineA: baseSat?.latency.accepted ?? null, ratio: latencyRatio(oursSat, baseSat) },
      doneAtSaturation: oursSat?.latency.done ?? null,
      approveRequestMs: oursSat?.approveRequestMs ?? null,
    },
    jdCalls: jdCallReport(driver, primary),
    history: history
      ? { ...history, growth: history.long.events.ours.max - history.short.events.ours.max, ratioToTimerLoop: round(ratio(history.long.events.ours.mean, history.long.events.baselineB.mean), 3) }
      : null,
    resources: resources(primary),
    cost: cost(primary),
    scaleOut:
      scaleOut && scaled
        ? {
            workers: scaleOut.workers,
            throughput: perSecond(scaled),
            ratio: {
              accepted: round(ratio(scaled.throughput.accepted.perSecond, oursSat?.throughput.accepted.perSecond), 2),
              done: round(ratio(scaled.throughput.done.perSecond, oursSat?.throughput.done.perSecond), 2),
            },
            latency: scaled.latency.accepted,
            cpuSecondsPer1000: cpuPer1000(scaled),
            systemBusy: round(scaled.cpu.systemBusy, 3),
          }
        : null,
    phases: [
      ...[primary.saturation.baselineA, primary.saturation.ours, primary.fixedRate.baselineA, primary.fixedRate.ours].filter((r): r is LoadResult => !!r).map((r) => ({ ...r, stack: primary.name })),
      ...(scaled && scaleOut ? [{ ...scaled, stack: scaleOut.name }] : []),
    ],
  };
}

/** Issue 5 item 1's targets, each with its measured value and, when missed, what bounds it. */
export function evaluateTargets(report: DocTypeReport, inputs: ReportInputs, cores: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (name: string, target: string, value: number | null, met: (v: number) => boolean | null, bound?: () => string | undefined) => {
    const ok = value === null ? null : met(value);
    const why = ok === false ? bound?.() : undefined;
    checks.push({ name, target, value, met: ok, ...(why && { bound: why }) });
  };
  const { accepted, done } = report.milestones;
  const oursSat = inputs.primary.saturation.ours;
  const baseSat = inputs.primary.saturation.baselineA;
  const satBound = () =>
    oursSat && baseSat ? `CPU per document: ours ${describeCpuPerDocument(oursSat)}; (a) ${describeCpuPerDocument(baseSat)}; ${describeCpu(oursSat.cpu, cores)}` : undefined;
  check(`throughput approve → ${accepted} vs baseline (a)`, '≥ 0.8 × (a)', report.throughput.ratio.accepted, (v) => v >= 0.8, satBound);
  check(`throughput approve → ${done} vs baseline (a)`, '≥ 0.8 × (a)', report.throughput.ratio.done, (v) => v >= 0.8, satBound);
  const h = report.history;
  check(
    `history events, outcome at poll ${h?.long.targetPolls ?? '?'} vs poll 1`,
    'no growth (long − short ≤ 0)',
    h?.growth ?? null,
    (v) => v <= 0,
    () => (h ? `ours ${h.short.events.ours.max} → ${h.long.events.ours.max} events` : undefined),
  );
  // The issue states this target at 50 polls; a shorter long case (--quick) shows the ratio unjudged.
  const judged = (h?.long.targetPolls ?? 0) >= TIMER_LOOP_TARGET_POLLS;
  check(
    `history events at ${h ? Math.round(h.long.polls.ours) : '?'} polls vs baseline (b) timer loop`,
    judged ? '< 0.1 × (b)' : `< 0.1 × (b) (judged at ${TIMER_LOOP_TARGET_POLLS} polls)`,
    h?.ratioToTimerLoop ?? null,
    (v) => (judged ? v < 0.1 : null),
    () => (h ? `ours ${h.long.events.ours.mean.toFixed(0)} events vs (b) ${h.long.events.baselineB.mean.toFixed(0)}` : undefined),
  );
  const fixed = inputs.primary.fixedRate.ours;
  check(
    `p99 approve → ${accepted} at ${fixed ? Number(fixed.mode.kind === 'fixed-rate' ? fixed.mode.ratePerSecond : 0) : '?'}/s`,
    '< 250 ms',
    round(report.latency.fixedRate.ours?.p99, 0),
    (v) => v < 250,
    () => {
      if (!fixed) return undefined;
      const offered = fixed.mode.kind === 'fixed-rate' ? fixed.mode.ratePerSecond : NaN;
      const sustained = report.throughput.ours.accepted;
      const overload = sustained !== null && offered >= sustained ? `; ${offered}/s is above the ${sustained.toFixed(1)}/s ours sustains here at saturation, so the queue grows for the whole phase` : '';
      return `(a) p99 ${report.latency.fixedRate.baselineA?.p99.toFixed(0) ?? '?'} ms on the same server${overload}; ${describeCpu(fixed.cpu, cores)}`;
    },
  );
  // Issue 13 item 1: what one document costs next to the no-op floor.
  const c = report.cost;
  const costBound = () => (oursSat && baseSat ? `CPU per document: ours ${describeCpuPerDocument(oursSat)}; (a) ${describeCpuPerDocument(baseSat)}` : undefined);
  check('CPU per document, all processes, vs baseline (a) (cpuRatioVsNoop)', '≤ 1.25 × (a)', c.cpuRatioVsNoop, (v) => v <= 1.25, costBound);
  check('database round trips per document, create → shipped (dbRoundTripsPerOrder)', '≤ 12', c.dbRoundTripsPerOrder, (v) => v <= 12, () =>
    Object.entries(c.dbRoundTripsPerOrderByProcess).map(([role, n]) => `${role} ${n}`).join(', '),
  );
  check('history events per document (historyEventsPerOrder)', '≤ 36', c.historyEventsPerOrder, (v) => v <= 36, () => `(a) ${c.historyEventsPerOrderNoop ?? '?'}`);
  check(`p99 approve → ${accepted} at the fixed rate vs baseline (a) (p99RatioVsNoop)`, '≤ 1.5 × (a)', c.p99RatioVsNoop, (v) => v <= 1.5, () =>
    `ours ${c.p99ApproveToPickingMs ?? '?'} ms, (a) ${c.p99ApproveToPickingMsNoop ?? '?'} ms`,
  );
  const scaled = inputs.scaleOut?.saturation.ours;
  check(
    `throughput with ${report.scaleOut?.workers ?? 2} workers vs 1`,
    '≥ 1.6 × one',
    report.scaleOut?.ratio.accepted ?? null,
    (v) => v >= 1.6,
    () => (scaled ? describeCpu(scaled.cpu, cores) : undefined),
  );
  return checks;
}
