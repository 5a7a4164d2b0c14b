// Sales order saga (销售订单, DESIGN.md §3): pre-flight → push to JD → wait in WMS配货 until JD ships
// or cancels → book the shipment and tell the ERP. 打回审核 and buyer refunds arrive as signals at any
// point and are answered in every state; their verdicts are written to Postgres, where the API and
// the ERP read them. One run per push revision (workflow ID `SO:{orderNo}:{rev}`).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createEclpSalesOrderActivities, SalesOrderOutcome } from '../activities/eclp-sales-orders';
import type { createSalesOrderActivities, SalesOrderShippedData } from '../activities/erp-sales-orders';
import type { createWebhookActivities } from '../activities/webhook';
import type { FailureStage } from '../db/sales-orders';
import type { SalesOrderStatus } from '../domain/statuses';
import {
  buyerRefundSignal,
  checkCancelPayload,
  checkJdStatusPayload,
  jdStatusChangedSignal,
  salesOrderStatusQuery,
  sendBackSignal,
  type CancelKind,
  type CancelOutcome,
  type CancelRequest,
  type SalesOrderWorkflowState,
} from './sales-order-messages';
import { DocStatus, DocType, EclpDocNo, ErpDocNo, StatusSince, WarehouseNo } from './search-attributes';
import { eclpQueueOf } from './task-queues';

export interface SalesOrderPolling {
  /** Time between two queryOrder calls while JD works on the order. */
  intervalMs: number;
  /** After this long without an outcome the wait is logged as overdue (and goes on: JD still has the order). */
  maxWaitMs: number;
}

/**
 * How the run learns JD's outcome in WMS配货 (SO_TRACKING). `poll`: `queryOrder` every poll interval.
 * `sweep`: the warehouse sweeper signals `jdStatusChanged`; the run asks JD itself only when told the
 * order settled, and every `safetyPollIntervalMs` in case no sweeper is running.
 */
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

/** Mirror failure types of activities/ (workflow code may not import activity modules). */
const JD_REJECTIONS = ['EclpBusinessError', 'EclpValidationError'];
const NOT_PUSHABLE = 'SalesOrderNotPushable';
/** activities/eclp-sales-orders.ts SALES_ORDER_FAILURE_TYPES.notFinished: JD has not shipped or cancelled yet. */
const NOT_FINISHED = 'SalesOrderNotFinished';

const erp = proxyActivities<ReturnType<typeof createSalesOrderActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// The ERP may be down for a while; a day of retries, then the failure is logged on the order.
const erpWebhook = proxyActivities<ReturnType<typeof createWebhookActivities>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

type JdActivities = ReturnType<typeof createEclpSalesOrderActivities>;

function jdActivities(polling: SalesOrderPolling) {
  const taskQueue = eclpQueueOf(workflowInfo().taskQueue);
  return {
    calls: proxyActivities<JdActivities>({
      taskQueue,
      startToCloseTimeout: '1 minute',
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [...JD_REJECTIONS, NOT_PUSHABLE] },
    }),
    // Temporal's "infrequent polling": the retry policy is the poll loop, so the history stays a few
    // events long however many days JD takes.
    poll: proxyActivities<JdActivities>({
      taskQueue,
      startToCloseTimeout: '1 minute',
      scheduleToCloseTimeout: polling.maxWaitMs,
      retry: { initialInterval: polling.intervalMs, backoffCoefficient: 1, maximumInterval: polling.intervalMs },
    }),
    // Sweep mode: the same activity asked once. "Not finished" ends the attempt instead of polling on;
    // JD or network trouble is still retried.
    check: proxyActivities<JdActivities>({
      taskQueue,
      startToCloseTimeout: '1 minute',
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [NOT_FINISHED] },
    }),
  };
}

type PollResult = { kind: 'outcome'; outcome: SalesOrderOutcome } | { kind: 'interrupted' } | { kind: 'overdue' } | { kind: 'notFinished' };
type Raced = { settled: 'outcome'; outcome: SalesOrderOutcome } | { settled: 'error'; error: unknown } | { settled: 'interrupted' };

const failureType = (error: unknown): string | undefined =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause.type ?? undefined : undefined;

