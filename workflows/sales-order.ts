// Sales order saga (销售订单, DESIGN.md §3): pre-flight → push to JD → wait in WMS配货 until JD ships
// or cancels → book the shipment and tell the ERP. 打回审核 and buyer refunds arrive as signals at any
// point, wait in the cancel inbox, and are decided where the story allows; their verdicts are written to
// Postgres, where the API and the ERP read them. One run per push revision (`SO:{orderNo}:{rev}`).
import { CancellationScope, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EclpActivities, SalesOrderOutcome } from '../activities/eclp';
import type { ErpActivities, SalesOrderShippedData } from '../activities/erp';
import { cancelTarget, type FailureStage } from '../domain/sales-order';
import type { SalesOrderStatus } from '../domain/statuses';
import { FAILURE_TYPES } from '../messages/failure-types';
import {
  CANCEL_REFUSED_DOC_STATUS,
  buyerRefundSignal,
  holdSignal,
  salesOrderStatusQuery,
  sendBackSignal,
  type CancelKind,
  type SalesOrderCancelOutcome,
  type SalesOrderCancelRequest,
  type SalesOrderInput,
  type SalesOrderResult,
  type SalesOrderWorkflowState,
} from '../messages/sales-order';
import { ERP_ACTIVITY_OPTIONS, jdProxies } from './saga/activity-options';
import { CancelInbox } from './saga/cancel-inbox';
import { tellErp, type ErpEvent } from './saga/erp-webhook';
import { failureOfType, jdRejectionOf } from './saga/failures';
import { listenToSweeper, nextWhileAtJd, watchJdOutcome, type JdOutcomeWatch } from './saga/jd-outcome';
import { identifyDocument, publishStatus } from './saga/visibility';
import { DocStatus, DocType, ErpDocNo } from '../messages/search-attributes';

const erp = proxyActivities<ErpActivities>(ERP_ACTIVITY_OPTIONS);

/**
 * Since this patch the cancel verdict is recorded by `recordSalesOrderCancelDecision` (activity names
 * carry their document). Runs that recorded a verdict before it keep calling `recordCancelDecision`,
 * which the erp worker still registers as an alias.
 */
export const DOCUMENT_ACTIVITY_NAMES_PATCH = 'activity-names-carry-document';

/** Since this patch an order entering FAILED tells the ERP (`sales_order.failed`), as DESIGN.md §5 lists. */
export const FAILED_WEBHOOK_PATCH = 'sales-order-failed-webhook';

/**
 * Since this patch an event whose retries ran out is marked failed in webhook_deliveries, where the
 * operator lists it and redelivers it (POST /v1/webhooks/{eventId}/redeliver).
 */
export const WEBHOOK_GAVE_UP_PATCH = 'webhook-gave-up-recorded';

/**
 * Since this patch a run pushes in one activity (`pushSalesOrder`: claim, pre-flight, push and the
 * WMS_PICKING record, reading the order once) instead of four, and upserts no search attribute the client
 * already set at the start: 32 history events for an order JD ships instead of 52, each step cut also
 * being a workflow task and two task-queue hand-offs less. Runs from before it keep the four steps.
 */
export const PUSH_IN_ONE_STEP_PATCH = 'sales-order-push-in-one-step';

type Shipped = Extract<SalesOrderOutcome, { kind: 'shipped' }>;
type Push = { ok: true; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean } | { ok: false; reason: string; stage: FailureStage; jdCode?: string };
/** Up to WMS_PICKING: JD has the order (recorded), the push failed (not yet recorded), or the order is not this run's. */
type Pushed = { kind: 'at-jd'; eclpSoNo: string; jdWarehouseNo: string } | { kind: 'failed'; reason: string; stage: FailureStage; jdCode?: string } | { kind: 'superseded'; status: SalesOrderStatus };

export async function salesOrder(input: SalesOrderInput): Promise<SalesOrderResult> {
  return new SalesOrderSaga(input).run();
}

