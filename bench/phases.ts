// The measured phases. A load phase offers documents (closed loop = saturation, open loop = fixed rate)
// to the real system or to baseline (a) and measures milestones, JD calls and CPU; the history phase
// compares history events of a short and a 50× longer wait with baselines (a) and (b).
import type { SimControl, SimStats } from '../test/support/simulator';
import { sleep } from '../test/support/timing';
import type { BaselineWorker } from './baselines/worker';
import type { BenchDriver, DriverContext, PollingSetup } from './drivers/types';
import { historyLengths, summariseCounts, type EventCounts } from './history';
import { closedLoop, openLoop, type Submission, type Submit } from './load';
import { distribution, perSecondSeries, sustainedThroughput, type Distribution, type Throughput } from './metrics';
import { MilestoneTracker } from './milestones';
import { dbCountsDelta, settledDbCounts, type DbCounts } from './db-round-trips';
import { cpuDelta, type CpuDelta, type ProcessSampler } from './proc';
import type { BenchTarget } from './target';

export interface BenchSession {
  /** Which stack this is in the report ("1 worker", "2 workers"). */
  name: string;
  target: BenchTarget;
  driver: BenchDriver;
  ctx: DriverContext;
  sim: SimControl;
  baseline?: BaselineWorker;
  sampler: ProcessSampler;
  signal: AbortSignal;
  /** A phase gives up on documents when none has progressed for this long. */
  stallMs: number;
  log(line: string): void;
  /** Points the driver's milestone watcher at the current phase's tracker. */
  route(tracker: MilestoneTracker | undefined): void;
}

export type LoadMode = { kind: 'saturation'; window: number } | { kind: 'fixed-rate'; ratePerSecond: number };

export interface LoadSpec {
  label: string;
  system: 'ours' | 'baseline-a';
  /** Part of the document numbers, unique within the run. */
  phaseCode: string;
  count: number;
  mode: LoadMode;
  setup: PollingSetup;
}

export interface LoadResult {
  label: string;
  system: 'ours' | 'baseline-a';
  mode: LoadMode;
  setup: PollingSetup;
  orders: number;
  submitErrors: number;
  firstSubmitError?: string;
  /** Documents that reached the accepted / done milestone, failed, or were still missing at the end. */
  reached: { accepted: number; done: number };
  failed: number;
  missing: number;
  firstFailure?: string;
  startedAt: number;
  durationS: number;
  /** Approve requests per second the load generator achieved. */
  offeredPerSecond: number;
  throughput: { accepted: Throughput; done: Throughput };
  /** approve → milestone, ms. */
  latency: { accepted: Distribution; done: Distribution };
  /** How long the approve request (or the baseline's workflow start) took to answer, ms. */
  approveRequestMs: Distribution;
  /** done − (accepted + JD's delay): how late the outcome was noticed, ms (baseline (a): its no-op poll). */
  detectionLagMs: Distribution;
  jdCalls?: SimStats;
  cpu: CpuDelta;
  /** Database round trips the worker and API processes sent during the phase (ours, embedded stacks). */
  db?: DbCounts;
  /** For the chart: completions per second, and every accepted latency. */
  series: { accepted: number[]; done: number[] };
  acceptedLatencies: number[];
}

/** Waits until every document reached `milestone` or failed; gives up after `stallMs` without progress. */
async function awaitCompletion(session: BenchSession, tracker: MilestoneTracker, docNos: readonly string[], milestone: string): Promise<void> {
  let settledBefore = -1;
  let lastProgress = Date.now();
  for (;;) {
    if (session.signal.aborted) throw new Error('interrupted');
    const dead = session.target.deadChild();
    if (dead) throw new Error(`${dead} exited during the phase; rerun with --verbose to see its output`);
    const settled = docNos.filter((d) => tracker.at(d, milestone) !== undefined || tracker.failure(d) !== undefined).length;
    if (settled === docNos.length) return;
    if (settled !== settledBefore) {
      settledBefore = settled;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > session.stallMs) {
      session.log(`  ${docNos.length - settled} of ${docNos.length} documents made no progress for ${session.stallMs / 1000} s; giving up on them`);
      return;
    }
    await sleep(200);
  }
}

