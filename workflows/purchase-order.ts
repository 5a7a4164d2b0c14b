// Purchase order saga (采购订单, DESIGN.md §3): pre-flight → goods JD lacks are created first (child
// goods-sync runs) → addPoOrder → wait for the warehouse; every increase of JD's received quantities
// becomes one purchase receipt (采购入库单) that raises stock, until JD completes, closes or cancels the
// PO. Cancel and close requests wait in the cancel inbox until JD holds the PO; a push JD answers with
// "already exists" waits in PUSH_UNCONFIRMED for an operator, because JD cannot be asked by our number.
// One run per PO (`PO:{poNo}:{first revision}`); a repush moves on to the next revision within the run.
import { CancellationScope, condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import type { ErpActivities } from '../activities/erp';
import type { PurchaseOrderFailureStage, PurchaseOrderInboxKind, PurchaseOrderRequestKind, PurchaseOrderVerdict } from '../domain/purchase-order';
import { spPoOrderNoOf } from '../domain/purchase-order-numbers';
import type { PurchaseOrderStatus } from '../domain/statuses';
import { FAILURE_TYPES } from '../messages/failure-types';
import {
  cancelPurchaseOrderSignal,
  checkResolvePushPayload,
  checkSerialBatchPayload,
  closePurchaseOrderSignal,
  purchaseOrderStatusQuery,
  resolvePushSignal,
  serialBatchSignal,
  type JdPurchaseOrderProgress,
  type PurchaseOrderInboxRequest,
  type PurchaseOrderInput,
  type PurchaseOrderResult,
  type PurchaseOrderWorkflowState,
  type PurchaseReceiptData,
  type ResolvePushPayload,
} from '../messages/purchase-order';
import { ERP_ACTIVITY_OPTIONS, jdProxies } from './saga/activity-options';
import { CancelInbox } from './saga/cancel-inbox';
import { ErpNotifications } from './saga/erp-webhook';
import { failureOfType, jdRejectionOf } from './saga/failures';
import { syncGoodsAtJd, type GoodsSyncFailure } from './saga/goods-at-jd';
import { listenToSweeper, nextWhileAtJd, watchJdOutcome, type JdOutcomeWatch } from './saga/jd-outcome';
import { identifyDocument, publishStatus } from './saga/visibility';

const erp = proxyActivities<ErpActivities>(ERP_ACTIVITY_OPTIONS);

/** JD's PO status for a cancelled PO (eclp-api.md §4.2). */
const JD_CANCELLED = '91';

type Resolution = ResolvePushPayload & { requestId: string };
/** A request as the decision activity records it (inbox requests, link and repush alike). */
type PurchaseOrderRequest = { requestId: string; kind: PurchaseOrderRequestKind; reason?: string; poOrderNo?: string; actorRole: string; source: 'api' | 'temporal'; statusAtRequest: PurchaseOrderStatus };
type PushAttempt = { kind: 'pushed' } | { kind: 'not-at-jd' } | { kind: 'unconfirmed' } | { kind: 'superseded'; status: PurchaseOrderStatus };

export async function purchaseOrder(input: PurchaseOrderInput): Promise<PurchaseOrderResult> {
  return new PurchaseOrderSaga(input).run();
}

class PurchaseOrderSaga {
  private status: PurchaseOrderStatus = 'PUSHING';
  private revision: number;
  private poOrderNo?: string;
  private jdWarehouseNo?: string;
  private failure?: { reason: string; stage: PurchaseOrderFailureStage };
  private unconfirmed?: { spPoOrderNo: string; jdMessage: string };
  private receipts = 0;
  private readonly received: Record<string, number> = {};
  /** JD's last progress as booked: the poll answers only when JD's differs. Empty = nothing received yet. */
  private fingerprint = '';
  private jdStatus?: string;
  private readonly resolutions: Resolution[] = [];
  private readonly resolutionIds = new Set<string>();
  private resolutionSignals = 0;
  private readonly serialBatches: string[] = [];
  private readonly erpEvents: ErpNotifications;
  private readonly inbox: CancelInbox<PurchaseOrderInboxKind, PurchaseOrderStatus>;
  private readonly jd: { calls: EclpActivities; poll: EclpActivities; check: EclpActivities };
  private readonly jdOutcome: JdOutcomeWatch<JdPurchaseOrderProgress>;

  constructor(private readonly input: PurchaseOrderInput) {
    this.revision = input.revision;
    this.jd = jdProxies<EclpActivities>(workflowInfo().taskQueue, { nonRetryable: [FAILURE_TYPES.purchaseOrderNotPushable, FAILURE_TYPES.purchaseOrderPushUnconfirmed], polling: input.polling, notFinishedType: FAILURE_TYPES.purchaseOrderNotFinished });
    this.inbox = new CancelInbox({ poNo: input.poNo }, () => this.status);
    this.jdOutcome = watchJdOutcome({
      tracking: input.tracking ?? { mode: 'poll' },
      maxWaitMs: input.polling.maxWaitMs,
      poll: () => this.jd.poll.awaitPurchaseOrderProgress(this.poOrderNo!, this.fingerprint),
      check: () => this.jd.check.awaitPurchaseOrderProgress(this.poOrderNo!, this.fingerprint),
      notFinishedType: FAILURE_TYPES.purchaseOrderNotFinished,
      interrupted: () => this.inbox.hasRequests || this.serialBatches.length > 0,
    });
    // Logged under the revision current when the event gave up (a repush raises it within the run).
    this.erpEvents = new ErpNotifications({ type: 'PO', key: input.poNo }, async (event, error) => {
      await erp.recordPurchaseOrderEvent(input.poNo, this.revision, 'webhook_failed', { event: event.type, eventId: event.id, error });
      await erp.markWebhookGaveUp(event.id, error, 0);
    });
    this.inbox.listen(cancelPurchaseOrderSignal, 'cancel');
    this.inbox.listen(closePurchaseOrderSignal, 'close');
    setHandler(resolvePushSignal, (raw: unknown) => this.takeResolution(raw));
    setHandler(serialBatchSignal, (raw: unknown) => {
      const checked = checkSerialBatchPayload(raw);
      if (!checked.ok) return this.inbox.ignore('serialBatch', checked.problem);
      if (!this.serialBatches.includes(checked.value.batchId)) this.serialBatches.push(checked.value.batchId);
    });
    listenToSweeper(this.jdOutcome, (jdStatus) => (this.jdStatus = jdStatus), (signal, problem) => this.inbox.ignore(signal, problem));
    setHandler(purchaseOrderStatusQuery, () => this.state());
  }

  /** The story: push (again, until JD holds the PO or the operator gives up), then follow the warehouse. */
  async run(): Promise<PurchaseOrderResult> {
    identifyDocument('PO', this.input.poNo);
    this.enter('PUSHING');
    for (;;) {
      const attempt = await this.push();
      if (attempt.kind === 'superseded') {
        log.warn('The purchase order is not pushing at this revision; this run does nothing', { poNo: this.input.poNo, revision: this.revision, status: attempt.status });
        return { ...this.result(), status: attempt.status, superseded: true };
      }
      if (attempt.kind === 'pushed') break;
      const resolved = await this.awaitOperator();
      if (resolved === 'cancelled') return this.closeOut();
      if (resolved === 'linked') break;
    }
    return this.followWarehouse();
  }

  /** One push revision: pre-flight, goods JD lacks, then addPoOrder. Cancel requests wait meanwhile. */
  private async push(): Promise<PushAttempt> {
    const { poNo } = this.input;
    const revision = this.revision;
    const preflight = await erp.preflightPurchaseOrder(poNo, revision);
    if (preflight.kind === 'superseded') return { kind: 'superseded', status: preflight.status };
    if (preflight.kind === 'invalid') return this.fail(preflight.reason, 'preflight');
    this.jdWarehouseNo = preflight.jdWarehouseNo;
    this.publish(false);

    const goodsFailure = await this.syncGoods(preflight.skusToSync);
    if (goodsFailure) return this.fail(`Goods ${goodsFailure.sku} could not be created at JD: ${goodsFailure.message}`, 'goods_sync', goodsFailure.jdCode, goodsFailure.sku);

    try {
      const atJd = await this.jd.calls.ensurePurchaseOrderAtJd(poNo, revision);
      await erp.recordPurchaseOrderPushed(poNo, revision, atJd);
      this.atJd(atJd.poOrderNo, atJd.jdWarehouseNo);
      return { kind: 'pushed' };
    } catch (err) {
      const unconfirmed = failureOfType(err, [FAILURE_TYPES.purchaseOrderPushUnconfirmed]);
      if (unconfirmed) {
        const details = { spPoOrderNo: spPoOrderNoOf(poNo, revision), jdMessage: unconfirmed.message };
        await erp.recordPurchaseOrderUnconfirmed(poNo, revision, details);
        this.unconfirmed = details;
        log.warn('JD says it already holds this purchase order number; an operator must link it or confirm JD has none', { poNo, ...details });
        this.enter('PUSH_UNCONFIRMED');
        return { kind: 'unconfirmed' };
      }
      const notPushable = failureOfType(err, [FAILURE_TYPES.purchaseOrderNotPushable]);
      if (notPushable) return this.fail(notPushable.message, 'preflight');
      const rejected = jdRejectionOf(err);
      if (!rejected) throw err;
      return this.fail(`JD rejected the purchase order: ${rejected.message}`, 'push_rejected', rejected.jdCode);
    }
  }

  /** Goods JD does not have yet (workflows/saga/goods-at-jd.ts): the first SKU JD refused, if any. */
  private async syncGoods(skus: readonly string[]): Promise<GoodsSyncFailure | undefined> {
    const failures = await syncGoodsAtJd(skus);
    return failures.find((f) => f !== undefined);
  }

  /**
   * FAILED (JD holds nothing) or PUSH_UNCONFIRMED (JD may hold our number): the operator decides.
   * FAILED: a cancel ends the PO, a repush tries again. PUSH_UNCONFIRMED: a link makes JD's PO ours, a
   * repush goes on under the next number; cancel and close wait, because nothing is known to cancel.
   */
  private async awaitOperator(): Promise<'repush' | 'linked' | 'cancelled'> {
    const { poNo } = this.input;
    for (;;) {
      const failed = this.status === 'FAILED';
      await condition(() => this.resolutions.length > 0 || (failed && this.inbox.hasRequests));
      const request = failed && this.resolutions.length === 0 ? this.inbox.take() : undefined;
      if (request) {
        if (request.kind === 'cancel') {
          await CancellationScope.nonCancellable(() => this.decide(this.fromInbox(request), 'CANCELLED_IN_ERP', 'CANCELLED'));
          this.enter('CANCELLED');
          return 'cancelled';
        }
        await this.decide(this.fromInbox(request), 'NOT_APPLICABLE', this.status);
        continue;
      }
      const resolution = this.resolutions.shift()!;
      const request2 = this.fromResolution(resolution);
      if (resolution.action === 'repush') {
        const next = this.revision + 1;
        await this.decide(request2, 'REPUSHED', 'PUSHING');
        await erp.recordPurchaseOrderRepush(poNo, this.revision, next);
        this.revision = next;
        this.failure = undefined;
        this.unconfirmed = undefined;
        this.enter('PUSHING');
        return 'repush';
      }
      if (failed) {
        await this.decide(request2, 'NOT_APPLICABLE', this.status);
        continue;
      }
      if (await this.link(resolution.poOrderNo, request2)) return 'linked';
    }
  }

  /** The operator says JD's `poOrderNo` is ours: JD must confirm it carries our number. */
  private async link(poOrderNo: string, request: PurchaseOrderRequest): Promise<boolean> {
    const { poNo } = this.input;
    const spPoOrderNo = this.unconfirmed?.spPoOrderNo ?? spPoOrderNoOf(poNo, this.revision);
    const atJd = await this.jd.calls.checkJdPurchaseOrder(poOrderNo);
    const refusal = !atJd.found
      ? `JD has no purchase order ${poOrderNo}`
      : atJd.spPoOrderNo !== spPoOrderNo
        ? `JD's purchase order ${poOrderNo} carries ${atJd.spPoOrderNo ?? 'no merchant number'}, not ${spPoOrderNo}`
        : undefined;
    if (refusal !== undefined || !atJd.found) {
      await this.decide(request, 'LINK_REFUSED', this.status, refusal);
      return false;
    }
    const jdWarehouseNo = atJd.jdWarehouseNo ?? this.jdWarehouseNo ?? '';
    await erp.recordPurchaseOrderPushed(poNo, this.revision, { poOrderNo, spPoOrderNo, jdWarehouseNo, recovered: true, linked: true });
    this.unconfirmed = undefined;
    this.atJd(poOrderNo, jdWarehouseNo);
    await this.decide(request, 'LINKED', 'WAITING_INBOUND');
    return true;
  }

  /** JD holds the PO: decide requests, upload serial batches, book what the warehouse receives. */
  private async followWarehouse(): Promise<PurchaseOrderResult> {
    this.jdOutcome.begin();
    // Requests first, then serial batches; the watch is interrupted while either waits.
    const take = (): { request: PurchaseOrderInboxRequest } | { batchId: string } | undefined => {
      const request = this.inbox.take();
      if (request) return { request };
      const batchId = this.serialBatches.shift();
      return batchId === undefined ? undefined : { batchId };
    };
    for (;;) {
      const next = await nextWhileAtJd(this.jdOutcome, take, () => this.recordOverdue());
      if (next.kind === 'outcome') {
        if (await this.book(next.outcome)) return this.closeOut();
      } else if ('batchId' in next.work) {
        await this.uploadSerials(next.work.batchId);
      } else {
        const { request } = next.work;
        const ended = request.kind === 'cancel' ? await this.cancelAtJd(request) : await this.closeAtJd(request);
        if (ended) return ended;
      }
    }
  }

  /**
   * One look at JD's progress: new received quantities become a receipt (the activity books each once,
   * whatever is repeated), the status follows, and the PO ends when JD finished it.
   */
  private async book(progress: JdPurchaseOrderProgress): Promise<boolean> {
    const receivedAtJd = progress.lines.reduce((sum, line) => sum + line.receivedQty, 0);
    const status: PurchaseOrderStatus = progress.finished
      ? progress.jdStatus === JD_CANCELLED && receivedAtJd === 0
        ? 'CANCELLED'
        : 'RECEIVED'
      : receivedAtJd > 0
        ? 'PARTIALLY_RECEIVED'
        : 'WAITING_INBOUND';
    const booking = await erp.bookPurchaseReceipts(this.input.poNo, this.revision, progress, status, this.receipts);
    this.fingerprint = progress.fingerprint;
    this.jdStatus = progress.jdStatus;
    for (const receipt of booking.receipts) this.receipted(receipt);
    if (status !== this.status) this.enter(status);
    if (!progress.finished) return false;
    if (status === 'RECEIVED') this.notifyReceived(progress);
    else log.warn('JD cancelled the purchase order before anything was received', { poNo: this.input.poNo, poOrderNo: this.poOrderNo });
    return true;
  }

  private receipted(receipt: PurchaseReceiptData): void {
    this.receipts = Math.max(this.receipts, receipt.seq);
    for (const line of receipt.lines) this.received[line.sku] = (this.received[line.sku] ?? 0) + line.quantity;
    this.erpEvents.send({ id: `${workflowInfo().workflowId}/purchase_order.receipt/${receipt.receiptNo}`, type: 'purchase_order.receipt', occurredAt: receipt.receivedAt, data: receipt });
  }

  /** cancalPoOrder: 1 → CANCELLED; JD's refusal (goods received, …) is answered and the PO carries on. */
  private cancelAtJd(request: PurchaseOrderInboxRequest): Promise<PurchaseOrderResult | undefined> {
    return CancellationScope.nonCancellable(async () => {
      const answer = await this.jd.calls.cancelPurchaseOrderAtJd(this.poOrderNo!);
      if (!answer.cancelled) {
        log.warn('JD refused to cancel the purchase order; it carries on', { poNo: this.input.poNo, poOrderNo: this.poOrderNo, requestId: request.requestId, jdMessage: answer.jdMessage });
        await this.decide(this.fromInbox(request), 'REFUSED_BY_JD', this.status, answer.jdMessage);
        return undefined;
      }
      await this.decide(this.fromInbox(request), 'CANCELLED_AT_JD', 'CANCELLED', answer.jdMessage);
      this.enter('CANCELLED');
      return this.closeOut();
    });
  }

  /** po.closePo: JD ends the PO with what arrived; the final receipt and short quantities come from JD. */
  private closeAtJd(request: PurchaseOrderInboxRequest): Promise<PurchaseOrderResult | undefined> {
    return CancellationScope.nonCancellable(async () => {
      const answer = await this.jd.calls.closePurchaseOrderAtJd(this.poOrderNo!);
      if (!answer.closed) {
        await this.decide(this.fromInbox(request), 'REFUSED_BY_JD', this.status, answer.jdMessage);
        return undefined;
      }
      // JD reports the closed PO as completed: wait for that report (the poll answers once it differs).
      const progress = await this.jd.poll.awaitPurchaseOrderProgress(this.poOrderNo!, this.fingerprint);
      const finished = await this.book(progress);
      await this.decide(this.fromInbox(request), 'CLOSED_AT_JD', this.status, answer.jdMessage);
      return finished ? this.closeOut() : undefined;
    });
  }

  private async uploadSerials(batchId: string): Promise<void> {
    const upload = await this.jd.calls.uploadPurchaseOrderSerials(this.input.poNo, batchId, this.poOrderNo!);
    if (!upload.uploaded) log.warn('JD refused a serial-number batch', { poNo: this.input.poNo, batchId, error: upload.error });
  }

  /** FAILED: recorded, the ERP told (in the background), and the operator decides (awaitOperator). */
  private async fail(reason: string, stage: PurchaseOrderFailureStage, jdCode?: string, sku?: string): Promise<PushAttempt> {
    const { poNo } = this.input;
    const failure = { reason, stage, ...(jdCode !== undefined && { jdCode }), ...(sku !== undefined && { sku }) };
    await erp.recordPurchaseOrderFailed(poNo, this.revision, failure);
    this.failure = { reason, stage };
    log.warn('The purchase order failed; an operator repushes or cancels it', { poNo, revision: this.revision, stage, jdCode, sku });
    this.enter('FAILED');
    const failedAt = new Date().toISOString();
    this.erpEvents.send({ id: `${workflowInfo().workflowId}/purchase_order.failed/${this.revision}`, type: 'purchase_order.failed', occurredAt: failedAt, data: { poNo, pushRevision: this.revision, ...failure, failedAt } });
    return { kind: 'not-at-jd' };
  }

  /**
   * The PO has ended: serial batches still waiting go to JD (if it holds the PO), requests still waiting
   * are answered, and the run waits for its webhook deliveries, answering late requests meanwhile.
   */
  private async closeOut(): Promise<PurchaseOrderResult> {
    const after = (request: PurchaseOrderInboxRequest) => this.decide(this.fromInbox(request), this.status === 'RECEIVED' ? 'ALREADY_RECEIVED' : 'ALREADY_CANCELLED', this.status);
    await this.inbox.answerAll(after);
    for (let batchId = this.serialBatches.shift(); batchId !== undefined; batchId = this.serialBatches.shift()) {
      if (this.status === 'RECEIVED' && this.poOrderNo) await this.uploadSerials(batchId);
      else await erp.recordPurchaseOrderEvent(this.input.poNo, this.revision, 'serials_not_uploaded', { batchId, status: this.status });
    }
    for (let resolution = this.resolutions.shift(); resolution; resolution = this.resolutions.shift()) {
      await this.decide(this.fromResolution(resolution), this.status === 'RECEIVED' ? 'ALREADY_RECEIVED' : 'ALREADY_CANCELLED', this.status);
    }
    await this.inbox.answerWhile(this.erpEvents.all(), after);
    return this.result();
  }

  private notifyReceived(progress: JdPurchaseOrderProgress): void {
    const { poNo } = this.input;
    const closedShort = progress.lines.some((line) => line.shortQty > 0);
    const data = { poNo, poOrderNo: this.poOrderNo, pushRevision: this.revision, jdStatus: progress.jdStatus, receipts: this.receipts, closedShort, lines: progress.lines.map(({ goodsNo: _goodsNo, ...line }) => line) };
    this.erpEvents.send({ id: `${workflowInfo().workflowId}/purchase_order.received`, type: 'purchase_order.received', occurredAt: new Date().toISOString(), data });
  }

  private async recordOverdue(): Promise<void> {
    const waitedMs = this.input.polling.maxWaitMs;
    log.warn('The warehouse has not finished the purchase order within the expected time; still waiting', { poNo: this.input.poNo, poOrderNo: this.poOrderNo, waitedMs });
    await erp.recordPurchaseOrderEvent(this.input.poNo, this.revision, 'jd_overdue', { poOrderNo: this.poOrderNo, waitedMs, receipts: this.receipts });
  }

  private takeResolution(raw: unknown): void {
    this.resolutionSignals += 1;
    const checked = checkResolvePushPayload(raw);
    if (!checked.ok) return this.inbox.ignore('resolvePush', checked.problem);
    const requestId = checked.value.requestId ?? `${workflowInfo().workflowId}#resolve-${this.resolutionSignals}`;
    if (this.resolutionIds.has(requestId)) return;
    this.resolutionIds.add(requestId);
    this.resolutions.push({ ...checked.value, requestId });
  }

  private fromInbox(request: PurchaseOrderInboxRequest): PurchaseOrderRequest {
    const { requestId, kind, reason, actorRole, source, statusAtRequest } = request;
    return { requestId, kind, reason, actorRole, source, statusAtRequest };
  }

  private fromResolution(resolution: Resolution): PurchaseOrderRequest {
    return {
      requestId: resolution.requestId,
      kind: resolution.action,
      ...(resolution.reason !== undefined && { reason: resolution.reason }),
      ...(resolution.action === 'link' && { poOrderNo: resolution.poOrderNo }),
      actorRole: resolution.actor.role,
      source: resolution.via === 'api' ? 'api' : 'temporal',
      statusAtRequest: this.status,
    };
  }

  private decide(request: PurchaseOrderRequest, verdict: PurchaseOrderVerdict, status: PurchaseOrderStatus, jdMessage?: string): Promise<void> {
    return erp.recordPurchaseOrderRequestDecision(this.input.poNo, this.revision, request, { verdict, status, from: this.status, ...(jdMessage !== undefined && { jdMessage }) });
  }

  private atJd(poOrderNo: string, jdWarehouseNo: string): void {
    this.poOrderNo = poOrderNo;
    this.jdWarehouseNo = jdWarehouseNo;
    this.enter('WAITING_INBOUND');
  }

  private enter(next: PurchaseOrderStatus): void {
    this.status = next;
    this.publish(true);
  }

  private publish(changed: boolean): void {
    publishStatus({ status: this.status, changed, eclpDocNo: this.poOrderNo, jdWarehouseNo: this.jdWarehouseNo });
  }

  private result(): PurchaseOrderResult {
    return { poNo: this.input.poNo, revision: this.revision, status: this.status, receipts: this.receipts, ...(this.poOrderNo !== undefined && { poOrderNo: this.poOrderNo }) };
  }

  private state(): PurchaseOrderWorkflowState {
    return {
      poNo: this.input.poNo,
      revision: this.revision,
      status: this.status,
      ...(this.poOrderNo !== undefined && { poOrderNo: this.poOrderNo }),
      ...(this.jdWarehouseNo !== undefined && { jdWarehouseNo: this.jdWarehouseNo }),
      ...(this.failure !== undefined && { failureReason: this.failure.reason, failureStage: this.failure.stage }),
      ...(this.unconfirmed !== undefined && { unconfirmed: this.unconfirmed }),
      receipts: this.receipts,
      received: { ...this.received },
      ...(this.jdStatus !== undefined && { jdStatus: this.jdStatus }),
      pendingRequests: this.inbox.pending(),
      pendingSerialBatches: [...this.serialBatches],
      ignoredSignals: this.inbox.ignoredSignals,
      tracking: this.input.tracking?.mode ?? 'poll',
    };
  }
}
