// Return saga (售后单, DESIGN.md §3): pre-flight → transportRtw against the original outbound → wait for
// the warehouse; JD's receipt becomes the sales-return receipt (销售退货单) that raises stock, once. The
// warehouse may reject the parcel or JD may cancel the return; an exchange's replacement order (created
// with the return, in REVIEW) is then sent back or refunded through its own saga, or put before an
// operator when it has shipped. Cancel requests wait in the cancel inbox until JD holds the return.
// One run per push revision (`RTN:{returnNo}:{rev}`).
import { CancellationScope, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import type { ErpActivities } from '../activities/erp';
import type { ReplacementCompensation, ReturnFailureStage, ReturnVerdict } from '../domain/return-order';
import type { ReturnStatus } from '../domain/statuses';
import { FAILURE_TYPES } from '../messages/failure-types';
import {
  cancelReturnSignal,
  returnStatusQuery,
  type JdReturnOutcome,
  type ReturnCancelRequest,
  type ReturnOrderInput,
  type ReturnOrderResult,
  type ReturnWorkflowState,
} from '../messages/return-order';
import { ERP_ACTIVITY_OPTIONS, jdProxies } from './saga/activity-options';
import { CancelInbox } from './saga/cancel-inbox';
import { ErpNotifications } from './saga/erp-webhook';
import { failureOfType, jdRejectionOf } from './saga/failures';
import { nextWhileAtJd, watchJdOutcome, type JdOutcomeWatch } from './saga/jd-outcome';
import { identifyDocument, publishStatus } from './saga/visibility';

const erp = proxyActivities<ErpActivities>(ERP_ACTIVITY_OPTIONS);

type Received = Extract<JdReturnOutcome, { kind: 'received' }>;

export async function returnOrder(input: ReturnOrderInput): Promise<ReturnOrderResult> {
  return new ReturnSaga(input).run();
}

class ReturnSaga {
  private status: ReturnStatus = 'PUSHING';
  private eclpRtwNo?: string;
  private jdWarehouseNo?: string;
  private failure?: { reason: string; stage: ReturnFailureStage };
  private rejectReason?: string;
  private replacement?: ReplacementCompensation;
  private readonly erpEvents: ErpNotifications;
  private readonly inbox: CancelInbox<'cancel', ReturnStatus>;
  private readonly jd: { calls: EclpActivities; poll: EclpActivities; check: EclpActivities };
  private readonly jdOutcome: JdOutcomeWatch<JdReturnOutcome>;

  constructor(private readonly input: ReturnOrderInput) {
    this.jd = jdProxies<EclpActivities>(workflowInfo().taskQueue, {
      nonRetryable: [FAILURE_TYPES.returnNotPushable, FAILURE_TYPES.returnSuperseded],
      polling: input.polling,
      notFinishedType: FAILURE_TYPES.returnNotFinished,
    });
    this.inbox = new CancelInbox({ returnNo: input.returnNo }, () => this.status);
    this.jdOutcome = watchJdOutcome({
      // queryRtw answers one return per call: a sweeper would save nothing, so returns always poll.
      tracking: { mode: 'poll' },
      maxWaitMs: input.polling.maxWaitMs,
      poll: () => this.jd.poll.awaitReturnOutcome(this.eclpRtwNo!),
      check: () => this.jd.check.awaitReturnOutcome(this.eclpRtwNo!),
      notFinishedType: FAILURE_TYPES.returnNotFinished,
      interrupted: () => this.inbox.hasRequests,
    });
    this.erpEvents = new ErpNotifications({ type: 'RTN', key: input.returnNo }, async (event, error) => {
      await erp.recordReturnEvent(input.returnNo, input.revision, 'webhook_failed', { event: event.type, eventId: event.id, error });
      await erp.markWebhookGaveUp(event.id, error, 0);
    });
    this.inbox.listen(cancelReturnSignal, 'cancel');
    setHandler(returnStatusQuery, () => this.state());
  }

  /** The story: pre-flight, push, then wait for the warehouse (cancel requests decided on the way). */
  async run(): Promise<ReturnOrderResult> {
    const { returnNo, revision } = this.input;
    identifyDocument('RTN', returnNo);
    this.enter('PUSHING');
    const preflight = await erp.preflightReturn(returnNo, revision);
    if (preflight.kind === 'superseded') {
      log.warn('The return is not pushing at this revision; this run does nothing', { returnNo, revision, status: preflight.status });
      return { ...this.result(), status: preflight.status, superseded: true };
    }
    if (preflight.kind === 'invalid') return this.failThenAwaitCancel(preflight.reason, 'preflight');
    this.jdWarehouseNo = preflight.jdWarehouseNo;
    this.publish(false);

    try {
      const atJd = await this.jd.calls.ensureReturnAtJd(returnNo, revision);
      await erp.recordReturnPushed(returnNo, revision, atJd);
      this.eclpRtwNo = atJd.eclpRtwNo;
      this.jdWarehouseNo = atJd.jdWarehouseNo;
    } catch (err) {
      const notPushable = failureOfType(err, [FAILURE_TYPES.returnNotPushable]);
      if (notPushable) return this.failThenAwaitCancel(notPushable.message, 'preflight');
      const rejected = jdRejectionOf(err);
      if (!rejected) throw err;
      return this.failThenAwaitCancel(`JD rejected the return: ${rejected.message}`, 'push_rejected', rejected.jdCode);
    }
    this.enter('WAITING_INBOUND');
    this.jdOutcome.begin();

    for (;;) {
      const next = await nextWhileAtJd(this.jdOutcome, () => this.inbox.take(), () => this.recordOverdue());
      if (next.kind === 'work') {
        const ended = await this.cancelAtJd(next.work);
        if (ended) return ended;
        continue;
      }
      if (next.outcome.kind === 'received') return this.receive(next.outcome);
      return this.endedAtJd(next.outcome);
    }
  }

  /** 销售退货单: what JD received raises stock (once, however often this is repeated); the ERP is told. */
  private async receive(outcome: Received): Promise<ReturnOrderResult> {
    const receipt = await erp.bookReturnReceived(this.input.returnNo, this.input.revision, outcome);
    this.enter('RECEIVED');
    if (receipt.short) log.warn('The warehouse received less than the return asked for', { returnNo: this.input.returnNo, receiptNo: receipt.receiptNo });
    this.erpEvents.send({ id: `${workflowInfo().workflowId}/return.received`, type: 'return.received', occurredAt: receipt.receivedAt, data: receipt });
    return this.closeOut();
  }

  /** The warehouse rejected the parcel, or JD cancelled the return on its own: no goods, no stock. */
  private async endedAtJd(outcome: Exclude<JdReturnOutcome, Received>): Promise<ReturnOrderResult> {
    const { returnNo, revision } = this.input;
    const status = outcome.kind === 'rejected' ? 'REJECTED' : 'CANCELLED';
    const reason = outcome.kind === 'rejected' ? outcome.reason : undefined;
    await erp.recordReturnEnded(returnNo, revision, { status, jdStatus: outcome.jdStatus, ...(reason !== undefined && { reason }) });
    this.rejectReason = reason;
    this.enter(status);
    if (outcome.kind === 'rejected') {
      log.warn('The warehouse rejected the return', { returnNo, eclpRtwNo: this.eclpRtwNo, jdStatus: outcome.jdStatus, reason });
      this.erpEvents.send({ id: `${workflowInfo().workflowId}/return.rejected`, type: 'return.rejected', occurredAt: new Date().toISOString(), data: { returnNo, eclpRtwNo: this.eclpRtwNo, jdStatus: outcome.jdStatus, reason } });
    }
    await this.compensate();
    return this.closeOut();
  }

  /** cancelRtwOrder: 1 → CANCELLED (and the replacement follows); JD's refusal is answered and the return carries on. */
  private cancelAtJd(request: ReturnCancelRequest): Promise<ReturnOrderResult | undefined> {
    return CancellationScope.nonCancellable(async () => {
      const { returnNo, revision } = this.input;
      const answer = await this.jd.calls.cancelReturnAtJd(returnNo, revision, this.eclpRtwNo!, request.reason);
      if (!answer.cancelled) {
        log.warn('JD refused to cancel the return; it carries on', { returnNo, eclpRtwNo: this.eclpRtwNo, requestId: request.requestId, jdMessage: answer.jdMessage });
        await this.decide(request, 'REFUSED_BY_JD', this.status, answer.jdMessage);
        return undefined;
      }
      await this.decide(request, 'CANCELLED_AT_JD', 'CANCELLED', answer.jdMessage);
      this.enter('CANCELLED');
      await this.compensate();
      return this.closeOut();
    });
  }

  /** FAILED: JD holds nothing; the ERP is told, and a cancel ends the return (the replacement follows). */
  private async failThenAwaitCancel(reason: string, stage: ReturnFailureStage, jdCode?: string): Promise<ReturnOrderResult> {
    const { returnNo, revision } = this.input;
    await erp.recordReturnFailed(returnNo, revision, { reason, stage, ...(jdCode !== undefined && { jdCode }) });
    this.failure = { reason, stage };
    this.enter('FAILED');
    const failedAt = new Date().toISOString();
    this.erpEvents.send({ id: `${workflowInfo().workflowId}/return.failed`, type: 'return.failed', occurredAt: failedAt, data: { returnNo, pushRevision: revision, reason, stage, ...(jdCode !== undefined && { jdCode }), failedAt } });
    const request = await this.inbox.nextRequest();
    await CancellationScope.nonCancellable(() => this.decide(request, 'CANCELLED_IN_ERP', 'CANCELLED'));
    this.enter('CANCELLED');
    await this.compensate();
    return this.closeOut();
  }

  /** An exchange whose return brought nothing back: its replacement must not go out unnoticed. */
  private async compensate(): Promise<void> {
    this.replacement = await erp.compensateReplacement(this.input.returnNo, this.input.revision);
    if (this.replacement.action === 'attention') {
      log.warn('The replacement order has shipped although its return ended without goods; an operator must act', { returnNo: this.input.returnNo, ...this.replacement });
    }
  }

  /** Ended: requests still waiting are answered, and the run waits for its webhooks, answering late requests meanwhile. */
  private async closeOut(): Promise<ReturnOrderResult> {
    const verdict: ReturnVerdict = this.status === 'RECEIVED' ? 'ALREADY_RECEIVED' : this.status === 'REJECTED' ? 'ALREADY_REJECTED' : 'ALREADY_CANCELLED';
    const after = (request: ReturnCancelRequest) => this.decide(request, verdict, this.status);
    await this.inbox.answerAll(after);
    await this.inbox.answerWhile(this.erpEvents.all(), after);
    return this.result();
  }

  private async recordOverdue(): Promise<void> {
    const waitedMs = this.input.polling.maxWaitMs;
    log.warn('The warehouse has not received the return within the expected time; still waiting', { returnNo: this.input.returnNo, eclpRtwNo: this.eclpRtwNo, waitedMs });
    await erp.recordReturnEvent(this.input.returnNo, this.input.revision, 'jd_overdue', { eclpRtwNo: this.eclpRtwNo, waitedMs });
  }

  private decide(request: ReturnCancelRequest, verdict: ReturnVerdict, status: ReturnStatus, jdMessage?: string): Promise<void> {
    const { requestId, kind, reason, actorRole, source, statusAtRequest } = request;
    return erp.recordReturnRequestDecision(this.input.returnNo, this.input.revision, { requestId, kind, reason, actorRole, source, statusAtRequest }, { verdict, status, from: this.status, ...(jdMessage !== undefined && { jdMessage }) });
  }

  private enter(next: ReturnStatus): void {
    this.status = next;
    this.publish(true);
  }

  private publish(changed: boolean): void {
    publishStatus({ status: this.status, changed, eclpDocNo: this.eclpRtwNo, jdWarehouseNo: this.jdWarehouseNo });
  }

  private result(): ReturnOrderResult {
    const { returnNo, revision } = this.input;
    return { returnNo, revision, status: this.status, ...(this.eclpRtwNo !== undefined && { eclpRtwNo: this.eclpRtwNo }), ...(this.replacement !== undefined && { replacement: this.replacement }) };
  }

  private state(): ReturnWorkflowState {
    const { returnNo, revision } = this.input;
    return {
      returnNo,
      revision,
      status: this.status,
      ...(this.eclpRtwNo !== undefined && { eclpRtwNo: this.eclpRtwNo }),
      ...(this.jdWarehouseNo !== undefined && { jdWarehouseNo: this.jdWarehouseNo }),
      ...(this.failure !== undefined && { failureReason: this.failure.reason, failureStage: this.failure.stage }),
      ...(this.rejectReason !== undefined && { rejectReason: this.rejectReason }),
      ...(this.replacement !== undefined && { replacement: this.replacement }),
      pendingCancels: this.inbox.pending(),
      ignoredSignals: this.inbox.ignoredSignals,
    };
  }
}