function submitterFor(session: BenchSession, spec: Pick<LoadSpec, 'system' | 'setup'>): Submit {
  if (spec.system === 'ours') return (docNo) => session.driver.submit(session.ctx, docNo);
  const baseline = session.baseline;
  if (!baseline) throw new Error('baseline worker not running');
  return (docNo) => baseline.startSameShape(session.driver, docNo, spec.setup);
}

function startTracking(session: BenchSession, system: 'ours' | 'baseline-a'): MilestoneTracker {
  const tracker = new MilestoneTracker();
  if (system === 'ours') session.route(tracker);
  else session.baseline?.track(tracker);
  return tracker;
}

function stopTracking(session: BenchSession): void {
  session.route(undefined);
  session.baseline?.track(undefined);
}

export async function runLoadPhase(session: BenchSession, spec: LoadSpec): Promise<LoadResult> {
  const { driver } = session;
  const { accepted, done } = driver.milestones;
  const docNos = Array.from({ length: spec.count }, (_, i) => driver.docNo(session.ctx.runId, spec.phaseCode, i + 1));
  session.log(`${spec.label}: ${spec.count} documents, ${spec.mode.kind === 'saturation' ? `${spec.mode.window} in flight` : `${spec.mode.ratePerSecond}/s`}`);
  const tracker = startTracking(session, spec.system);
  if (spec.system === 'ours') await session.sim.resetStats();
  const dbDir = spec.system === 'ours' ? session.target.dbCountDir : undefined;
  const dbBefore = dbDir ? await settledDbCounts(dbDir) : undefined;
  const cpuBefore = session.sampler.snapshot();
  const startedAt = Date.now();
  const submit = submitterFor(session, spec);
  let submissions: Submission[];
  try {
    submissions =
      spec.mode.kind === 'saturation'
        ? await closedLoop({ docNos, window: spec.mode.window, submit, tracker, milestone: accepted, stuckAfterMs: session.stallMs, signal: session.signal })
        : await openLoop({ docNos, ratePerSecond: spec.mode.ratePerSecond, submit, signal: session.signal });
    const submittedAt = Date.now();
    await awaitCompletion(session, tracker, submissions.filter((s) => !s.error).map((s) => s.docNo), done);
    const cpu = cpuDelta(cpuBefore, session.sampler.snapshot());
    const jdCalls = spec.system === 'ours' ? await session.sim.stats() : undefined;
    // After the CPU snapshot: waiting for the last webhooks' statements must not count as the phase's time.
    const db = dbDir && dbBefore ? dbCountsDelta(dbBefore, await settledDbCounts(dbDir)) : undefined;
    const durationS = (Date.now() - startedAt) / 1000;

    const ok = submissions.filter((s) => !s.error && s.approvedAt !== undefined);
    const acceptedAt = ok.map((s) => tracker.at(s.docNo, accepted)).filter((t): t is number => t !== undefined);
    const doneAt = ok.map((s) => tracker.at(s.docNo, done)).filter((t): t is number => t !== undefined);
    const latency = (milestone: string) =>
      ok.flatMap((s) => {
        const at = tracker.at(s.docNo, milestone);
        return at === undefined ? [] : [at - s.approvedAt!];
      });
    const acceptedLatencies = latency(accepted);
    const failures = ok.map((s) => tracker.failure(s.docNo)).filter((f): f is string => f !== undefined);
    const errors = submissions.filter((s) => s.error);
    const result: LoadResult = {
      label: spec.label,
      system: spec.system,
      mode: spec.mode,
      setup: spec.setup,
      orders: spec.count,
      submitErrors: errors.length,
      ...(errors[0]?.error !== undefined && { firstSubmitError: errors[0].error }),
      reached: { accepted: acceptedAt.length, done: doneAt.length },
      failed: failures.length,
      missing: ok.length - doneAt.length - failures.length,
      ...(failures[0] !== undefined && { firstFailure: failures[0] }),
      startedAt,
      durationS,
      offeredPerSecond: ok.length / Math.max(0.001, (submittedAt - startedAt) / 1000),
      throughput: { accepted: sustainedThroughput(acceptedAt, startedAt), done: sustainedThroughput(doneAt, startedAt) },
      latency: { accepted: distribution(acceptedLatencies), done: distribution(latency(done)) },
      approveRequestMs: distribution(ok.map((s) => s.answeredAt! - s.approvedAt!)),
      detectionLagMs: distribution(
        ok.flatMap((s) => {
          const a = tracker.at(s.docNo, accepted);
          const d = tracker.at(s.docNo, done);
          return a === undefined || d === undefined ? [] : [d - (a + spec.setup.doneAfterMs)];
        }),
      ),
      ...(jdCalls && { jdCalls }),
      cpu,
      ...(db && { db }),
      series: { accepted: perSecondSeries(acceptedAt, startedAt), done: perSecondSeries(doneAt, startedAt) },
      acceptedLatencies: acceptedLatencies.map((v) => Math.round(v)),
    };
    session.log(
      `  ${result.reached.done}/${spec.count} ${done} in ${durationS.toFixed(1)} s; ${result.throughput.accepted.perSecond.toFixed(1)} ${accepted}/s, p99 ${result.latency.accepted.p99.toFixed(0)} ms` +
        (result.failed || result.missing || result.submitErrors ? `; ${result.failed} failed, ${result.missing} missing, ${result.submitErrors} not submitted` : ''),
    );
    return result;
  } finally {
    stopTracking(session);
  }
}