class SalesOrderSaga {
  private status: SalesOrderStatus = 'PUSHING';
  private eclpSoNo?: string;
  private jdWarehouseNo?: string;
  private wayBill?: string;
  private failureReason?: string;
  private lastCancelRefusal?: SalesOrderWorkflowState['lastCancelRefusal'];
  /** JD's status as the sweeper last reported it. */
  private jdStatus?: string;
  private readonly inbox: CancelInbox<CancelKind, SalesOrderStatus>;
  private readonly jd: { calls: EclpActivities; poll: EclpActivities; check: EclpActivities };
  private readonly jdOutcome: JdOutcomeWatch<SalesOrderOutcome>;

  constructor(private readonly input: SalesOrderInput) {
    this.jd = jdProxies<EclpActivities>(workflowInfo().taskQueue, { nonRetryable: [FAILURE_TYPES.salesOrderNotPushable], polling: input.polling, notFinishedType: FAILURE_TYPES.salesOrderNotFinished });
    this.inbox = new CancelInbox({ orderNo: input.orderNo }, () => this.status);
    this.jdOutcome = watchJdOutcome({
      tracking: input.tracking ?? { mode: 'poll' },
      maxWaitMs: input.polling.maxWaitMs,
      poll: () => this.jd.poll.awaitSalesOrderOutcome(this.eclpSoNo!),
      check: () => this.jd.check.awaitSalesOrderOutcome(this.eclpSoNo!),
      notFinishedType: FAILURE_TYPES.salesOrderNotFinished,
      interrupted: () => this.inbox.hasRequests,
    });
    this.inbox.listen(sendBackSignal, 'sendBack');
    this.inbox.listen(buyerRefundSignal, 'buyerRefund');
    // 挂起: a new handler changes nothing for runs that never got a hold (no history holds one before it).
    this.inbox.listen(holdSignal, 'hold');
    listenToSweeper(this.jdOutcome, (jdStatus) => (this.jdStatus = jdStatus), (signal, problem) => this.inbox.ignore(signal, problem));
    setHandler(salesOrderStatusQuery, () => this.state());
  }

  /** The story, DESIGN.md §3 steps 1–6. */
  async run(): Promise<SalesOrderResult> {
    const { orderNo, revision } = this.input;
    // 1. Pre-flight (no JD call) and 2. push; cancel requests wait in the inbox until JD has answered.
    const pushed = patched(PUSH_IN_ONE_STEP_PATCH) ? await this.pushInOneStep() : await this.pushInSteps();
    if (pushed.kind === 'superseded') {
      log.warn('The order is not in review for this push revision; this run does nothing', { orderNo, revision, status: pushed.status });
      return { orderNo, revision, status: pushed.status, superseded: true };
    }
    if (pushed.kind === 'failed') return this.failThenAwaitResolution(pushed.reason, pushed.stage, pushed.jdCode);
    this.eclpSoNo = pushed.eclpSoNo;
    this.jdWarehouseNo = pushed.jdWarehouseNo;
    this.enter('WMS_PICKING');
    this.jdOutcome.begin();

    // 3. WMS配货: decide cancel requests, otherwise wait for JD's outcome.
    for (;;) {
      const next = await nextWhileAtJd(this.jdOutcome, () => this.inbox.take(), () => this.recordOverdue());
      if (next.kind === 'work') {
        const closed = await this.cancelAtJd(next.work);
        if (closed) return closed;
        continue;
      }
      // 4. Shipped, or cancelled by the warehouse on its own.
      if (next.outcome.kind === 'shipped') return this.ship(next.outcome);
      return this.failThenAwaitResolution(next.outcome.reason, 'cancelled_by_warehouse');
    }
  }

