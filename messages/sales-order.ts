// The sales-order workflow's contract: its input and result, the signals it takes and the query it
// answers, with their payload rules. Imported by client/ (to start, signal and query), the workflow and
// its activities, so it depends on nothing but the definition helpers: no zod, no Node.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelKind } from '../domain/sales-order';
import type { SalesOrderStatus } from '../domain/statuses';
import type { CancelOutcome, CancelRequest, CancelRequestPayload } from './cancel';

export interface SalesOrderPolling {
  /** Time between two queryOrder calls while JD works on the order. */
  intervalMs: number;
  /** After this long without an outcome the wait is logged as overdue (and goes on: JD still has the order). */
  maxWaitMs: number;
  /** ECLP_TIMEOUT_MS: the JD activities' timeouts are sized from it; absent (runs started before, the default) = 10 s. */
  jdCallTimeoutMs?: number;
}

/**
 * How a run learns what JD did with its order (SO_TRACKING): `poll` asks JD about this one order every
 * poll interval; `sweep` waits for the warehouse's sweeper (one batched JD call per 100 open orders) to
 * tell it, and asks JD itself every `safetyPollIntervalMs` in case no sweeper is running.
 */
export const SALES_ORDER_TRACKING_MODES = ['poll', 'sweep'] as const;
export type SalesOrderTrackingMode = (typeof SALES_ORDER_TRACKING_MODES)[number];
export type SalesOrderTracking = { mode: 'poll' } | { mode: 'sweep'; safetyPollIntervalMs: number };

export interface SalesOrderInput {
  orderNo: string;
  revision: number;
  /** From the API's configuration (workflow code cannot read the environment). */
  polling: SalesOrderPolling;
  /** Absent in runs started before sweeping existed, and by callers that do not care: poll. */
  tracking?: SalesOrderTracking;
}

export interface SalesOrderResult {
  orderNo: string;
  revision: number;
  status: SalesOrderStatus;
  eclpSoNo?: string;
  wayBill?: string;
  /** The order was not in review for this revision when the run began; it did nothing. */
  superseded?: boolean;
}

/** DocStatus while JD refused a cancel and the order will ship anyway (see docs/sales-orders.md). */
export const CANCEL_REFUSED_DOC_STATUS = 'WMS_PICKING_CANCEL_REFUSED';

// ---- cancel messages ------------------------------------------------------------------------------

export type { CancelKind };
export type SalesOrderCancelRequest = CancelRequest<CancelKind, SalesOrderStatus>;
export type SalesOrderCancelOutcome = CancelOutcome<SalesOrderStatus>;

/** 打回审核: back to review, cancelling at JD first when JD has the order. */
export const sendBackSignal = defineSignal<[CancelRequestPayload]>('sendBack');
/** The buyer was refunded: the order must never ship, so it is cancelled at JD and in the ERP. */
export const buyerRefundSignal = defineSignal<[CancelRequestPayload]>('buyerRefund');

/**
 * 挂起 (ECLP has none): held while PUSHING like a send-back, then cancelled at JD → HELD; JD refusing
 * answers like a refused cancel. A FAILED order is held without JD. The run ends at HELD; the release
 * (API) brings it back to review or pushes it again under the next revision.
 */
export const holdSignal = defineSignal<[CancelRequestPayload]>('hold');

export const SALES_ORDER_CANCEL_SIGNALS: Record<CancelKind, typeof sendBackSignal> = { sendBack: sendBackSignal, buyerRefund: buyerRefundSignal, hold: holdSignal };

// ---- what the run knows -----------------------------------------------------------------------------

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
  pendingCancels: Array<Pick<SalesOrderCancelRequest, 'requestId' | 'kind' | 'statusAtRequest'>>;
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

// The sweeper's word moved to messages/sweeper.ts (purchase orders hear it too); re-exported for callers.
export { checkJdStatusPayload, jdStatusChangedSignal, type JdStatusChangedPayload } from './sweeper';
