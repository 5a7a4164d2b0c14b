// Baseline workflows, bundled for the bench's own in-process worker (never for the production worker).
// (a) salesOrderShapeNoop: the salesOrder saga's shape — the same activities on the same two queues
//     with the same timeouts and retry policies, the same search-attribute upserts, retry-policy
//     polling — but every activity returns at once. What it costs is what Temporal itself costs.
// (b) timerLoopPolling: polling as in the common samples, `for (;;) { poll; sleep }`, whose history
//     grows with every poll.
import { ApplicationFailure, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../messages/failure-types';
import { ERP_ACTIVITY_OPTIONS, WEBHOOK_ACTIVITY_OPTIONS, jdCallOptions, jdPollOptions } from '../../workflows/saga/activity-options';
import { identifyDocument, publishStatus } from '../../workflows/saga/visibility';
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

  identifyDocument(BASELINE_DOC_TYPE, orderNo);
  publish('PUSHING', true);
  const claim = await erp.claimSalesOrderPush(orderNo, revision);
  if (!claim.claimed) throw ApplicationFailure.nonRetryable('the no-op claim always succeeds');
  const preflight = await erp.preflightSalesOrder(orderNo, revision);
  known.jdWarehouseNo = preflight.jdWarehouseNo;
  publish('PUSHING', false);
  const pushed = await jdCalls.ensureSalesOrderAtJd(orderNo, revision);
  await erp.recordSalesOrderPushed(orderNo, revision);
  known.eclpSoNo = pushed.eclpSoNo;
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