export async function salesOrder(input: SalesOrderInput): Promise<SalesOrderResult> {
  const { orderNo, revision, polling } = input;
  const tracking: SalesOrderTracking = input.tracking ?? { mode: 'poll' };
  const { workflowId } = workflowInfo();
  const jd = jdActivities(polling);

  // ---- state, messages, visibility --------------------------------------------------------------
  let status: SalesOrderStatus = 'PUSHING';
  let eclpSoNo: string | undefined = undefined;
  let jdWarehouseNo: string | undefined;
  let wayBill: string | undefined;
  let failureReason: string | undefined;
  let lastCancelRefusal: SalesOrderWorkflowState['lastCancelRefusal'];
  let ignoredSignals = 0;
  let signalsSeen = 0;
  /** JD's status as the sweeper last reported it, and whether it said the order has settled since we last looked. */
  let jdStatus: string | undefined;
  let settledAtJd = false;
  const inbox: CancelRequest[] = [];
  const requestIds = new Set<string>();

  const takeIn = (kind: CancelKind) => (raw: unknown) => {
    signalsSeen += 1;
    const checked = checkCancelPayload(raw);
    if (!checked.ok) {
      ignoredSignals += 1;
      log.warn('Ignored a malformed cancel signal', { orderNo, signal: kind, problem: checked.problem });
      return;
    }
    const { value } = checked;
    // A UI/CLI sender gives no id: derive one from the signal's position, which replay reproduces.
    const requestId = value.requestId ?? `${workflowId}#signal-${signalsSeen}`;
    if (requestIds.has(requestId)) {
      log.info('Ignored a repeated cancel signal', { orderNo, requestId });
      return;
    }
    requestIds.add(requestId);
    inbox.push({ requestId, kind, reason: value.reason, actorRole: value.actor.role, source: value.via ?? 'temporal', statusAtRequest: status });
  };
  setHandler(sendBackSignal, takeIn('sendBack'));
  setHandler(buyerRefundSignal, takeIn('buyerRefund'));
  // A poll-mode run may be told too (its warehouse got a sweeper later): it only remembers the status.
  setHandler(jdStatusChangedSignal, (raw: unknown) => {
    const checked = checkJdStatusPayload(raw);
    if (!checked.ok) {
      ignoredSignals += 1;
      log.warn('Ignored a malformed jdStatusChanged signal', { orderNo, problem: checked.problem });
      return;
    }
    jdStatus = checked.value.jdStatus;
    if (checked.value.settled) settledAtJd = true;
  });
  setHandler(salesOrderStatusQuery, (): SalesOrderWorkflowState => ({
    orderNo,
    revision,
    status,
    ...(eclpSoNo !== undefined && { eclpSoNo }),
    ...(jdWarehouseNo !== undefined && { jdWarehouseNo }),
    ...(wayBill !== undefined && { wayBill }),
    ...(failureReason !== undefined && { failureReason }),
    pendingCancels: inbox.map(({ requestId, kind, statusAtRequest }) => ({ requestId, kind, statusAtRequest })),
    ...(lastCancelRefusal !== undefined && { lastCancelRefusal }),
    ignoredSignals,
    tracking: tracking.mode,
    ...(jdStatus !== undefined && { jdStatus }),
  }));

  const publish = (statusChanged: boolean) =>
    upsertSearchAttributes([
      { key: DocStatus, value: status === 'WMS_PICKING' && lastCancelRefusal ? CANCEL_REFUSED_DOC_STATUS : status },
      ...(statusChanged ? [{ key: StatusSince, value: new Date() }] : []),
      ...(eclpSoNo !== undefined ? [{ key: EclpDocNo, value: eclpSoNo }] : []),
      ...(jdWarehouseNo !== undefined ? [{ key: WarehouseNo, value: jdWarehouseNo }] : []),
    ]);
  const enter = (next: SalesOrderStatus) => {
    status = next;
    publish(true);
  };
  const result = (): SalesOrderResult => ({
    orderNo,
    revision,
    status,
    ...(eclpSoNo !== undefined && { eclpSoNo }),
    ...(wayBill !== undefined && { wayBill }),
  });
  const decide = (request: CancelRequest, outcome: CancelOutcome) => erp.recordCancelDecision(orderNo, revision, request, outcome);

  // ---- after the saga: answer whatever else is waiting --------------------------------------------
  /** Back in REVIEW or CANCELLED: later requests are answered without JD (the JD order is gone). */
  const closeOut = async (): Promise<SalesOrderResult> => {
    for (let request = inbox.shift(); request; request = inbox.shift()) {
      if (status === 'REVIEW' && request.kind === 'buyerRefund') {
        await decide(request, { verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED' });
        enter('CANCELLED');
      } else if (status === 'REVIEW') {
        await decide(request, { verdict: 'BACK_TO_REVIEW', status: 'REVIEW' });
      } else {
        await decide(request, { verdict: 'ALREADY_CANCELLED', status });
      }
    }
    return result();
  };

  /** FAILED waits for the operator: 打回审核 brings it back to review, a refund cancels it; JD has no live order. */
  const failThenAwaitResolution = async (reason: string, stage: FailureStage, jdCode?: string): Promise<SalesOrderResult> => {
    await erp.recordSalesOrderFailed(orderNo, revision, { reason, stage, ...(jdCode !== undefined && { jdCode }) });
    failureReason = reason;
    enter('FAILED');
    await condition(() => inbox.length > 0);
    const request = inbox.shift()!;
    const target = request.kind === 'sendBack' ? 'REVIEW' : 'CANCELLED';
    await CancellationScope.nonCancellable(() => decide(request, { verdict: target === 'REVIEW' ? 'BACK_TO_REVIEW' : 'CANCELLED_IN_ERP', status: target }));
    enter(target);
    return closeOut();
  };

  /**
   * The compensation: cancel at JD, then REVIEW or CANCELLED. Returns undefined when JD refused: the
   * order stays WMS_PICKING, the refusal is on record, and the wait for the shipment goes on.
   */
  const cancelAtJd = (request: CancelRequest): Promise<SalesOrderResult | undefined> =>
    CancellationScope.nonCancellable(async () => {
      const answer = await jd.calls.cancelSalesOrderAtJd(eclpSoNo!);
      const jdMessage = answer.jdMessage !== undefined ? { jdMessage: answer.jdMessage } : {};
      if (!answer.cancelled) {
        await decide(request, { verdict: 'REFUSED_BY_JD', status: 'WMS_PICKING', ...jdMessage });
        lastCancelRefusal = { requestId: request.requestId, kind: request.kind, ...jdMessage };
        log.warn('JD refused to cancel the order; it will ship', { orderNo, eclpSoNo, requestId: request.requestId, ...jdMessage });
        publish(false);
        return undefined;
      }
      const target = request.kind === 'sendBack' ? 'REVIEW' : 'CANCELLED';
      await decide(request, { verdict: 'CANCELLED_AT_JD', status: target, ...jdMessage });
      enter(target);
      return closeOut();
    });

  /** Asks JD (one activity, however many attempts) until it answers or a cancel request arrives. */
  const askJdOrInterrupt = async (ask: () => Promise<SalesOrderOutcome>): Promise<Raced> => {
    const askScope = new CancellationScope();
    const answered = askScope.run(ask).then(
      (outcome) => ({ settled: 'outcome' as const, outcome }),
      (error: unknown) => ({ settled: 'error' as const, error }),
    );
    const waitScope = new CancellationScope();
    const asked = waitScope.run(() => condition(() => inbox.length > 0)).then(
      () => ({ settled: 'asked' as const }),
      () => ({ settled: 'stopped' as const }),
    );
    const first = await Promise.race([answered, asked]);
    if (first.settled === 'asked') {
      askScope.cancel();
      // The activity may have completed just before the cancel reached it: a shipment must not be missed.
      const last = await answered;
      return last.settled === 'outcome' ? last : { settled: 'interrupted' };
    }
    waitScope.cancel();
    return first.settled === 'stopped' ? answered : first;
  };

  /** Polls JD until it reports an outcome, a cancel request arrives, or the wait turns overdue. */
  const pollOrInterrupt = async (): Promise<PollResult> => {
    const settled = await askJdOrInterrupt(() => jd.poll.awaitSalesOrderOutcome(eclpSoNo!));
    if (settled.settled === 'interrupted') return { kind: 'interrupted' };
    if (settled.settled === 'outcome') return { kind: 'outcome', outcome: settled.outcome };
    if (settled.error instanceof ActivityFailure && settled.error.cause instanceof TimeoutFailure) return { kind: 'overdue' };
    throw settled.error;
  };

  /**
   * Sweep mode: waits for the sweeper's word that JD settled the order (or for the safety interval, in
   * case no sweeper runs), then asks JD once for the details. The wait is one timer, however long.
   */
  let overdueAt = 0;
  const awaitSweptOrInterrupt = async (safetyPollIntervalMs: number): Promise<PollResult> => {
    await condition(() => inbox.length > 0 || settledAtJd, safetyPollIntervalMs);
    if (inbox.length > 0) return { kind: 'interrupted' };
    settledAtJd = false;
    const settled = await askJdOrInterrupt(() => jd.check.awaitSalesOrderOutcome(eclpSoNo!));
    if (settled.settled === 'interrupted') return { kind: 'interrupted' };
    if (settled.settled === 'outcome') return { kind: 'outcome', outcome: settled.outcome };
    if (failureType(settled.error) !== NOT_FINISHED) throw settled.error;
    if (Date.now() < overdueAt) return { kind: 'notFinished' };
    overdueAt = Date.now() + polling.maxWaitMs;
    return { kind: 'overdue' };
  };

  /** SHIPPED: record it (ledger, log), tell the ERP, and answer late cancel requests meanwhile. */
  const ship = async (outcome: Extract<SalesOrderOutcome, { kind: 'shipped' }>): Promise<SalesOrderResult> => {
    const { kind: _kind, ...shipment } = outcome;
    const shipped = await erp.recordSalesOrderShipped(orderNo, revision, shipment);
    if (shipped.wayBill) wayBill = shipped.wayBill;
    enter('SHIPPED');
    await answerLateRequestsDuring(notifyShipped(shipped));
    return result();
  };

  const notifyShipped = async (data: SalesOrderShippedData): Promise<void> => {
    try {
      await erpWebhook.deliverWebhook({ id: `${workflowId}/sales_order.shipped`, type: 'sales_order.shipped', occurredAt: data.shippedAt, data });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('The ERP webhook kept failing; sales_order.shipped was not delivered', { orderNo, error: err.cause?.message });
      await erp.recordSalesOrderEvent(orderNo, revision, 'webhook_failed', { event: 'sales_order.shipped', error: err.cause?.message ?? err.message });
    }
  };

  const answerLateRequestsDuring = async (work: Promise<void>): Promise<void> => {
    let done = false;
    let failure: unknown;
    work.then(
      () => (done = true),
      (err: unknown) => {
        failure = err;
        done = true;
      },
    );
    for (;;) {
      await condition(() => done || inbox.length > 0);
      const request = inbox.shift();
      if (request) await decide(request, { verdict: 'ALREADY_SHIPPED', status: 'SHIPPED' });
      else break;
    }
    if (failure !== undefined) throw failure;
  };

  // ---- the saga --------------------------------------------------------------------------------
  upsertSearchAttributes([
    { key: DocType, value: 'SO' },
    { key: ErpDocNo, value: orderNo },
  ]);
  enter('PUSHING');

  const claim = await erp.claimSalesOrderPush(orderNo, revision);
  if (!claim.claimed) {
    log.warn('The order is not in review for this push revision; this run does nothing', { orderNo, revision, status: claim.status });
    return { orderNo, revision, status: claim.status, superseded: true };
  }

  // 1. Pre-flight: no JD call.
  const preflight = await erp.preflightSalesOrder(orderNo, revision);
  if (preflight.kind === 'invalid') return failThenAwaitResolution(preflight.reason, 'preflight');
  jdWarehouseNo = preflight.jdWarehouseNo;
  publish(false);

  // 2. Push. Cancel requests wait in the inbox until JD has answered.
  let pushed: Awaited<ReturnType<JdActivities['ensureSalesOrderAtJd']>>;
  try {
    pushed = await jd.calls.ensureSalesOrderAtJd(orderNo, revision);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || !cause.type || ![...JD_REJECTIONS, NOT_PUSHABLE].includes(cause.type)) throw err;
    if (cause.type === NOT_PUSHABLE) return failThenAwaitResolution(cause.message, 'preflight');
    const details = cause.details?.[0] as { code?: string } | undefined;
    return failThenAwaitResolution(`JD rejected the order: ${cause.message}`, 'push_rejected', details?.code);
  }
  await erp.recordSalesOrderPushed(orderNo, revision, pushed);
  eclpSoNo = pushed.eclpSoNo;
  jdWarehouseNo = pushed.jdWarehouseNo;
  enter('WMS_PICKING');
  overdueAt = Date.now() + polling.maxWaitMs;

  // 3. WMS配货: answer cancel requests, otherwise wait for JD's outcome.
  for (;;) {
    const request = inbox.shift();
    if (request) {
      const closed = await cancelAtJd(request);
      if (closed) return closed;
      continue;
    }
    const next = tracking.mode === 'sweep' ? await awaitSweptOrInterrupt(tracking.safetyPollIntervalMs) : await pollOrInterrupt();
    if (next.kind === 'interrupted' || next.kind === 'notFinished') continue;
    if (next.kind === 'overdue') {
      log.warn('JD has not shipped the order within the expected time; still waiting', { orderNo, eclpSoNo, waitedMs: polling.maxWaitMs });
      await erp.recordSalesOrderEvent(orderNo, revision, 'jd_overdue', { eclpSoNo, waitedMs: polling.maxWaitMs });
      continue;
    }
    // 4. Shipped, or cancelled by the warehouse on its own.
    if (next.outcome.kind === 'shipped') return ship(next.outcome);
    return failThenAwaitResolution(next.outcome.reason, 'cancelled_by_warehouse');
  }
}
