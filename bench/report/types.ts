// The JSON the bench writes under bench/results/ (schema `eclp-bridge/bench@1`). Every figure of ours
// sits next to the baseline it is compared with; ratios are ours / baseline (null when not measured).
import type { Distribution } from '../metrics';
import type { HistoryResult, LoadResult } from '../phases';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export interface PerMilestone<T> {
  accepted: T;
  done: T;
}

export interface TargetCheck {
  name: string;
  target: string;
  value: number | null;
  met: boolean | null;
  /** What the measurement says limits the figure (the busiest process, how busy the machine was). */
  bound?: string;
}

export interface ResourceReport {
  /** CPU seconds per 1,000 documents in the saturation phase, per process role. */
  cpuSecondsPer1000: { ours: Record<string, number | null>; baselineA: Record<string, number | null> };
  /** Our worker + API against the bench process running baseline (a)'s worker and starter. */
  cpuRatio: number | null;
  /** Highest resident set sampled (every 500 ms) during the load phases of the 1-worker stack, MiB. */
  peakRssMiB: Record<string, number | null>;
  /** The kernel's high-water mark (VmHWM) of the role's main process over its life, start-up included, MiB (not for PostgreSQL). */
  highWaterMarkMiB: Record<string, number | null>;
  /** Share of all cores busy during the saturation phases, 0..1. */
  systemBusy: { ours: number | null; baselineA: number | null };
}

export interface JdCallReport {
  pollIntervalMs: number;
  doneAfterMs: number;
  /** JD calls per document by method, per phase, and the minimum that notices JD's outcome within one poll interval. */
  byMethod: Array<{ method: string; saturation: number | null; fixedRate: number | null; minimum: number }>;
  totalPerOrder: { saturation: number | null; fixedRate: number | null; minimum: number };
  ratioToMinimum: number | null;
  /** How late JD's outcome was noticed (done − accepted − JD's delay), per phase, ours and baseline (a). */
  detectionLagMs: {
    saturation: { ours: Distribution | null; baselineA: Distribution | null };
    fixedRate: { ours: Distribution | null; baselineA: Distribution | null };
  };
}

/**
 * What one document costs, in the same run as baseline (a) (issue 13 item 1). Keys are stable so runs can
 * be compared. CPU is taken at saturation (all processes: Temporal, worker, API, PostgreSQL and the bench
 * process, which runs the simulator and the load for ours and the no-op worker for (a)); the latency at the
 * fixed rate; history events when JD's outcome is there at the first poll; database round trips are every
 * statement the worker and API sent during ours' saturation phase, per document (create → shipped).
 */
export interface CostReport {
  cpuMsPerOrder: number | null;
  cpuMsPerOrderNoop: number | null;
  cpuRatioVsNoop: number | null;
  /** CPU ms per document by process role, ours and (a). */
  cpuMsPerOrderByProcess: { ours: Record<string, number>; baselineA: Record<string, number> };
  dbRoundTripsPerOrder: number | null;
  dbRoundTripsPerOrderByProcess: Record<string, number>;
  /** Round trips per document by statement (bind parameters as $n), most frequent first. */
  dbRoundTripsPerOrderByStatement: Array<{ statement: string; perOrder: number }>;
  historyEventsPerOrder: number | null;
  historyEventsPerOrderNoop: number | null;
  p99ApproveToPickingMs: number | null;
  p99ApproveToPickingMsNoop: number | null;
  p99RatioVsNoop: number | null;
}

export interface DocTypeReport {
  title: string;
  milestones: { accepted: string; done: string };
  throughput: { ours: PerMilestone<number | null>; baselineA: PerMilestone<number | null>; ratio: PerMilestone<number | null> };
  latency: {
    fixedRate: { offeredPerSecond: number | null; ours: Distribution | null; baselineA: Distribution | null; ratio: { p50: number | null; p95: number | null; p99: number | null } };
    saturation: { window: number; ours: Distribution | null; baselineA: Distribution | null; ratio: { p50: number | null; p95: number | null; p99: number | null } };
    /** approve → done at saturation (includes JD's configured delay). */
    doneAtSaturation: Distribution | null;
    /** How long the approve request itself took at saturation. */
    approveRequestMs: Distribution | null;
  };
  jdCalls: JdCallReport;
  history: (HistoryResult & { growth: number | null; ratioToTimerLoop: number | null }) | null;
  resources: ResourceReport;
  cost: CostReport;
  scaleOut: {
    workers: number;
    throughput: PerMilestone<number | null>;
    ratio: PerMilestone<number | null>;
    latency: Distribution | null;
    cpuSecondsPer1000: Record<string, number | null>;
    systemBusy: number | null;
  } | null;
  /** Every phase as measured (series for the chart included). */
  phases: Array<LoadResult & { stack: string }>;
}

export interface ScenarioReport {
  title: string;
  status: 'ok' | 'unavailable' | 'skipped' | 'failed';
  result?: unknown;
  rows?: string[][];
  error?: string;
}

export interface BenchReport {
  schema: 'eclp-bridge/bench@1';
  command: string;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: MachineInfo;
  mode: 'embedded' | 'attached';
  config: Record<string, unknown>;
  documentTypes: Record<string, DocTypeReport>;
  targets: TargetCheck[];
  scenarios: Record<string, ScenarioReport>;
  /** Documents that never finished, phases that failed: the run is not trustworthy when this is not empty. */
  problems: string[];
  /** Conditions that skew the figures without invalidating the run (other jobs using the CPU). */
  warnings: string[];
  files: { json: string; chart: string | null };
}
