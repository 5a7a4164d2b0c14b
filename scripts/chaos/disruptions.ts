// What the chaos run does to the system while the load runs: SIGKILL the worker (and start it again),
// restart the Temporal dev server once and PostgreSQL once. Each disruption is recorded with its times,
// because the availability invariant judges API answers by whether they fell inside a restart window.
import type { ChildProcess } from 'node:child_process';
import { sleep } from '../../test/support/timing';
import type { ChildHandle, Stack } from '../stack';
import type { Random } from './random';

export type DisruptionKind = 'worker-kill' | 'temporal-restart' | 'postgres-restart';

export interface PlannedDisruption {
  kind: DisruptionKind;
  /** Offset from the start of the load, ms. */
  atMs: number;
  /** How long the part stays down before it is started again. */
  downMs: number;
}

export interface DisruptionRecord extends PlannedDisruption {
  startedAt: number;
  /** When the part was serving again (the restart call returned, or the worker process was spawned). */
  endedAt: number;
}

export interface RestartWindow {
  kind: DisruptionKind;
  from: number;
  to: number;
}

export interface DisruptionPlanOptions {
  loadMs: number;
  workerKills: number;
  restartTemporal: boolean;
  restartPostgres: boolean;
  downMs: number;
}

/** Restarts at about 35 % and 65 % of the load; worker kills spread over the rest, clear of the restarts. */
export function planDisruptions(random: Random, options: DisruptionPlanOptions): PlannedDisruption[] {
  const { loadMs, downMs } = options;
  const plan: PlannedDisruption[] = [];
  if (options.restartTemporal) plan.push({ kind: 'temporal-restart', atMs: Math.round(loadMs * random.between(0.3, 0.4)), downMs });
  if (options.restartPostgres) plan.push({ kind: 'postgres-restart', atMs: Math.round(loadMs * random.between(0.6, 0.7)), downMs });
  const restarts = plan.map((p) => p.atMs);
  const clearance = Math.min(10_000, loadMs / 10);
  for (let i = 0; i < options.workerKills; i += 1) {
    // Evenly spaced slots with jitter, so kills neither bunch up nor all miss the busy middle.
    const slot = loadMs / (options.workerKills + 1);
    let atMs = Math.round(slot * (i + 1) + random.between(-slot / 4, slot / 4));
    for (const r of restarts) if (Math.abs(atMs - r) < clearance) atMs = r + (atMs < r ? -clearance : clearance + downMs);
    plan.push({ kind: 'worker-kill', atMs: Math.max(0, atMs), downMs: random.int(500, 3_000) });
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

/** The windows inside which a 503 is the expected answer: from the stop until `graceMs` after the start. */
export function restartWindows(records: readonly DisruptionRecord[], graceMs: number): RestartWindow[] {
  return records.filter((r) => r.kind !== 'worker-kill').map((r) => ({ kind: r.kind, from: r.startedAt, to: r.endedAt + graceMs }));
}

export interface UnexpectedExit {
  name: string;
  at: number;
  exit: string;
}

/**
 * Keeps the worker and API processes running (the stack runs with restartChildren: false so that kills
 * are ours): a child that dies on its own is recorded and started again after a pause.
 */
export class ChildSupervisor {
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly ours = new WeakSet<ChildProcess>();
  private stopped = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly restartDelayMs = 2_000,
  ) {}

  watch(handle: ChildHandle): void {
    const proc = handle.process;
    if (!proc) return;
    proc.once('exit', (code, signal) => {
      if (this.stopped || this.ours.has(proc) || handle.process !== proc) return;
      const exit = signal ?? `code ${code}`;
      this.unexpectedExits.push({ name: handle.name, at: Date.now(), exit });
      this.log(`${handle.name} exited by itself (${exit}); starting it again in ${this.restartDelayMs / 1000} s`);
      setTimeout(() => {
        if (!this.stopped && handle.process === proc) this.start(handle);
      }, this.restartDelayMs).unref();
    });
  }

  /** Does nothing once stopped: a restart still pending when the run ends must not outlive the stack. */
  start(handle: ChildHandle): void {
    if (this.stopped) return;
    handle.start();
    this.watch(handle);
  }

  async kill(handle: ChildHandle, signal: NodeJS.Signals): Promise<void> {
    if (handle.process) this.ours.add(handle.process);
    await handle.kill(signal);
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Runs the plan against the stack, in time order, from `loadStartedAt`; resolves when the last one is done. */
export async function runDisruptions(
  stack: Stack,
  supervisor: ChildSupervisor,
  plan: readonly PlannedDisruption[],
  loadStartedAt: number,
  log: (line: string) => void,
  cancelled: () => boolean,
  /** A restart waits until the previous restart's window has closed, so every 503 belongs to one window. */
  windowGraceMs = 0,
  /** Told of each worker kill once the process is gone (the recovery probe starts from here). */
  onWorkerKilled?: (pid: number, killedAt: number) => void,
): Promise<DisruptionRecord[]> {
  const records: DisruptionRecord[] = [];
  let windowClosesAt = 0;
  for (const planned of plan) {
    const notBefore = planned.kind === 'worker-kill' ? 0 : windowClosesAt;
    await sleep(Math.max(0, loadStartedAt + planned.atMs - Date.now(), notBefore - Date.now()));
    if (cancelled()) break;
    const startedAt = Date.now();
    switch (planned.kind) {
      case 'worker-kill': {
        const worker = stack.workers[0]!;
        const pid = worker.process?.pid;
        log(`SIGKILL ${worker.name} (pid ${pid}); starting it again in ${(planned.downMs / 1000).toFixed(1)} s`);
        await supervisor.kill(worker, 'SIGKILL');
        if (pid !== undefined) onWorkerKilled?.(pid, startedAt);
        await sleep(planned.downMs);
        supervisor.start(worker);
        break;
      }
      case 'temporal-restart':
        log(`restarting the Temporal dev server (down ${planned.downMs / 1000} s)`);
        await stack.restartTemporal(planned.downMs);
        break;
      case 'postgres-restart':
        log(`restarting PostgreSQL (down ${planned.downMs / 1000} s)`);
        await stack.restartPostgres(planned.downMs);
        break;
    }
    const endedAt = Date.now();
    if (planned.kind !== 'worker-kill') windowClosesAt = endedAt + windowGraceMs;
    records.push({ ...planned, startedAt, endedAt });
    if (planned.kind !== 'worker-kill') log(`${planned.kind} done in ${((endedAt - startedAt) / 1000).toFixed(1)} s`);
  }
  return records;
}
