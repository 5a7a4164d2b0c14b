// The warehouse sweeper's contract (workflows/sweeper.ts): its input, the totals it carries over
// continue-as-new, and what its `status` query answers.
import { defineQuery } from '@temporalio/workflow';

export interface SweeperTotals {
  /** Runs finished by continue-as-new before the current one. */
  runs: number;
  sweeps: number;
  /** `order.ext.queryOrder` calls (each about up to 100 orders). */
  jdCalls: number;
  /** Batches JD did not answer within the sweep's patience; their orders are asked again next sweep. */
  failedJdCalls: number;
  /** `jdStatusChanged` signals delivered. */
  signals: number;
  /** Changes not told because the run had closed meanwhile (it shipped or was cancelled by its own check). */
  undeliveredSignals: number;
  /** History events of the finished runs (the current run's count is `workflowInfo().historyLength`). */
  historyEvents: number;
}

export interface SweeperInput {
  /** JD's warehouse number (`110000001`), not the ERP warehouse code. */
  jdWarehouseNo: string;
  /** Time between the starts of two sweeps. */
  intervalMs: number;
  /** Sweeps per run before continue-as-new keeps the history short (default 100). */
  sweepsPerRun?: number;
  /** Carried over continue-as-new; absent on a fresh start. */
  carried?: {
    /** isvUUID → the JD status last seen, for the orders still open. */
    lastSeen: Record<string, string>;
    totals: SweeperTotals;
  };
}

export interface SweepReport {
  /** Workflow time when the sweep began (ISO). */
  startedAt: string;
  durationMs: number;
  openOrders: number;
  jdCalls: number;
  failedJdCalls: number;
  /** Orders whose JD status moved (their runs were signalled; deliveries are counted in the totals). */
  changed: number;
  /** The open orders could not be read from Postgres: nothing was asked or forgotten this time. */
  skipped?: string;
}

export interface SweeperState {
  jdWarehouseNo: string;
  intervalMs: number;
  sweepsInRun: number;
  /** Open orders whose JD status the sweeper remembers. */
  tracked: number;
  totals: SweeperTotals;
  /** Totals plus the current run's history length: what the sweeper cost Temporal so far. */
  historyEventsSoFar: number;
  lastSweep?: SweepReport;
}

export const sweeperStatusQuery = defineQuery<SweeperState>('status');
