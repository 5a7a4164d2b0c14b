// What the harness needs from a document type. Purchase orders and returns plug in by adding a driver
// (and, for baseline (a), a no-op workflow of their shape in bench/baselines/workflows.ts); the phases,
// metrics, report and chart stay as they are.
import type { Knex } from 'knex';
import type { TimelinePatch } from '../../simulator/timeline';
import type { ApiClient } from '../../test/support/api-client';
import type { SimControl } from '../../test/support/simulator';
import type { Submitted } from '../load';
import type { MilestoneSink } from '../milestones';

export interface DriverContext {
  api: ApiClient;
  /** The JD simulator's controls (timeline, manual moves, counters). */
  sim: SimControl;
  /** The system's PostgreSQL (read-only use: milestones). */
  db: Knex;
  /** Short id of this bench run; master data codes and document numbers carry it. */
  runId: string;
  log(line: string): void;
}

/** How JD and the saga are set up for a phase: JD finishes a document this long after accepting it. */
export interface PollingSetup {
  pollIntervalMs: number;
  doneAfterMs: number;
  /** The history phase's variant: JD finishes once the document has been polled this often (baselines only). */
  doneAfterPolls?: number;
}

export interface BaselineShape {
  /** A workflow of bench/baselines/workflows.ts with the same activities, queues and timeouts, doing nothing. */
  workflowType: string;
  input(docNo: string, setup: PollingSetup): unknown;
}

export interface BenchDriver {
  /** Key in the report (`sales-order`). */
  name: string;
  /** For the table and the chart (ASCII: the chart font has no CJK glyphs). */
  title: string;
  /** `accepted`: JD has the document (the latency target's end); `done`: the saga's business end. */
  milestones: { accepted: string; done: string };
  /** The API's environment variable that sets the JD status poll interval of new documents. */
  pollIntervalEnv: string;
  /** The JD method the saga polls with: its count per document is the poll count. */
  pollMethod: string;
  docNo(runId: string, phase: string, index: number): string;
  workflowId(docNo: string): string;
  /** Master data the documents need, through the API; idempotent. */
  prepare(ctx: DriverContext): Promise<void>;
  /** Creates one document and approves it; `approvedAt` is when the approve request was sent. */
  submit(ctx: DriverContext, docNo: string): Promise<Submitted>;
  /** Reports milestones as the system records them until the returned stop() is called. */
  watch(ctx: DriverContext, sink: MilestoneSink): () => Promise<void>;
  /** Simulator timeline under which JD finishes a document `doneAfterMs` after accepting it; null = only by hand. */
  timeline(doneAfterMs: number | null): TimelinePatch;
  /** Makes JD finish the document now (the simulator's manual move), for `timeline(null)`. */
  finishAtJd(ctx: DriverContext, docNo: string): Promise<void>;
  /** The fewest JD calls per document, by method, that notice JD's outcome within one poll interval. */
  minimumJdCalls(setup: PollingSetup): Record<string, number>;
  baseline: BaselineShape;
}
