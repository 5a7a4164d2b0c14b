// The sales-order workflow's messages and their payload rules. Imported by the API (to signal and
// query) and by the workflow, so it depends on nothing but the definitions helpers: no zod, no Node.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelKind } from '../domain/sales-order';
import type { SalesOrderStatus } from '../domain/statuses';
import { TASK_QUEUES } from './task-queues';

export type { CancelKind };

/**
 * A cancel message as sent by the API or typed into the Temporal UI/CLI. `requestId` is how the sender
 * finds the verdict in Postgres; a UI sender may leave it out and the workflow derives one.
 */
export interface CancelRequestPayload {
  reason: string;
  actor: { role: string };
  requestId?: string;
  /** Set by the HTTP API; absent when an operator types the signal into the Temporal UI/CLI. */
  via?: 'api';
}

/** 打回审核: back to review, cancelling at JD first when JD has the order. */
export const sendBackSignal = defineSignal<[CancelRequestPayload]>('sendBack');
/** The buyer was refunded: the order must never ship, so it is cancelled at JD and in the ERP. */
export const buyerRefundSignal = defineSignal<[CancelRequestPayload]>('buyerRefund');

export const CANCEL_SIGNALS: Record<CancelKind, typeof sendBackSignal> = { sendBack: sendBackSignal, buyerRefund: buyerRefundSignal };

/**
 * How a cancel request ended.
 * - CANCELLED_AT_JD: JD confirmed the cancel; the order is back in REVIEW (send-back) or CANCELLED (refund).
 * - BACK_TO_REVIEW: back in REVIEW without a JD call (JD never had a live order for this push).
 * - CANCELLED_IN_ERP: cancelled without a JD call, for the same reason.
 * - REFUSED_BY_JD: JD refused (picked or further); the order stays WMS_PICKING and will ship.
 * - ALREADY_SHIPPED / ALREADY_CANCELLED: too late, or already done by an earlier request.
 */
export const CANCEL_VERDICTS = ['CANCELLED_AT_JD', 'BACK_TO_REVIEW', 'CANCELLED_IN_ERP', 'REFUSED_BY_JD', 'ALREADY_SHIPPED', 'ALREADY_CANCELLED'] as const;
export type CancelVerdict = (typeof CANCEL_VERDICTS)[number];

/** A validated request inside the workflow. */
export interface CancelRequest {
  requestId: string;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  /** `api` when the request came with an id from the HTTP API, `temporal` for one typed in the UI/CLI. */
  source: 'api' | 'temporal';
  statusAtRequest: SalesOrderStatus;
}

export interface CancelOutcome {
  verdict: CancelVerdict;
  /** The order's status after the decision. */
  status: SalesOrderStatus;
  /** JD's own words when JD was asked. */
  jdMessage?: string;
}

/** What the `status` query answers. No consignee data: the Temporal UI shows it to every operator. */
export interface SalesOrderWorkflowState {
  orderNo: string;
  revision: number;
  status: SalesOrderStatus;
  eclpSoNo?: string;
  jdWarehouseNo?: string;
  wayBill?: string;
  failureReason?: string;
  /** Requests taken in and not yet decided (held while PUSHING). */
  pendingCancels: Array<Pick<CancelRequest, 'requestId' | 'kind' | 'statusAtRequest'>>;
  /** The last cancel JD refused: the order will ship despite it. */
  lastCancelRefusal?: { requestId: string; kind: CancelKind; jdMessage?: string };
  /** Signals dropped because their payload was malformed (each is also logged). */
  ignoredSignals: number;
  /** How this run follows JD (`poll` too for runs started before sweeping existed). */
  tracking: SalesOrderTrackingMode;
  /** JD's status code as the sweeper last reported it (sweep mode; poll mode learns it only at the end). */
  jdStatus?: string;
}

export const salesOrderStatusQuery = defineQuery<SalesOrderWorkflowState>('status');

const MAX_REASON = 200;
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9:#._-]{0,99}$/;

export type PayloadCheck = { ok: true; value: CancelRequestPayload } | { ok: false; problem: string };

/**
 * Hand-written check of a signal payload (the workflow sandbox has no zod). Anyone with access to the
 * Temporal UI can send anything, so every field is checked and the answer names what was wrong.
 */
export function checkCancelPayload(raw: unknown): PayloadCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'the payload must be a JSON object like {"reason":"…","actor":{"role":"operator"}}' };
  }
  const { reason, actor, requestId, via } = raw as Record<string, unknown>;
  if (typeof reason !== 'string' || reason.trim() === '') return { ok: false, problem: 'reason must be a non-empty string' };
  if (reason.length > MAX_REASON) return { ok: false, problem: `reason must be at most ${MAX_REASON} characters` };
  if (typeof actor !== 'object' || actor === null) return { ok: false, problem: 'actor must be an object like {"role":"operator"}' };
  const role = (actor as Record<string, unknown>).role;
  if (typeof role !== 'string' || !/^[a-z][a-z-]{0,29}$/.test(role)) return { ok: false, problem: 'actor.role must be a lower-case role name such as "operator"' };
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) {
    return { ok: false, problem: 'requestId, when given, must be 1–100 letters, digits or ":#._-"' };
  }
  if (via !== undefined && via !== 'api') return { ok: false, problem: 'via, when given, must be "api"' };
  const value: CancelRequestPayload = { reason: reason.trim(), actor: { role } };
  if (typeof requestId === 'string') value.requestId = requestId;
  if (via === 'api') value.via = via;
  return { ok: true, value };
}

// ---- following JD's progress (SO_TRACKING, docs/sales-orders.md) --------------------------------

/**
 * How a run learns what JD did with its order: `poll` asks JD about this one order every poll interval;
 * `sweep` waits for the warehouse's sweeper (one batched JD call per 100 open orders) to tell it.
 */
export const SALES_ORDER_TRACKING_MODES = ['poll', 'sweep'] as const;
export type SalesOrderTrackingMode = (typeof SALES_ORDER_TRACKING_MODES)[number];

/** What the sweeper tells an order's workflow when JD's status of the order changed. */
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

export type JdStatusCheck = { ok: true; value: JdStatusChangedPayload } | { ok: false; problem: string };

export function checkJdStatusPayload(raw: unknown): JdStatusCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'the payload must be a JSON object like {"jdStatus":"10019","settled":true}' };
  }
  const { jdStatus, settled } = raw as Record<string, unknown>;
  if (typeof jdStatus !== 'string' || !/^\d{1,12}$/.test(jdStatus)) return { ok: false, problem: 'jdStatus must be a JD status code such as "10019"' };
  if (typeof settled !== 'boolean') return { ok: false, problem: 'settled must be true or false' };
  return { ok: true, value: { jdStatus, settled } };
}

// ---- the warehouse sweeper (workflows/sweeper.ts) -----------------------------------------------

export const SWEEPER_WORKFLOW_TYPE = 'warehouseSweeper';

/**
 * `SWEEP:{jdWarehouseNo}`; deployments (and test files) on their own task-queue pair read their own
 * database, so each gets its own sweeper: `SWEEP:{jdWarehouseNo}@{erpQueue}`.
 */
export function sweeperWorkflowId(jdWarehouseNo: string, erpTaskQueue: string = TASK_QUEUES.erp): string {
  return erpTaskQueue === TASK_QUEUES.erp ? `SWEEP:${jdWarehouseNo}` : `SWEEP:${jdWarehouseNo}@${erpTaskQueue}`;
}

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
