// Baseline workflows, bundled for the bench's own in-process worker (never for the production worker).
// (a) salesOrderShapeNoop: the salesOrder saga's shape — the same activities on the same two queues
//     with the same timeouts and retry policies, the same search-attribute upserts, retry-policy
//     polling — but every activity returns at once. What it costs is what Temporal itself costs.
//     It follows the saga's current shape (since PUSH_IN_ONE_STEP_PATCH), not the old runs'.
// (b) timerLoopPolling: polling as in the common samples, `for (;;) { poll; sleep }`, whose history
//     grows with every poll.
import { ApplicationFailure, patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { ERP_ACTIVITY_OPTIONS, WEBHOOK_ACTIVITY_OPTIONS, jdCallOptions, jdPollOptions } from '../../workflows/saga/activity-options';
import { publishStatus } from '../../workflows/saga/visibility';
import { PUSH_IN_ONE_STEP_PATCH } from '../../workflows/sales-order';
import type { BaselineActivities } from './activities';

export interface SameShapeInput {
  orderNo: string;
  revision: number;
  polling: { intervalMs: number; maxWaitMs: number };
  /** JD "ships" this long after the no-op push accepted the order, or at this poll. */
  shipAfter: { ms: number } | { polls: number };
}

export interface BaselineResult {
  /** Poll attempts until the outcome. */
  polls: number;
}

/** The DocType baseline runs carry, so they never show up among real documents in the Temporal UI. */
export const BASELINE_DOC_TYPE = 'BENCH';

export async function salesOrderShapeNoop(input: SameShapeInput): Promise<BaselineResult> {
  const { orderNo, revision, polling } = input;
  // The saga's own activity options (workflows/saga/activity-options.ts): the shape is the point of
  // this baseline, so it cannot drift from what the saga really asks of Temporal.
  const erpQueue = workflowInfo().taskQueue;
  const erp = proxyActivities<BaselineActivities>(ERP_ACTIVITY_OPTIONS);
  const erpWebhook = proxyActivities<BaselineActivities>(WEBHOOK_ACTIVITY_OPTIONS);
  const jdCalls = proxyActivities<BaselineActivities>(jdCallOptions(erpQueue, [FAILURE_TYPES.salesOrderNotPushable]));
  const jdPoll = proxyActivities<BaselineActivities>(jdPollOptions(erpQueue, polling));

  const known: { eclpSoNo?: string; jdWarehouseNo?: string } = {};
  const publish = (status: string, changed: boolean) => publishStatus({ status, changed, eclpDocNo: known.eclpSoNo, jdWarehouseNo: known.jdWarehouseNo });

  // The saga's shape since PUSH_IN_ONE_STEP_PATCH, its patch marker included (one event the server
  // stores for ours as well): the start carries the search attributes, one step claims, checks, pushes
  // and records WMS_PICKING.
  if (!patched(PUSH_IN_ONE_STEP_PATCH)) throw ApplicationFailure.nonRetryable('a new run always takes the patched branch');
  const pushed = await jdCalls.pushSalesOrder(orderNo, revision);
  known.eclpSoNo = pushed.eclpSoNo;
  known.jdWarehouseNo = pushed.jdWarehouseNo;
  publish('WMS_PICKING', true);
  const outcome = await jdPoll.awaitSalesOrderOutcome('ms' in input.shipAfter ? { readyAt: pushed.acceptedAt + input.shipAfter.ms } : { readyAtPoll: input.shipAfter.polls });
  await erp.recordSalesOrderShipped(orderNo, revision);
  publish('SHIPPED', true);
  await erpWebhook.deliverWebhook(orderNo);
  return { polls: outcome.polls };
}

export interface TimerLoopInput {
  /** The outcome is there at this poll. */
  readyAtPoll: number;
  pollIntervalMs: number;
}

export async function timerLoopPolling(input: TimerLoopInput): Promise<BaselineResult> {
  const { pollOnce } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });
  for (let polls = 1; ; polls++) {
    if (await pollOnce({ readyAtPoll: input.readyAtPoll }, polls)) return { polls };
    await sleep(input.pollIntervalMs);
  }
}