  /**
   * PUSH_IN_ONE_STEP_PATCH: one activity claims, checks, pushes and records. The client started the run
   * with DocType, ErpDocNo, DocStatus PUSHING, StatusSince and WarehouseNo; only a start without them (a
   * CLI start) gets them here.
   */
  private async pushInOneStep(): Promise<Pushed> {
    const { orderNo, revision } = this.input;
    const startedWith = workflowInfo().typedSearchAttributes;
    if (startedWith.get(DocType) === undefined || startedWith.get(ErpDocNo) === undefined) identifyDocument('SO', orderNo);
    if (startedWith.get(DocStatus) !== 'PUSHING') this.enter('PUSHING');
    try {
      const pushed = await this.jd.calls.pushSalesOrder(orderNo, revision);
      if (pushed.kind === 'superseded') return pushed;
      if (pushed.kind === 'not-pushable') return { kind: 'failed', reason: pushed.reason, stage: 'preflight' };
      return { kind: 'at-jd', eclpSoNo: pushed.eclpSoNo, jdWarehouseNo: pushed.jdWarehouseNo };
    } catch (err) {
      const rejected = jdRejectionOf(err);
      if (!rejected) throw err;
      return { kind: 'failed', reason: `JD rejected the order: ${rejected.message}`, stage: 'push_rejected', ...(rejected.jdCode !== undefined && { jdCode: rejected.jdCode }) };
    }
  }

  /** Runs from before PUSH_IN_ONE_STEP_PATCH: claim, pre-flight, push and record as four activities. */
  private async pushInSteps(): Promise<Pushed> {
    const { orderNo, revision } = this.input;
    identifyDocument('SO', orderNo);
    this.enter('PUSHING');
    const claim = await erp.claimSalesOrderPush(orderNo, revision);
    if (!claim.claimed) return { kind: 'superseded', status: claim.status };
    const preflight = await erp.preflightSalesOrder(orderNo, revision);
    if (preflight.kind === 'invalid') return { kind: 'failed', reason: preflight.reason, stage: 'preflight' };
    this.jdWarehouseNo = preflight.jdWarehouseNo;
    this.publish(false);
    const pushed = await this.push();
    if (!pushed.ok) return { kind: 'failed', reason: pushed.reason, stage: pushed.stage, ...(pushed.jdCode !== undefined && { jdCode: pushed.jdCode }) };
    const { ok: _ok, ...atJd } = pushed;
    await erp.recordSalesOrderPushed(orderNo, revision, atJd);
    return { kind: 'at-jd', eclpSoNo: atJd.eclpSoNo, jdWarehouseNo: atJd.jdWarehouseNo };
  }

  /** "Make sure JD has the order": one activity, which recovers from ambiguous failures itself. */
  private async push(): Promise<Push> {
    const { orderNo, revision } = this.input;
    try {
      return { ok: true, ...(await this.jd.calls.ensureSalesOrderAtJd(orderNo, revision)) };
    } catch (err) {
      const notPushable = failureOfType(err, [FAILURE_TYPES.salesOrderNotPushable]);
      if (notPushable) return { ok: false, reason: notPushable.message, stage: 'preflight' };
      const rejected = jdRejectionOf(err);
      if (!rejected) throw err;
      return { ok: false, reason: `JD rejected the order: ${rejected.message}`, stage: 'push_rejected', ...(rejected.jdCode !== undefined && { jdCode: rejected.jdCode }) };
    }
  }

  /**
   * The compensation: cancel at JD, then REVIEW, CANCELLED or HELD (a hold). Undefined when JD refused: the order stays
   * WMS_PICKING, the refusal is on record, and the wait for the shipment goes on.
   */
  private cancelAtJd(request: SalesOrderCancelRequest): Promise<SalesOrderResult | undefined> {
    return CancellationScope.nonCancellable(async () => {
      const answer = await this.jd.calls.cancelSalesOrderAtJd(this.eclpSoNo!);
      const jdMessage = answer.jdMessage !== undefined ? { jdMessage: answer.jdMessage } : {};
      if (!answer.cancelled) {
        await this.decide(request, { verdict: 'REFUSED_BY_JD', status: 'WMS_PICKING', ...jdMessage });
        this.lastCancelRefusal = { requestId: request.requestId, kind: request.kind, ...jdMessage };
        log.warn('JD refused to cancel the order; it will ship', { orderNo: this.input.orderNo, eclpSoNo: this.eclpSoNo, requestId: request.requestId, ...jdMessage });
        this.publish(false);
        return undefined;
      }
      const target = cancelTarget(request.kind);
      await this.decide(request, { verdict: 'CANCELLED_AT_JD', status: target, ...jdMessage });
      this.enter(target);
      return this.closeOut();
    });
  }