/** Runs documents through without measuring: bundles loaded, JIT warm, connection pools filled. */
export async function warmUp(session: BenchSession, system: 'ours' | 'baseline-a', count: number, setup: PollingSetup, phaseCode: string): Promise<void> {
  const docNos = Array.from({ length: count }, (_, i) => session.driver.docNo(session.ctx.runId, phaseCode, i + 1));
  const tracker = startTracking(session, system);
  try {
    const submit = submitterFor(session, { system, setup });
    const submissions = await closedLoop({ docNos, window: Math.min(10, count), submit, tracker, milestone: session.driver.milestones.accepted, stuckAfterMs: session.stallMs, signal: session.signal });
    const failed = submissions.find((s) => s.error);
    if (failed) throw new Error(`warm-up (${system}) could not submit ${failed.docNo}: ${failed.error}`);
    await awaitCompletion(session, tracker, docNos, session.driver.milestones.done);
    const stuck = docNos.filter((d) => tracker.at(d, session.driver.milestones.done) === undefined);
    if (stuck.length) throw new Error(`warm-up (${system}): ${stuck.length} of ${count} documents did not reach ${session.driver.milestones.done} (${tracker.failure(stuck[0]!) ?? 'no progress'})`);
  } finally {
    stopTracking(session);
  }
}

export interface HistoryCase {
  /** JD's outcome is there at this poll (1: already at the first one). */
  targetPolls: number;
  /** How long ours waited in the accepted state, mean ms (JD accepting → outcome recorded). */
  waitMs: number;
  /** Polls per workflow: ours from the simulator's counter, the baselines from their results. */
  polls: { ours: number; baselineA: number; baselineB: number };
  events: { ours: EventCounts; baselineA: EventCounts; baselineB: EventCounts };
}

export interface HistoryResult {
  pollIntervalMs: number;
  workflowsPerCase: number;
  short: HistoryCase;
  long: HistoryCase;
}

/** Waits until the simulator has answered `calls` polls (all documents of the case poll at the same pace). */
async function awaitPolls(session: BenchSession, calls: number, pollIntervalMs: number): Promise<void> {
  const deadline = Date.now() + session.stallMs + calls * pollIntervalMs * 5;
  for (;;) {
    const seen = (await session.sim.stats()).byMethod[session.driver.pollMethod] ?? 0;
    if (seen >= calls) return;
    if (session.signal.aborted) throw new Error('interrupted');
    if (Date.now() > deadline) throw new Error(`history phase: only ${seen} of ${calls} polls reached the simulator in time`);
    await sleep(Math.max(20, pollIntervalMs / 2));
  }
}

