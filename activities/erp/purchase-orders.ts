// ERP-side steps of the purchase-order saga: check the PO before JD is asked, record each outcome
// (status, operation log) and book what the warehouse receives (receipts, stock ledger) exactly once,
// whether an activity is retried, repeated or run twice at once.
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import {
  bookPurchaseReceipts,
  findPurchaseOrder,
  loadPurchaseOrderPushMaterial,
  recordPurchaseOrderEvent,
  recordPurchaseOrderFailed,
  recordPurchaseOrderPushed,
  recordPurchaseOrderRepush,
  recordPurchaseOrderRequestDecision,
  recordPurchaseOrderUnconfirmed,
  type PurchaseOrderPushMaterial,
} from '../../db/purchase-orders';
import type { CancelSource } from '../../domain/cancel';
import type { PurchaseOrderFailureStage, PurchaseOrderRequestKind, PurchaseOrderVerdict } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { FAILURE_TYPES } from '../../messages/failure-types';
import type { JdPurchaseOrderProgress, PurchaseReceiptBooking } from '../../messages/purchase-order';
import { activityKey } from '../context';
import { countDecision, NO_ACTIVITY_METRICS, type ActivityMetrics } from '../metrics';
import { orSuperseded } from './superseded';

export type PurchaseOrderPreflight =
  | { kind: 'ready'; jdWarehouseNo: string; skusToSync: string[] }
  | { kind: 'invalid'; reason: string }
  | { kind: 'superseded'; status: PurchaseOrderStatus };

/** A request as the run decided it (inbox requests, link and repush alike); `source` and `actorRole` are claims. */
export interface PurchaseOrderDecidedRequest {
  requestId: string;
  kind: PurchaseOrderRequestKind;
  reason?: string;
  poOrderNo?: string;
  actorRole: string;
  source: CancelSource;
  statusAtRequest: PurchaseOrderStatus;
}

export interface PurchaseOrderDecision {
  verdict: PurchaseOrderVerdict;
  status: PurchaseOrderStatus;
  jdMessage?: string;
  /** The status the run saw when it decided. */
  from: PurchaseOrderStatus;
}

/**
 * Everything that stops the push that an operator can fix in master data, each naming the thing and
 * where to fix it, in words without '; ' (the saga's reason joins them with it). Goods without a JD number are not a problem: the saga creates them first.
 */
export function purchaseOrderProblems(m: PurchaseOrderPushMaterial): string[] {
  const problems: string[] = [];
  const { po, warehouse, supplier } = m;
  if (!warehouse) problems.push(`warehouse ${po.warehouseCode} does not exist in master data`);
  else if (!warehouse.eclpConnected) problems.push(`warehouse ${warehouse.code} is not ECLP-connected (set eclpConnected with PUT /v1/warehouses/${warehouse.code})`);
  else if (!warehouse.jdWarehouseNo) problems.push(`warehouse ${warehouse.code} has no JD warehouse number (set jdWarehouseNo with PUT /v1/warehouses/${warehouse.code})`);
  if (!supplier) problems.push(`supplier ${po.supplierCode} is not mapped to a JD supplier (create it with PUT /v1/suppliers/${po.supplierCode} and the jdSupplierNo JD gave you)`);
  for (const line of po.lines) {
    const goods = m.goods.get(line.sku);
    if (!goods) {
      problems.push(`SKU ${line.sku} does not exist in master data`);
      continue;
    }
    // JD already has goods with a number: its category and barcodes were checked when they were created.
    if (goods.jdGoodsNo) continue;
    if (!goods.jdThirdCategoryNo) {
      problems.push(`category ${goods.categoryCode} of SKU ${line.sku} has no JD category mapping (京东分类对应关系: map it with PUT /v1/categories/${goods.categoryCode})`);
    }
    if (goods.barcodes.length === 0) problems.push(`SKU ${line.sku} has no barcode (JD matches goods by barcode)`);
  }
  return problems;
}