  /** SHIPPED: record it (ledger, log), tell the ERP, and answer late cancel requests meanwhile. */
  private async ship(outcome: Shipped): Promise<SalesOrderResult> {
    const { kind: _kind, ...shipment } = outcome;
    const shipped = await erp.recordSalesOrderShipped(this.input.orderNo, this.input.revision, shipment);
    if (shipped.wayBill) this.wayBill = shipped.wayBill;
    this.enter('SHIPPED');
    await this.inbox.answerWhile(this.notifyShipped(shipped), (request) => this.decide(request, { verdict: 'ALREADY_SHIPPED', status: 'SHIPPED' }));
    return this.result();
  }

  /** 线上发货通知. */
  private notifyShipped(data: SalesOrderShippedData): Promise<void> {
    return this.notify({ id: `${workflowInfo().workflowId}/sales_order.shipped`, type: 'sales_order.shipped', occurredAt: data.shippedAt, data });
  }

  /** The ERP's webhook; when it keeps failing, the failure goes on the order's log and the delivery record. */
  private notify(event: ErpEvent): Promise<void> {
    const { orderNo, revision } = this.input;
    return tellErp({ type: 'SO', key: orderNo }, event, async (error) => {
      await erp.recordSalesOrderEvent(orderNo, revision, 'webhook_failed', { event: event.type, error });
      if (patched(WEBHOOK_GAVE_UP_PATCH)) await erp.markWebhookGaveUp(event.id, error, 0);
    });
  }

  /** FAILED waits for the operator: 打回审核 brings it back to review, a refund cancels it; JD has no live order. */
  private async failThenAwaitResolution(reason: string, stage: FailureStage, jdCode?: string): Promise<SalesOrderResult> {
    await erp.recordSalesOrderFailed(this.input.orderNo, this.input.revision, { reason, stage, ...(jdCode !== undefined && { jdCode }) });
    this.failureReason = reason;
    this.enter('FAILED');
    // The ERP hears of the failure while the order waits for the operator: a slow receiver delays no verdict.
    const notified = patched(FAILED_WEBHOOK_PATCH) ? this.notifyFailed({ reason, stage, ...(jdCode !== undefined && { jdCode }) }) : undefined;
    // Its failure (only a cancellation of the run) is rethrown by answerWhile below, not left unhandled meanwhile.
    notified?.catch(() => undefined);
    const request = await this.inbox.nextRequest();
    const target = cancelTarget(request.kind);
    const verdict = target === 'REVIEW' ? 'BACK_TO_REVIEW' : target === 'HELD' ? 'HELD_IN_ERP' : 'CANCELLED_IN_ERP';
    await CancellationScope.nonCancellable(() => this.decide(request, { verdict, status: target }));
    this.enter(target);
    const result = await this.closeOut();
    if (!notified) return result;
    // Requests that arrive while the ERP is still being told are answered as closeOut answers them.
    await this.inbox.answerWhile(notified, (late) => this.answerAfterClose(late));
    return this.result();
  }

  /** `sales_order.failed`: the reason an operator can act on, never consignee data. */
  private notifyFailed(failure: { reason: string; stage: FailureStage; jdCode?: string }): Promise<void> {
    const { orderNo, revision } = this.input;
    const failedAt = new Date().toISOString();
    return this.notify({ id: `${workflowInfo().workflowId}/sales_order.failed`, type: 'sales_order.failed', occurredAt: failedAt, data: { orderNo, pushRevision: revision, ...failure, failedAt } });
  }

