// Baseline workflows, bundled for the bench's own in-process worker (never for the production worker).
// (a) salesOrderShapeNoop: the salesOrder saga's shape — the same activities on the same two queues
//     with the same timeouts and retry policies, the same search-attribute upserts, retry-policy
//     polling — but every activity returns at once. What it costs is what Temporal itself costs.
// (b) timerLoopPolling: polling as in the common samples, `for (;;) { poll; sleep }`, whose history
//     grows with every poll.
import { ApplicationFailure, proxyActivities, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';
import { DocStatus, DocType, EclpDocNo, ErpDocNo, StatusSince, WarehouseNo } from '../../workflows/search-attributes';
import { eclpQueueOf } from '../../workflows/task-queues';

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
  // Options copied from workflows/sales-order.ts: the shape is the point of this baseline.
  const erp = proxyActivities<BaselineActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const erpWebhook = proxyActivities<BaselineActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  });
  const taskQueue = eclpQueueOf(workflowInfo().taskQueue);
  const jdCalls = proxyActivities<BaselineActivities>({
    taskQueue,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  const jdPoll = proxyActivities<BaselineActivities>({
    taskQueue,
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: polling.maxWaitMs,
    retry: { initialInterval: polling.intervalMs, backoffCoefficient: 1, maximumInterval: polling.intervalMs },
  });

  const known: { eclpSoNo?: string; jdWarehouseNo?: string } = {};
  const publish = (status: string, statusChanged: boolean) =>
    upsertSearchAttributes([
      { key: DocStatus, value: status },
      ...(statusChanged ? [{ key: StatusSince, value: new Date() }] : []),
      ...(known.eclpSoNo !== undefined ? [{ key: EclpDocNo, value: known.eclpSoNo }] : []),
      ...(known.jdWarehouseNo !== undefined ? [{ key: WarehouseNo, value: known.jdWarehouseNo }] : []),
    ]);

  upsertSearchAttributes([
    { key: DocType, value: BASELINE_DOC_TYPE },
    { key: ErpDocNo, value: orderNo },
  ]);
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
