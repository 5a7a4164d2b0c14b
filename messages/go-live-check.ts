// The go-live check's contract (推单测试, workflows/go-live-check.ts): its input, result and the `status`
// query, with the words its steps are recorded under. Imported by client/, the workflow and its
// activities, so it depends on nothing but the definition helpers.
import { defineQuery } from '@temporalio/workflow';
import type { SalesOrderPolling, SalesOrderTracking } from './sales-order';

export const GO_LIVE_CHECK_STATUSES = ['RUNNING', 'PASSED', 'FAILED'] as const;
export type GoLiveCheckStatus = (typeof GO_LIVE_CHECK_STATUSES)[number];

/** The steps a check records, in order; `test_order` once per SKU (its subject is the order number). */
export const GO_LIVE_STEPS = ['master_data', 'goods', 'test_order'] as const;
export type GoLiveStep = (typeof GO_LIVE_STEPS)[number];
export type GoLiveStepOutcome = 'PASSED' | 'FAILED';

export interface GoLiveStepRecord {
  step: GoLiveStep;
  /** '' for the check as a whole; the order number for a test order. */
  subject: string;
  outcome: GoLiveStepOutcome;
  /** What was found, with JD's words where JD said something. */
  detail: string;
  jdMessage?: string;
  /** The JD number the step saw (a test order's eclpSoNo). */
  jdDocNo?: string;
}

export interface GoLiveCheckInput {
  checkId: string;
  /** How the test orders' sales-order runs poll JD (the API's SO settings, as an approval passes them). */
  salesOrder: { polling: SalesOrderPolling; tracking?: SalesOrderTracking };
  /**
   * How often the check looks for each test order's cancel verdict in Postgres, and how long it waits
   * for all of them before the step fails (the refund stays with the order's run either way).
   */
  verdictPolling: { intervalMs: number; maxWaitMs: number };
}

/** One test order as the check knows it. */
export interface GoLiveTestOrder {
  orderNo: string;
  sku: string;
  revision: number;
  workflowId: string;
  /** The cancel request the check sent (a buyer refund), by which its verdict is found. */
  requestId: string;
}

/** What the check read about a test order once its cancel was decided (or the order ended without it). */
export interface GoLiveTestOrderVerdict {
  orderNo: string;
  /** The cancel verdict (domain/cancel.ts), or null when the order ended without one. */
  verdict: string | null;
  status: string;
  eclpSoNo: string | null;
  jdMessage: string | null;
  failureReason: string | null;
}

export interface GoLiveCheckResult {
  checkId: string;
  status: Exclude<GoLiveCheckStatus, 'RUNNING'>;
  steps: GoLiveStepRecord[];
}

/** What the `status` query answers: no consignee data (the Temporal UI shows it to every operator). */
export interface GoLiveCheckState {
  checkId: string;
  status: GoLiveCheckStatus;
  /** The step running now, while RUNNING. */
  current?: GoLiveStep | 'finishing';
  steps: GoLiveStepRecord[];
  orders: Array<GoLiveTestOrder & { verdict?: string | null; eclpSoNo?: string | null }>;
}

export const goLiveCheckStatusQuery = defineQuery<GoLiveCheckState>('status');

/** The verdict poll's "not decided yet": expected, so BENIGN; Temporal asks again. */
export const GO_LIVE_FAILURE_TYPES = {
  verdictPending: 'GoLiveTestOrderVerdictPending',
  /** The check's row is missing or not RUNNING any more: nothing to do, do not retry. */
  checkNotRunning: 'GoLiveCheckNotRunning',
  /** The sales-order code refused a test order (an order number taken by another order, master data gone): final. */
  testOrderRefused: 'GoLiveTestOrderRefused',
} as const;

/** The test orders' numbers: `GLT-{first 12 hex digits of the check id}-{n}`, n from 1 in SKU order. */
export function goLiveTestOrderNo(checkId: string, n: number): string {
  return `GLT-${checkId.replace(/-/g, '').slice(0, 12).toUpperCase()}-${n}`;
}

/** The buyer refund the check sends to test order `orderNo` (a valid cancel request id). */
export function goLiveRefundRequestId(checkId: string, orderNo: string): string {
  return `GOLIVE:${checkId}#${orderNo}`;
}
