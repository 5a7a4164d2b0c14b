// ERP-side steps of the return saga (售后单): check the return before JD is asked, record each outcome
// (status, operation log), book what the warehouse received (the sales-return receipt, stock ledger)
// exactly once, and, for an exchange whose return brought nothing back, deal with its replacement order
// through the sales-order code and saga — whether an activity is retried, repeated or run twice at once.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import {
  bookReturnReceived,
  findReturn,
  getReturn,
  loadReturnPushMaterial,
  recordReturnAttention,
  recordReturnEnded,
  recordReturnEvent,
  recordReturnFailed,
  recordReturnPushed,
  recordReturnRequestDecision,
  type ReturnPushMaterial,
  type ReturnRecord,
} from '../../db/returns';
import {
  cancelSalesOrderInReview,
  findSalesOrder,
  findSalesOrderCancelRequest,
  insertPendingSalesOrderCancelRequest,
  withdrawPendingSalesOrderCancelRequest,
  type NewSalesOrderCancelRequest,
} from '../../db/sales-orders';
import type { CancelSource } from '../../domain/cancel';
import type { ReplacementCompensation, ReturnFailureStage, ReturnVerdict } from '../../domain/return-order';
import { SALES_ORDER_STATUS, type ReturnStatus } from '../../domain/statuses';
import { FAILURE_TYPES } from '../../messages/failure-types';
import type { JdReturnOutcome, SalesReturnReceiptData } from '../../messages/return-order';
import { SALES_ORDER_CANCEL_SIGNALS } from '../../messages/sales-order';
import { activityKey } from '../context';
import { countDecision, NO_ACTIVITY_METRICS, type ActivityMetrics } from '../metrics';
import { orSuperseded } from './superseded';

export type ReturnPreflight = { kind: 'ready'; jdWarehouseNo: string; eclpSoNo: string } | { kind: 'invalid'; reason: string } | { kind: 'superseded'; status: ReturnStatus };

/** A cancel request as the run decided it; `source` and `actorRole` are claims. */
export interface ReturnDecidedRequest {
  requestId: string;
  kind: 'cancel';
  reason?: string;
  actorRole: string;
  source: CancelSource;
  statusAtRequest: ReturnStatus;
}

export interface ReturnDecision {
  verdict: ReturnVerdict;
  status: ReturnStatus;
  jdMessage?: string;
  /** The status the run saw when it decided. */
  from: ReturnStatus;
}

/**
 * Everything that stops the push that an operator can fix, each naming the thing and where to fix it, in
 * words without '; ' (the reason joins them with it). The eclp side re-checks the same at push time.
 */
export function returnPushProblems(m: ReturnPushMaterial): string[] {
  const problems: string[] = [];
  const { ret, order, warehouse } = m;
  if (!order) problems.push(`sales order ${ret.orderNo} does not exist`);
  else if (order.status !== 'SHIPPED') problems.push(`the original sales order ${order.orderNo} is ${order.status}, not SHIPPED`);
  else if (!order.eclpSoNo) problems.push(`the original sales order ${order.orderNo} has no JD outbound number (eclpSoNo): JD takes returns only against its own outbound orders`);
  if (!warehouse) problems.push(`warehouse ${ret.warehouseCode} does not exist in master data`);
  else if (!warehouse.eclpConnected) problems.push(`warehouse ${warehouse.code} is not ECLP-connected (set eclpConnected with PUT /v1/warehouses/${warehouse.code})`);
  else if (!warehouse.jdWarehouseNo) problems.push(`warehouse ${warehouse.code} has no JD warehouse number (set jdWarehouseNo with PUT /v1/warehouses/${warehouse.code})`);
  for (const line of ret.lines) {
    const goods = m.goods.get(line.sku);
    if (!goods) problems.push(`SKU ${line.sku} does not exist in master data`);
    else if (!goods.jdGoodsNo) problems.push(`SKU ${line.sku} has no JD goods number (sync it with POST /v1/goods/${line.sku}/sync)`);
  }
  return problems;
}

/** The request id of an exchange's replacement refund: one per return, so every retry asks the same. */
export function replacementRefundRequestId(returnNo: string): string {
  return `${returnNo}:replacement-refund`;
}

