// ERP-side steps of the sales-order saga: claim the order, check it before JD is asked, and record
// each outcome (status, operation log, stock ledger) exactly once even when an activity is retried.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { ConflictError } from '../domain/errors';
import { preflightSalesOrder } from '../domain/sales-order';
import type { SalesOrderStatus } from '../domain/statuses';
import { parseTimestamp } from '../eclp/protocol';
import {
  claimPush,
  getSalesOrder,
  loadPushMaterial,
  recordCancelDecision,
  recordEvent,
  recordFailed,
  recordPushed,
  recordShipped,
  type FailureStage,
} from '../db/sales-orders';
import { ledgerForDocument } from '../db/stock-ledger';
import type { CancelOutcome, CancelRequest } from '../workflows/sales-order-messages';
import { activityKey } from './erp-goods';

export type SalesOrderPreflight = { kind: 'ready'; jdWarehouseNo: string } | { kind: 'invalid'; reason: string };

/** What JD reported when the order left the warehouse (from `awaitSalesOrderOutcome`). */
export interface JdShipment {
  wayBill: string | null;
  jdShipperNo: string | null;
  jdShipperName: string | null;
  /** JD's operateTime of the shipping step, Beijing time as JD writes it. */
  jdShippedAt: string | null;
  lines: Array<{ goodsNo?: string; isvGoodsNo?: string; quantity?: number; shippedQty?: number }>;
}

/** The `sales_order.shipped` webhook's data: document numbers and goods, never consignee data. */
export interface SalesOrderShippedData {
  orderNo: string;
  shopOrderNo: string | null;
  pushRevision: number;
  eclpSoNo: string | null;
  warehouseCode: string;
  carrierCode: string;
  jdShipperNo: string | null;
  jdShipperName: string | null;
  wayBill: string | null;
  shippedAt: string;
  lines: Array<{ sku: string; quantity: number }>;
}

/**
 * Quantities to book per SKU: what JD says left the warehouse (`realOutQty`, else the JD line quantity),
 * matched by our SKU or JD's goods number; the ordered quantity when JD reports no line for it.
 */
export function shippedQuantities(
  orderLines: ReadonlyArray<{ sku: string; quantity: number }>,
  jdGoodsNoBySku: ReadonlyMap<string, string | null>,
  jdLines: JdShipment['lines'],
): Array<{ sku: string; quantity: number }> {
  return orderLines.map((line) => {
    const goodsNo = jdGoodsNoBySku.get(line.sku);
    const reported = jdLines.find((l) => l.isvGoodsNo === line.sku || (goodsNo != null && l.goodsNo === goodsNo));
    const quantity = reported?.shippedQty ?? reported?.quantity ?? line.quantity;
    return { sku: line.sku, quantity };
  });
}

function workflowIdOfActivity(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error('sales-order activities run inside a workflow');
  return id;
}

/** A run that lost its order to a newer push revision must stop, not retry. */
async function orSuperseded<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof ConflictError) throw ApplicationFailure.create({ type: 'SalesOrderSuperseded', message: err.message, nonRetryable: true });
    throw err;
  }
}