async function runHistoryCase(session: BenchSession, targetPolls: number, pollIntervalMs: number, count: number, phaseCode: string): Promise<HistoryCase> {
  const { driver, ctx } = session;
  const { accepted, done } = driver.milestones;
  const baseline = session.baseline;
  if (!baseline) throw new Error('baseline worker not running');
  const setup: PollingSetup = { pollIntervalMs, doneAfterMs: 0, doneAfterPolls: targetPolls };
  // One poll: JD has finished before the first poll. More: JD finishes by hand once they have been made.
  await session.sim.setTimeline(driver.timeline(targetPolls <= 1 ? 0 : null));
  await session.sim.resetStats();
  const docNos = Array.from({ length: count }, (_, i) => driver.docNo(ctx.runId, phaseCode, i + 1));
  const tracker = startTracking(session, 'ours');
  try {
    const timerLoops = await Promise.all(docNos.map((docNo) => baseline.startTimerLoop(baseline.baselineWorkflowId('b', docNo), targetPolls, pollIntervalMs)));
    await Promise.all(docNos.map((docNo) => baseline.startSameShape(driver, docNo, setup)));
    await Promise.all(docNos.map((docNo) => driver.submit(ctx, docNo)));
    if (targetPolls > 1) {
      await awaitCompletion(session, tracker, docNos, accepted);
      await awaitPolls(session, count * (targetPolls - 1), pollIntervalMs);
      await Promise.all(docNos.map((docNo) => driver.finishAtJd(ctx, docNo)));
    }
    await awaitCompletion(session, tracker, docNos, done);
    const notDone = docNos.filter((d) => tracker.at(d, done) === undefined);
    if (notDone.length) throw new Error(`history phase: ${notDone.length} documents did not reach ${done} (${tracker.failure(notDone[0]!) ?? 'no progress'})`);
    const ourPolls = ((await session.sim.stats()).byMethod[driver.pollMethod] ?? 0) / count;
    const aResults = await Promise.all(docNos.map((d) => baseline.client.workflow.getHandle(baseline.baselineWorkflowId('a', d)).result() as Promise<{ polls: number }>));
    const bResults = await Promise.all(timerLoops.map((h) => h.result() as Promise<{ polls: number }>));
    // The saga's last steps (the ERP webhook) run after the milestone: count closed histories only.
    await Promise.all(docNos.map((d) => baseline.client.workflow.getHandle(driver.workflowId(d)).result()));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      targetPolls,
      waitMs: mean(docNos.map((d) => tracker.at(d, done)! - tracker.at(d, accepted)!)),
      polls: { ours: ourPolls, baselineA: mean(aResults.map((r) => r.polls)), baselineB: mean(bResults.map((r) => r.polls)) },
      events: {
        ours: summariseCounts(await historyLengths(baseline.client, docNos.map(driver.workflowId))),
        baselineA: summariseCounts(await historyLengths(baseline.client, docNos.map((d) => baseline.baselineWorkflowId('a', d)))),
        baselineB: summariseCounts(await historyLengths(baseline.client, docNos.map((d) => baseline.baselineWorkflowId('b', d)))),
      },
    };
  } finally {
    stopTracking(session);
  }
}

/**
 * History events per workflow when JD's outcome comes at the first poll and at poll `polls`. The API
 * must already be running with `pollIntervalMs` as the saga's poll interval.
 */
export async function runHistoryPhase(session: BenchSession, options: { pollIntervalMs: number; polls: number; count: number }): Promise<HistoryResult> {
  session.log(`history: ${options.count} workflows each, outcome at the 1st and at the ${options.polls}th poll, polling every ${options.pollIntervalMs} ms`);
  const short = await runHistoryCase(session, 1, options.pollIntervalMs, options.count, 'H1');
  const long = await runHistoryCase(session, options.polls, options.pollIntervalMs, options.count, 'H2');
  session.log(`  events per workflow: ours ${short.events.ours.max} → ${long.events.ours.max}, (a) ${short.events.baselineA.max} → ${long.events.baselineA.max}, (b) ${short.events.baselineB.max} → ${long.events.baselineB.max}`);
  return { pollIntervalMs: options.pollIntervalMs, workflowsPerCase: options.count, short, long };
}