export function createReturnActivities(deps: { db: Knex; temporal: Client; metrics?: ActivityMetrics }) {
  const { db } = deps;
  const metrics = deps.metrics ?? NO_ACTIVITY_METRICS;
  const superseded = <T>(write: () => Promise<T>) => orSuperseded(FAILURE_TYPES.returnSuperseded, write);

  /** Tells the replacement order's run about the refund; false when the run is not running any more. */
  async function signalRefund(workflowId: string, request: NewSalesOrderCancelRequest): Promise<boolean> {
    try {
      await deps.temporal.workflow
        .getHandle(workflowId)
        .signal(SALES_ORDER_CANCEL_SIGNALS.buyerRefund, { reason: request.reason, actor: { role: request.actorRole }, requestId: request.requestId, via: 'api' });
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /**
   * What becomes of the replacement order, judged from Postgres each time (so a retry, after a commit or
   * a signal it never heard back from, answers the same): a refund asked before under this return's
   * request id stands; otherwise in review it is cancelled here, at JD its run is asked to refund it,
   * shipped it needs an operator.
   */
  async function compensation(ret: ReturnRecord, orderNo: string): Promise<{ outcome: ReplacementCompensation; attention?: string }> {
    const requestId = replacementRefundRequestId(ret.returnNo);
    const ended = ret.status === 'REJECTED' ? 'was rejected by the warehouse' : 'was cancelled';
    const attention = (status: string, text: string) => ({ outcome: { action: 'attention' as const, orderNo, status }, attention: text });
    for (let pass = 1; ; pass += 1) {
      const order = await findSalesOrder(db, orderNo);
      if (!order) return { outcome: { action: 'none', reason: `replacement order ${orderNo} does not exist` } };
      const earlier = await findSalesOrderCancelRequest(db, requestId);
      if (earlier?.verdict === 'CANCELLED_IN_ERP') return { outcome: { action: 'cancelled-in-erp', orderNo } };
      // Decided by the order's run (cancelled at JD, or refused and shipping: the order shows the refusal).
      if (earlier && earlier.verdict !== null) return { outcome: { action: 'refund-requested', orderNo, requestId } };
      const request: NewSalesOrderCancelRequest = {
        requestId,
        orderNo,
        revision: order.pushRevision,
        kind: 'buyerRefund',
        reason: `Return ${ret.returnNo} ${ended}: its replacement must not ship`,
        actorRole: 'system',
        // Recorded like the API's requests: the order's run trusts the actor role only from such a row.
        source: 'api',
      };
      switch (order.status) {
        case 'CANCELLED':
          return { outcome: { action: 'none', reason: `replacement order ${orderNo} is already cancelled` } };
        case 'SHIPPED':
          return attention(
            'SHIPPED',
            `Replacement order ${orderNo} has shipped (waybill ${order.wayBill ?? 'unknown'}) although return ${ret.returnNo} ${ended}: get the goods back from the customer or charge for them`,
          );
        case 'REVIEW':
          // A refund of ours still pending from when the order was at JD would hold the ERP's own cancel off.
          if (earlier) await withdrawPendingSalesOrderCancelRequest(db, requestId);
          if (await cancelSalesOrderInReview(db, request)) return { outcome: { action: 'cancelled-in-erp', orderNo } };
          // Left review meanwhile, or a request of its run's is still open: judge again.
          if (pass >= 3) throw new Error(`Replacement order ${orderNo} is in review with a cancel request still open; retrying`);
          continue;
        case 'PUSHING':
        case 'WMS_PICKING':
        case 'FAILED': {
          const stored = earlier ?? (await insertPendingSalesOrderCancelRequest(db, request));
          if (stored.orderNo === orderNo && stored.kind === 'buyerRefund' && stored.verdict === null && order.workflowId !== null && (await signalRefund(order.workflowId, request))) {
            return { outcome: { action: 'refund-requested', orderNo, requestId } };
          }
          await withdrawPendingSalesOrderCancelRequest(db, requestId);
          // The run had closed: the order may have just shipped or been cancelled; judge it once more.
          if (pass < 2) continue;
          return attention(
            order.status,
            `Replacement order ${orderNo} is ${order.status} (${SALES_ORDER_STATUS[order.status]}) but its run ${order.workflowId ?? '(none)'} is not running, so it could not be refunded although return ${ret.returnNo} ${ended}: refund it (POST /v1/sales-orders/${orderNo}/refund) or stop it at JD`,
          );
        }
      }
    }
  }

  return {
    /**
     * Pre-flight with no JD call, on the return as Postgres has it: 'superseded' unless it is PUSHING at
     * this revision, 'invalid' with every problem an operator can fix, else JD's warehouse and outbound number.
     */
    async preflightReturn(returnNo: string, revision: number): Promise<ReturnPreflight> {
      const material = await loadReturnPushMaterial(db, returnNo, revision);
      if (!material || material.ret.status !== 'PUSHING') {
        const ret = material?.ret ?? (await findReturn(db, returnNo));
        if (!ret) throw ApplicationFailure.create({ type: FAILURE_TYPES.returnSuperseded, message: `No return "${returnNo}"`, nonRetryable: true });
        return { kind: 'superseded', status: ret.status };
      }
      const problems = returnPushProblems(material);
      if (problems.length > 0) return { kind: 'invalid', reason: `Pre-flight failed: ${problems.join('; ')}` };
      return { kind: 'ready', jdWarehouseNo: material.warehouse!.jdWarehouseNo!, eclpSoNo: material.order!.eclpSoNo! };
    },

    async recordReturnPushed(returnNo: string, revision: number, at: { eclpRtwNo: string; isvRtwNum: string; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean }): Promise<void> {
      await superseded(() => recordReturnPushed(db, { returnNo, revision, ...at, idempotencyKey: activityKey() }));
      metrics.documentEntered('return', 'WAITING_INBOUND');
    },

    async recordReturnFailed(returnNo: string, revision: number, f: { reason: string; stage: ReturnFailureStage; jdCode?: string }): Promise<void> {
      await superseded(() => recordReturnFailed(db, { returnNo, revision, ...f, idempotencyKey: activityKey() }));
      metrics.documentEntered('return', 'FAILED');
    },

    /**
     * THE sales-return receipt (once per return), stock raised by what JD received, RECEIVED; answers the
     * `return.received` webhook's data, the same receipt again after a lost answer.
     */
    async bookReturnReceived(returnNo: string, revision: number, outcome: Extract<JdReturnOutcome, { kind: 'received' }>): Promise<SalesReturnReceiptData> {
      const { receipt, ret } = await superseded(() =>
        bookReturnReceived(db, { returnNo, revision, outcome: { jdStatus: outcome.jdStatus, lines: outcome.lines, ...(outcome.finishedAt !== undefined && { finishedAt: outcome.finishedAt }) } }),
      );
      metrics.documentEntered('return', 'RECEIVED');
      const lines = ret.lines.map((line) => {
        const receivedQuantity = line.receivedQuantity ?? 0;
        return { sku: line.sku, quantity: line.quantity, receivedQuantity, shortQuantity: Math.max(line.quantity - receivedQuantity, 0), ...(line.goodsLevel !== null && { goodsLevel: line.goodsLevel }) };
      });
      return {
        receiptNo: receipt.receiptNo,
        returnNo,
        orderNo: ret.orderNo,
        type: ret.type,
        eclpRtwNo: receipt.eclpRtwNo,
        warehouseCode: receipt.warehouseCode,
        receivedAt: receipt.receivedAt,
        lines,
        short: lines.some((l) => l.shortQuantity > 0),
      };
    },

    /** JD ended the return on its own: rejected by the warehouse (500/600) or cancelled (400). */
    async recordReturnEnded(returnNo: string, revision: number, e: { status: 'REJECTED' | 'CANCELLED'; jdStatus: string; reason?: string }): Promise<void> {
      await superseded(() => recordReturnEnded(db, { returnNo, revision, ...e, idempotencyKey: activityKey() }));
      metrics.documentEntered('return', e.status);
    },

    /** A cancel request's verdict, with the status change it brings, recorded where the API looks for it. */
    async recordReturnRequestDecision(returnNo: string, revision: number, request: ReturnDecidedRequest, decision: ReturnDecision): Promise<void> {
      await superseded(() => recordReturnRequestDecision(db, { returnNo, revision, request, ...decision, idempotencyKey: activityKey() }));
      countDecision(metrics, 'return', request.kind, decision);
    },

    /** An operation-log line without a status change (overdue at JD, webhook given up). */
    async recordReturnEvent(returnNo: string, revision: number, action: string, detail: Record<string, unknown>): Promise<void> {
      await recordReturnEvent(db, { returnNo, revision, action, detail, idempotencyKey: activityKey() });
    },

    /**
     * An exchange whose return ended REJECTED or CANCELLED: its replacement order is cancelled in the ERP
     * (still in review), refunded through its own run (at JD), or put before an operator (shipped, or its
     * run gone) as the return's attention item. Anything else answers 'none'. The outcome is logged on
     * the return; retries ask the order's run under the same request id and log nothing twice.
     */
    async compensateReplacement(returnNo: string, revision: number): Promise<ReplacementCompensation> {
      const ret = await getReturn(db, returnNo);
      if (ret.pushRevision !== revision) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.returnSuperseded, message: `Return ${returnNo} is no longer at push revision ${revision}; its replacement is not touched`, nonRetryable: true });
      }
      if (ret.type !== 'EXCHANGE' || ret.replacementOrderNo === null) return { action: 'none', reason: `return ${returnNo} has no replacement order` };
      if (ret.status !== 'REJECTED' && ret.status !== 'CANCELLED') return { action: 'none', reason: `return ${returnNo} is ${ret.status}: its replacement order stands` };
      const { outcome, attention } = await compensation(ret, ret.replacementOrderNo);
      if (attention !== undefined) {
        await superseded(() => recordReturnAttention(db, { returnNo, revision, attention, detail: { replacement: outcome }, idempotencyKey: activityKey() }));
        return outcome;
      }
      await recordReturnEvent(db, { returnNo, revision, action: 'replacement_compensated', detail: { replacement: outcome }, idempotencyKey: activityKey() });
      return outcome;
    },
  };
}
