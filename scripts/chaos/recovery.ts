// How long a SIGKILLed worker holds up the documents it was working on (issue 13 item 3: ≤ 15 s).
//
// Definition. At a kill, a document was being worked on when its run had (a) an activity attempt started
// by the killed worker (its identity `pid@host`) and not finished, or (b) a workflow task scheduled or
// started before the kill and not completed. It has recovered when every such activity has either closed
// or had a later attempt finish on another worker (a poll's "not yet" counts: the poll has moved on), and
// the run has no workflow task waiting any more (the saga took its next decision — a task stuck on the
// dead worker's sticky queue counts as not recovered). Recovery time is from the kill to the first
// describe() that shows this; describes are taken every `sampleMs`, so times are late by up to that much.
// Runs read from Temporal itself (describe per workflow id), not from the operation log, because a
// poll's progress and a pending workflow task leave no log line.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sleep } from '../../test/support/timing';

const { PendingActivityState } = temporal.api.enums.v1;

type Described = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>;
type PendingActivity = NonNullable<Described['raw']['pendingActivities']>[number];

export interface DocumentRecovery {
  workflowId: string;
  /** What was in flight at the kill, e.g. `activity ensureSalesOrderAtJd`, `workflow task`. */
  inFlight: string[];
  /** From the kill to the first sample that showed the document moving on; undefined: never within the probe's limit. */
  recoveredMs?: number;
}

export interface KillRecovery {
  killedAt: number;
  pid: number;
  documents: DocumentRecovery[];
}

export interface RecoverySummary {
  definition: string;
  kills: Array<{ killedAt: number; documents: number; p50Seconds?: number; p95Seconds?: number; maxSeconds?: number; notRecovered: number; /** The three slowest, with what they had in flight. */ slowest: string[] }>;
  /** Over every document of every kill; undefined when no kill caught a document in flight. */
  recoverySecondsP95?: number;
  recoverySecondsMax?: number;
  documents: number;
  notRecovered: number;
}

export const RECOVERY_DEFINITION =
  'from the SIGKILL until every document the worker had in flight (an activity attempt it had started, a workflow task due) has had that activity close or a later attempt finish elsewhere, and has no workflow task waiting';

interface Tracked {
  workflowId: string;
  runId: string;
  /** activityId → attempt number the killed worker was running. */
  activities: Map<string, number>;
  inFlight: string[];
  recoveredMs?: number;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined =>
  t?.seconds == null ? undefined : Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);

/** Samples the runs the killed worker was working on until each has moved on (or `limitMs` has passed). */
export class RecoveryProbe {
  private readonly probes: Array<Promise<KillRecovery>> = [];

  constructor(
    private readonly temporal: Client,
    private readonly log: (line: string) => void,
    private readonly options: { sampleMs?: number; limitMs?: number; parallel?: number } = {},
  ) {}

  /** Call right after the kill (the process has exited). Failures are logged, never thrown into the run. */
  killed(pid: number, killedAt: number): void {
    const probe = this.follow(pid, killedAt).catch((err: unknown) => {
      this.log(`recovery probe after the kill of pid ${pid} failed: ${(err as Error).message}`);
      return { killedAt, pid, documents: [] };
    });
    this.probes.push(probe);
  }

  async results(): Promise<KillRecovery[]> {
    return Promise.all(this.probes);
  }

  private async follow(pid: number, killedAt: number): Promise<KillRecovery> {
    const sampleMs = this.options.sampleMs ?? 500;
    const limitMs = this.options.limitMs ?? 180_000;
    const dead = `${pid}@`;
    const tracked = await this.inFlightAt(dead, killedAt);
    this.log(`kill of pid ${pid}: ${tracked.length} documents had work in flight on it`);
    let open = tracked.filter((t) => t.recoveredMs === undefined);
    while (open.length > 0 && Date.now() - killedAt < limitMs) {
      await this.each(open, async (t) => {
        const described = await this.describe(t.workflowId);
        if (described && this.movedOn(t, described, dead)) t.recoveredMs = Date.now() - killedAt;
      });
      open = tracked.filter((t) => t.recoveredMs === undefined);
      if (open.length > 0) await sleep(sampleMs);
    }
    return { killedAt, pid, documents: tracked.map(({ workflowId, inFlight, recoveredMs }) => ({ workflowId, inFlight, ...(recoveredMs !== undefined && { recoveredMs }) })) };
  }