  /** Back in REVIEW, CANCELLED or HELD: later requests are answered without JD (the JD order is gone). */
  private async closeOut(): Promise<SalesOrderResult> {
    await this.inbox.answerAll((request) => this.answerAfterClose(request));
    return this.result();
  }

  private async answerAfterClose(request: SalesOrderCancelRequest): Promise<void> {
    const withoutJd = this.status === 'REVIEW' || this.status === 'HELD';
    if (withoutJd && request.kind === 'buyerRefund') {
      await this.decide(request, { verdict: 'CANCELLED_IN_ERP', status: 'CANCELLED' });
      this.enter('CANCELLED');
    } else if (withoutJd && request.kind === 'hold') {
      // Held in review (or again): no run waits at HELD, the release is the API's.
      await this.decide(request, { verdict: 'HELD_IN_ERP', status: 'HELD' });
      this.enter('HELD');
    } else if (this.status === 'HELD') {
      await this.decide(request, { verdict: 'HELD_IN_ERP', status: 'HELD' });
    } else if (this.status === 'REVIEW') {
      await this.decide(request, { verdict: 'BACK_TO_REVIEW', status: 'REVIEW' });
    } else {
      await this.decide(request, { verdict: 'ALREADY_CANCELLED', status: this.status });
    }
  }

  private async recordOverdue(): Promise<void> {
    const waitedMs = this.input.polling.maxWaitMs;
    log.warn('JD has not shipped the order within the expected time; still waiting', { orderNo: this.input.orderNo, eclpSoNo: this.eclpSoNo, waitedMs });
    await erp.recordSalesOrderEvent(this.input.orderNo, this.input.revision, 'jd_overdue', { eclpSoNo: this.eclpSoNo, waitedMs });
  }

  private decide(request: SalesOrderCancelRequest, outcome: SalesOrderCancelOutcome): Promise<void> {
    const { orderNo, revision } = this.input;
    const decision = { ...outcome, from: this.status };
    return patched(DOCUMENT_ACTIVITY_NAMES_PATCH)
      ? erp.recordSalesOrderCancelDecision(orderNo, revision, request, decision)
      : erp.recordCancelDecision(orderNo, revision, request, decision);
  }

  private enter(next: SalesOrderStatus): void {
    this.status = next;
    this.publish(true);
  }

  private publish(changed: boolean): void {
    const status = this.status === 'WMS_PICKING' && this.lastCancelRefusal ? CANCEL_REFUSED_DOC_STATUS : this.status;
    publishStatus({ status, changed, eclpDocNo: this.eclpSoNo, jdWarehouseNo: this.jdWarehouseNo });
  }

  private result(): SalesOrderResult {
    const { orderNo, revision } = this.input;
    return { orderNo, revision, status: this.status, ...(this.eclpSoNo !== undefined && { eclpSoNo: this.eclpSoNo }), ...(this.wayBill !== undefined && { wayBill: this.wayBill }) };
  }

  private state(): SalesOrderWorkflowState {
    const { orderNo, revision, tracking } = this.input;
    return {
      orderNo,
      revision,
      status: this.status,
      ...(this.eclpSoNo !== undefined && { eclpSoNo: this.eclpSoNo }),
      ...(this.jdWarehouseNo !== undefined && { jdWarehouseNo: this.jdWarehouseNo }),
      ...(this.wayBill !== undefined && { wayBill: this.wayBill }),
      ...(this.failureReason !== undefined && { failureReason: this.failureReason }),
      pendingCancels: this.inbox.pending(),
      ...(this.lastCancelRefusal !== undefined && { lastCancelRefusal: this.lastCancelRefusal }),
      ignoredSignals: this.inbox.ignoredSignals,
      tracking: tracking?.mode ?? 'poll',
      ...(this.jdStatus !== undefined && { jdStatus: this.jdStatus }),
    };
  }
}
