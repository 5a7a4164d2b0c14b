// The warehouse sweeper's contract (workflows/sweeper.ts): its input, the totals it carries over
// continue-as-new, and what its `status` query answers. Sales orders and purchase orders are counted
// apart: the sales-order figures mean what they meant before POs were swept.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PayloadCheck } from './cancel';

export interface SweeperTotals {
  /** Runs finished by continue-as-new before the current one. */
  runs: number;
  sweeps: number;
  /** `order.ext.queryOrder` calls (each about up to 100 orders). */
  jdCalls: number;
  /** Batches JD did not answer within the sweep's patience; their orders are asked again next sweep. */
  failedJdCalls: number;
  /** `queryPoOrder` calls (each about up to 100 POs); absent before the sweeper swept POs. */
  purchaseOrderJdCalls?: number;
  /** PO batches JD did not answer within the sweep's patience. */
  failedPurchaseOrderJdCalls?: number;
  /** `jdStatusChanged` signals delivered (to sales-order and PO runs). */
  signals: number;
  /** Changes not told because the run had closed meanwhile (it shipped, was received or cancelled by its own check). */
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
    /** poOrderNo → JD's status and quantities last seen (a fingerprint), for the POs still open. */
    purchaseOrders?: { lastSeen: Record<string, string> };
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
  /** The POs of the sweep (absent in runs from before the sweeper swept POs). */
  purchaseOrders?: PurchaseOrderSweepReport;
}

export interface PurchaseOrderSweepReport {
  /** POs JD holds open (WAITING_INBOUND, PARTIALLY_RECEIVED) at the warehouse. */
  openPurchaseOrders: number;
  /** `queryPoOrder` calls. */
  jdCalls: number;
  failedJdCalls: number;
  /** POs whose runs were told: JD's quantities or status moved and there is something to book or end on. */
  changed: number;
  /** The open POs could not be read from Postgres: nothing was asked or forgotten this time. */
  skipped?: string;
}

export interface SweeperState {
  jdWarehouseNo: string;
  intervalMs: number;
  sweepsInRun: number;
  /** Open orders whose JD status the sweeper remembers. */
  tracked: number;
  /** Open POs whose JD status and quantities the sweeper remembers (absent before it swept POs). */
  trackedPurchaseOrders?: number;
  totals: SweeperTotals;
  /** Totals plus the current run's history length: what the sweeper cost Temporal so far. */
  historyEventsSoFar: number;
  lastSweep?: SweepReport;
}

export const sweeperStatusQuery = defineQuery<SweeperState>('status');

// ---- the sweeper's word to a document's run (SO_TRACKING=sweep, docs/sales-orders.md) ----------------

/** What the sweeper tells a document's workflow when JD's status of the document changed. */
export interface JdStatusChangedPayload {
  /** JD's sales-outbound status code as `order.ext.queryOrder` reports it (`mainStatus`), e.g. "10019". */
  jdStatus: string;
  /** Shipped, delivered, returning or cancelled: the workflow asks JD once for the details. */
  settled: boolean;
}

/**
 * Sent by the sweeper of the order's JD warehouse. An operator may send it from the Temporal UI too:
 * `{"jdStatus":"10019","settled":true}` makes a waiting run look at JD at once.
 */
export const jdStatusChangedSignal = defineSignal<[JdStatusChangedPayload]>('jdStatusChanged');

export function checkJdStatusPayload(raw: unknown): PayloadCheck<JdStatusChangedPayload> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'the payload must be a JSON object like {"jdStatus":"10019","settled":true}' };
  }
  const { jdStatus, settled } = raw as Record<string, unknown>;
  if (typeof jdStatus !== 'string' || !/^\d{1,12}$/.test(jdStatus)) return { ok: false, problem: 'jdStatus must be a JD status code such as "10019"' };
  if (typeof settled !== 'boolean') return { ok: false, problem: 'settled must be true or false' };
  return { ok: true, value: { jdStatus, settled } };
}