  /** The open runs with an activity attempt of the dead worker unfinished, or a workflow task due since before the kill. */
  private async inFlightAt(dead: string, killedAt: number): Promise<Tracked[]> {
    const ids: string[] = [];
    for (let tries = 0; ; tries += 1) {
      try {
        ids.length = 0;
        for await (const info of this.temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) ids.push(info.workflowId);
        break;
      } catch (err) {
        if (tries >= 5) throw err;
        await sleep(500);
      }
    }
    const tracked: Tracked[] = [];
    await this.each(ids, async (workflowId) => {
      const d = await this.describe(workflowId);
      if (!d) return;
      const activities = new Map<string, number>();
      const inFlight: string[] = [];
      for (const a of d.raw.pendingActivities ?? []) {
        if (!a.lastWorkerIdentity?.startsWith(dead) || !a.activityId) continue;
        const running = a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED || a.state === PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED;
        // Already timed out and waiting for its retry (the snapshot came late): the dead attempt was the one before.
        const timedOut = !running && a.lastFailure?.timeoutFailureInfo != null;
        if (!running && !timedOut) continue;
        activities.set(a.activityId, (a.attempt ?? 1) - (running ? 0 : 1));
        inFlight.push(`activity ${a.activityType?.name ?? '?'}`);
      }
      const wft = d.raw.pendingWorkflowTask;
      if (wft && (ms(wft.scheduledTime) ?? Infinity) < killedAt) inFlight.push('workflow task');
      if (inFlight.length > 0) tracked.push({ workflowId, runId: d.runId, activities, inFlight });
    });
    return tracked;
  }

  private movedOn(t: Tracked, d: Described, dead: string): boolean {
    if (d.runId !== t.runId || d.status.name !== 'RUNNING') return true;
    const pending = new Map((d.raw.pendingActivities ?? []).map((a) => [a.activityId ?? '', a] as [string, PendingActivity]));
    for (const [activityId, attempt] of t.activities) {
      const a = pending.get(activityId);
      if (!a) continue; // closed
      const laterAttemptFinished = (a.attempt ?? 0) > attempt && !a.lastWorkerIdentity?.startsWith(dead) && a.state === PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;
      if (!laterAttemptFinished) return false;
    }
    return !d.raw.pendingWorkflowTask;
  }

  private async describe(workflowId: string): Promise<Described | undefined> {
    try {
      return await this.temporal.workflow.getHandle(workflowId).describe();
    } catch {
      // Not found (closed and gone) or Temporal restarting: the next sample asks again.
      return undefined;
    }
  }

  private async each<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < items.length) await fn(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallel ?? 16, items.length) }, lane));
  }
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const secs = (v: number | undefined) => (v === undefined ? undefined : Math.round(v / 100) / 10);

/** Per kill and over all kills; a document that never recovered within the probe's limit counts as the limit in the percentiles. */
export function summarizeRecovery(kills: readonly KillRecovery[], limitMs = 180_000): RecoverySummary {
  const times = (docs: readonly DocumentRecovery[]) => docs.map((d) => d.recoveredMs ?? limitMs).sort((a, b) => a - b);
  const all = times(kills.flatMap((k) => k.documents));
  return {
    definition: RECOVERY_DEFINITION,
    kills: kills.map((k) => {
      const t = times(k.documents);
      return {
        killedAt: k.killedAt,
        documents: k.documents.length,
        p50Seconds: secs(percentile(t, 50)),
        p95Seconds: secs(percentile(t, 95)),
        maxSeconds: secs(t[t.length - 1]),
        notRecovered: k.documents.filter((d) => d.recoveredMs === undefined).length,
        slowest: [...k.documents]
          .sort((a, b) => (b.recoveredMs ?? limitMs) - (a.recoveredMs ?? limitMs))
          .slice(0, 3)
          .map((d) => `${d.workflowId} ${d.recoveredMs === undefined ? 'not recovered' : `${secs(d.recoveredMs)} s`} (${d.inFlight.join(', ')})`),
      };
    }),
    recoverySecondsP95: secs(percentile(all, 95)),
    recoverySecondsMax: secs(all[all.length - 1]),
    documents: all.length,
    notRecovered: kills.reduce((n, k) => n + k.documents.filter((d) => d.recoveredMs === undefined).length, 0),
  };
}