export function createPurchaseOrderActivities(deps: { db: Knex; metrics?: ActivityMetrics }) {
  const { db } = deps;
  const metrics = deps.metrics ?? NO_ACTIVITY_METRICS;
  const superseded = <T>(write: () => Promise<T>) => orSuperseded(FAILURE_TYPES.purchaseOrderSuperseded, write);
  return {
    /**
     * Pre-flight with no JD call, on the PO as Postgres has it: 'superseded' unless it is PUSHING at this
     * revision, 'invalid' with every problem an operator can fix, else JD's warehouse and the SKUs JD lacks.
     */
    async preflightPurchaseOrder(poNo: string, revision: number): Promise<PurchaseOrderPreflight> {
      const material = await loadPurchaseOrderPushMaterial(db, poNo, revision);
      if (!material || material.po.status !== 'PUSHING') {
        const po = material?.po ?? (await findPurchaseOrder(db, poNo));
        if (!po) throw ApplicationFailure.create({ type: FAILURE_TYPES.purchaseOrderSuperseded, message: `No purchase order "${poNo}"`, nonRetryable: true });
        return { kind: 'superseded', status: po.status };
      }
      const problems = purchaseOrderProblems(material);
      if (problems.length > 0) return { kind: 'invalid', reason: `Pre-flight failed: ${problems.join('; ')}` };
      const skusToSync = material.po.lines.filter((line) => !material.goods.get(line.sku)?.jdGoodsNo).map((line) => line.sku);
      return { kind: 'ready', jdWarehouseNo: material.warehouse!.jdWarehouseNo!, skusToSync };
    },

    async recordPurchaseOrderPushed(
      poNo: string,
      revision: number,
      at: { poOrderNo: string; spPoOrderNo: string; jdWarehouseNo: string; recovered: boolean; linked?: boolean },
    ): Promise<void> {
      await superseded(() => recordPurchaseOrderPushed(db, { poNo, revision, ...at, idempotencyKey: activityKey() }));
      metrics.documentEntered('purchase_order', 'WAITING_INBOUND');
    },

    async recordPurchaseOrderFailed(poNo: string, revision: number, f: { reason: string; stage: PurchaseOrderFailureStage; jdCode?: string; sku?: string }): Promise<void> {
      await superseded(() => recordPurchaseOrderFailed(db, { poNo, revision, ...f, idempotencyKey: activityKey() }));
      metrics.documentEntered('purchase_order', 'FAILED');
    },

    async recordPurchaseOrderUnconfirmed(poNo: string, revision: number, u: { spPoOrderNo: string; jdMessage: string }): Promise<void> {
      await superseded(() => recordPurchaseOrderUnconfirmed(db, { poNo, revision, ...u, idempotencyKey: activityKey() }));
      metrics.documentEntered('purchase_order', 'PUSH_UNCONFIRMED');
    },

    /** PUSHING under the next revision; already there is a retry and changes nothing. */
    async recordPurchaseOrderRepush(poNo: string, fromRevision: number, toRevision: number): Promise<void> {
      await superseded(() => recordPurchaseOrderRepush(db, { poNo, fromRevision, toRevision }));
      metrics.documentEntered('purchase_order', 'PUSHING');
    },

    /**
     * New received quantities become one receipt that raises stock; returns the receipts the run has not
     * seen (seq > seenReceipts), including one booked by an attempt whose answer was lost.
     */
    async bookPurchaseReceipts(poNo: string, revision: number, progress: JdPurchaseOrderProgress, status: PurchaseOrderStatus, seenReceipts: number): Promise<PurchaseReceiptBooking> {
      const booked = await superseded(() => bookPurchaseReceipts(db, { poNo, revision, progress, status, seenReceipts }));
      // The first receipt moves the PO into PARTIALLY_RECEIVED (or straight to RECEIVED); later ones only the last to RECEIVED.
      if (booked.receipts.length > 0 && (status === 'RECEIVED' || booked.receipts.some((r) => r.seq === 1))) metrics.documentEntered('purchase_order', status);
      return {
        receipts: booked.receipts.map((r) => ({ receiptNo: r.receiptNo, seq: r.seq, poNo, poOrderNo: r.poOrderNo, warehouseCode: r.warehouseCode, receivedAt: r.receivedAt, lines: r.lines })),
        totalReceipts: booked.totalReceipts,
        receivedTotal: booked.receivedTotal,
      };
    },

    /** A request's verdict, with the status change it brings, recorded where the API looks for it. */
    async recordPurchaseOrderRequestDecision(poNo: string, revision: number, request: PurchaseOrderDecidedRequest, decision: PurchaseOrderDecision): Promise<void> {
      await superseded(() =>
        recordPurchaseOrderRequestDecision(db, {
          poNo,
          revision,
          request,
          verdict: decision.verdict,
          status: decision.status,
          from: decision.from,
          ...(decision.jdMessage !== undefined && { jdMessage: decision.jdMessage }),
          idempotencyKey: activityKey(),
        }),
      );
      countDecision(metrics, 'purchase_order', request.kind, decision);
    },

    /** An operation-log line without a status change (overdue at JD, webhook given up, serials not uploaded). */
    async recordPurchaseOrderEvent(poNo: string, revision: number, action: string, detail: Record<string, unknown>): Promise<void> {
      await recordPurchaseOrderEvent(db, { poNo, revision, action, detail, idempotencyKey: activityKey() });
    },
  };
}