export function createSalesOrderActivities(deps: { db: Knex }) {
  const { db } = deps;
  return {
    /** REVIEW → PUSHING for this run (the API usually did it already; then this only confirms). */
    async claimSalesOrderPush(orderNo: string, revision: number): Promise<{ claimed: boolean; status: SalesOrderStatus }> {
      const claimed = await claimPush(db, { orderNo, revision, workflowId: workflowIdOfActivity(), actorRole: 'system' });
      const order = await getSalesOrder(db, orderNo);
      return { claimed, status: order.status };
    },

    /** Pre-flight with no JD call: every reason is one an operator can fix in master data or the order. */
    async preflightSalesOrder(orderNo: string, revision: number): Promise<SalesOrderPreflight> {
      const material = await loadPushMaterial(db, orderNo, revision);
      if (!material) return { kind: 'invalid', reason: `Sales order ${orderNo} is no longer at push revision ${revision}` };
      const checked = preflightSalesOrder(material);
      if (!checked.ok) return { kind: 'invalid', reason: `Pre-flight failed: ${checked.problems.join('; ')}` };
      return { kind: 'ready', jdWarehouseNo: checked.order.warehouseNo };
    },

    async recordSalesOrderPushed(orderNo: string, revision: number, pushed: { eclpSoNo: string; jdWarehouseNo: string; recovered: boolean }): Promise<void> {
      await orSuperseded(() => recordPushed(db, { orderNo, revision, ...pushed, idempotencyKey: activityKey() }));
    },

    async recordSalesOrderFailed(orderNo: string, revision: number, failure: { reason: string; stage: FailureStage; jdCode?: string }): Promise<void> {
      await orSuperseded(() => recordFailed(db, { orderNo, revision, ...failure, idempotencyKey: activityKey() }));
    },

    /** SHIPPED, ledger and log in one transaction; returns the webhook data as stored (the same on a retry). */
    async recordSalesOrderShipped(orderNo: string, revision: number, jd: JdShipment): Promise<SalesOrderShippedData> {
      const order = await getSalesOrder(db, orderNo);
      const goods = await db('goods').whereIn('sku', order.lines.map((l) => l.sku)).select('sku', 'jd_goods_no');
      const jdGoodsNoBySku = new Map<string, string | null>(goods.map((g) => [g.sku as string, (g.jd_goods_no as string) ?? null]));
      const shippedAt = (jd.jdShippedAt && parseTimestamp(jd.jdShippedAt)) || new Date();
      await orSuperseded(() =>
        recordShipped(db, {
          orderNo,
          revision,
          shipment: {
            wayBill: jd.wayBill,
            jdShipperNo: jd.jdShipperNo,
            jdShipperName: jd.jdShipperName,
            shippedAt: shippedAt.toISOString(),
            lines: shippedQuantities(order.lines, jdGoodsNoBySku, jd.lines),
          },
          idempotencyKey: activityKey(),
        }),
      );
      const stored = await getSalesOrder(db, orderNo);
      const booked = (await ledgerForDocument(db, 'SO', orderNo)).filter((entry) => entry.docRevision === revision);
      return {
        orderNo,
        shopOrderNo: stored.shopOrderNo,
        pushRevision: revision,
        eclpSoNo: stored.eclpSoNo,
        warehouseCode: stored.warehouseCode,
        carrierCode: stored.carrierCode,
        jdShipperNo: stored.jdShipperNo,
        jdShipperName: stored.jdShipperName,
        wayBill: stored.wayBill,
        shippedAt: stored.shippedAt ?? shippedAt.toISOString(),
        lines: booked.map((entry) => ({ sku: entry.sku, quantity: -entry.quantity })),
      };
    },

    /** A cancel request's verdict, with the status change it brings, recorded where the API looks for it. */
    async recordCancelDecision(orderNo: string, revision: number, request: CancelRequest, outcome: CancelOutcome): Promise<void> {
      await orSuperseded(() => recordCancelDecision(db, {
        request: {
          requestId: request.requestId,
          orderNo,
          revision,
          kind: request.kind,
          reason: request.reason,
          actorRole: request.actorRole,
          source: request.source,
          statusAtRequest: request.statusAtRequest,
        },
        verdict: outcome.verdict,
        status: outcome.status,
        ...(outcome.jdMessage !== undefined && { jdMessage: outcome.jdMessage }),
        idempotencyKey: activityKey(),
      }));
    },

    /** An operation-log line without a status change (overdue at JD, webhook given up). */
    async recordSalesOrderEvent(orderNo: string, revision: number, action: string, detail: Record<string, unknown>): Promise<void> {
      await recordEvent(db, { orderNo, revision, action, detail, idempotencyKey: activityKey() });
    },
  };
}
