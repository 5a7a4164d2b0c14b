// ERP-side steps of the sales-order saga: claim the order, check it before JD is asked, and record
// each outcome (status, operation log, stock ledger) exactly once even when an activity is retried.
import type { Knex } from 'knex';
import { jdGoodsNumbersOf } from '../../db/master-data';
import {
  claimSalesOrderPush,
  getSalesOrder,
  loadSalesOrderPushMaterial,
  recordSalesOrderCancelDecision,
  recordSalesOrderEvent,
  recordSalesOrderFailed,
  recordSalesOrderPushed,
  recordSalesOrderShipped,
  type SalesOrderRecord,
  type SalesOrderShipment,
} from '../../db/sales-orders';
import { ledgerForDocument } from '../../db/stock-ledger';
import { preflightSalesOrder, type FailureStage } from '../../domain/sales-order';
import type { SalesOrderStatus } from '../../domain/statuses';
import { parseJdTimestamp } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';
import type { SalesOrderCancelOutcome, SalesOrderCancelRequest } from '../../messages/sales-order';
import { activityKey, callingWorkflowId } from '../context';
import { countDecision, NO_ACTIVITY_METRICS, type ActivityMetrics } from '../metrics';
import { orSuperseded as orSupersededAs } from './superseded';
import type { JdShipment } from '../eclp/sales-orders';

export type SalesOrderPreflight = { kind: 'ready'; jdWarehouseNo: string } | { kind: 'invalid'; reason: string };

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
  /** The first waybill (for receivers that know one); `wayBills` lists every parcel's. */
  wayBill: string | null;
  wayBills: string[];
  shippedAt: string;
  /**
   * Per order line: what was booked out of stock (`quantity`, what JD shipped), what was ordered, and the
   * shortfall. A short shipment has `shortQuantity` > 0 and `shortShipped` true.
   */
  lines: Array<{ sku: string; quantity: number; orderedQuantity: number; shortQuantity: number }>;
  shortShipped: boolean;
}

/**
 * Quantities to book per SKU: what JD says left the warehouse (`realOutQty`, else the JD line quantity),
 * matched by our SKU or JD's goods number and summed when JD splits a SKU over several lines (batches);
 * the ordered quantity when JD reports no line for it. Below the ordered quantity is a short shipment.
 */
export function shippedQuantities(
  orderLines: ReadonlyArray<{ sku: string; quantity: number }>,
  jdGoodsNoBySku: ReadonlyMap<string, string | null>,
  jdLines: JdShipment['lines'],
): Array<{ sku: string; quantity: number }> {
  return orderLines.map((line) => {
    const goodsNo = jdGoodsNoBySku.get(line.sku);
    const reported = jdLines.filter((l) => l.isvGoodsNo === line.sku || (goodsNo != null && l.goodsNo === goodsNo));
    if (reported.length === 0) return { sku: line.sku, quantity: line.quantity };
    return { sku: line.sku, quantity: reported.reduce((sum, l) => sum + (l.shippedQty ?? l.quantity ?? 0), 0) };
  });
}

/** The `sales_order.shipped` data of a shipment recorded just now, as `recordSalesOrderShipped` stored it. */
function shippedDataAsWritten(order: SalesOrderRecord, revision: number, shipment: SalesOrderShipment): SalesOrderShippedData {
  const shippedBySku = new Map(shipment.lines.map((line) => [line.sku, line.quantity]));
  const lines = order.lines.map((line) => {
    const quantity = shippedBySku.get(line.sku) ?? 0;
    return { sku: line.sku, quantity, orderedQuantity: line.quantity, shortQuantity: Math.max(line.quantity - quantity, 0) };
  });
  return {
    orderNo: order.orderNo,
    shopOrderNo: order.shopOrderNo,
    pushRevision: revision,
    eclpSoNo: order.eclpSoNo,
    warehouseCode: order.warehouseCode,
    carrierCode: order.carrierCode,
    jdShipperNo: shipment.jdShipperNo,
    jdShipperName: shipment.jdShipperName,
    wayBill: shipment.wayBill,
    wayBills: shipment.wayBills,
    shippedAt: shipment.shippedAt,
    lines,
    shortShipped: lines.some((line) => line.shortQuantity > 0),
  };
}

/** A run that lost its order to a newer push revision must stop, not retry. */
function orSuperseded<T>(write: () => Promise<T>): Promise<T> {
  return orSupersededAs(FAILURE_TYPES.salesOrderSuperseded, write);
}

export function createSalesOrderActivities(deps: { db: Knex; metrics?: ActivityMetrics }) {
  const { db } = deps;
  const metrics = deps.metrics ?? NO_ACTIVITY_METRICS;
  return {
    /** REVIEW → PUSHING for this run (the API usually did it already; then this only confirms). */
    async claimSalesOrderPush(orderNo: string, revision: number): Promise<{ claimed: boolean; status: SalesOrderStatus }> {
      const claimed = await claimSalesOrderPush(db, { orderNo, revision, workflowId: callingWorkflowId(), actorRole: 'system' });
      const order = await getSalesOrder(db, orderNo);
      return { claimed, status: order.status };
    },

    /** Pre-flight with no JD call: every reason is one an operator can fix in master data or the order. */
    async preflightSalesOrder(orderNo: string, revision: number): Promise<SalesOrderPreflight> {
      const material = await loadSalesOrderPushMaterial(db, orderNo, revision);
      if (!material) return { kind: 'invalid', reason: `Sales order ${orderNo} is no longer at push revision ${revision}` };
      const checked = preflightSalesOrder(material);
      if (!checked.ok) return { kind: 'invalid', reason: `Pre-flight failed: ${checked.problems.join('; ')}` };
      return { kind: 'ready', jdWarehouseNo: checked.order.warehouseNo };
    },

    async recordSalesOrderPushed(orderNo: string, revision: number, pushed: { eclpSoNo: string; jdWarehouseNo: string; recovered: boolean }): Promise<void> {
      await orSuperseded(() => recordSalesOrderPushed(db, { orderNo, revision, ...pushed, idempotencyKey: activityKey() }));
      metrics.documentEntered('sales_order', 'WMS_PICKING');
    },

    async recordSalesOrderFailed(orderNo: string, revision: number, failure: { reason: string; stage: FailureStage; jdCode?: string }): Promise<void> {
      await orSuperseded(() => recordSalesOrderFailed(db, { orderNo, revision, ...failure, idempotencyKey: activityKey() }));
      metrics.documentEntered('sales_order', 'FAILED');
    },

    /** SHIPPED, ledger and log in one transaction; returns the webhook data as stored (the same on a retry). */
    async recordSalesOrderShipped(orderNo: string, revision: number, jd: JdShipment): Promise<SalesOrderShippedData> {
      const order = await getSalesOrder(db, orderNo);
      const jdGoodsNoBySku = await jdGoodsNumbersOf(db, order.lines.map((l) => l.sku));
      const shippedAt = (jd.jdShippedAt && parseJdTimestamp(jd.jdShippedAt)) || new Date();
      const shipment = {
        // Runs recorded before JD's waybill list crossed over carry only the first waybill.
        wayBills: jd.wayBills ?? (jd.wayBill ? [jd.wayBill] : []),
        wayBill: jd.wayBills?.[0] ?? jd.wayBill,
        jdShipperNo: jd.jdShipperNo,
        jdShipperName: jd.jdShipperName,
        shippedAt: shippedAt.toISOString(),
        lines: shippedQuantities(order.lines, jdGoodsNoBySku, jd.lines),
      };
      const first = await orSuperseded(() => recordSalesOrderShipped(db, { orderNo, revision, shipment, idempotencyKey: activityKey() }));
      metrics.documentEntered('sales_order', 'SHIPPED');
      // Written just now, the stored data is what was written: no read back (two round trips). A repeat
      // answers what the first attempt stored; so does an order listing a SKU twice (booked once per SKU).
      if (first && new Set(order.lines.map((l) => l.sku)).size === order.lines.length) return shippedDataAsWritten(order, revision, shipment);
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
        wayBills: stored.wayBills,
        shippedAt: stored.shippedAt ?? shippedAt.toISOString(),
        lines: stored.lines.map((line) => ({
          sku: line.sku,
          quantity: -(booked.find((entry) => entry.sku === line.sku)?.quantity ?? 0),
          orderedQuantity: line.quantity,
          shortQuantity: line.shortQuantity ?? 0,
        })),
        shortShipped: stored.shortShipped,
      };
    },

    /** A cancel request's verdict, with the status change it brings, recorded where the API looks for it. */
    async recordSalesOrderCancelDecision(orderNo: string, revision: number, request: SalesOrderCancelRequest, outcome: SalesOrderCancelOutcome): Promise<void> {
      await orSuperseded(() => recordSalesOrderCancelDecision(db, {
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
        ...(outcome.from !== undefined && { from: outcome.from }),
        ...(outcome.jdMessage !== undefined && { jdMessage: outcome.jdMessage }),
        idempotencyKey: activityKey(),
      }));
      countDecision(metrics, 'sales_order', request.kind, { ...outcome, from: outcome.from ?? request.statusAtRequest });
    },

    /** An operation-log line without a status change (overdue at JD, webhook given up). */
    async recordSalesOrderEvent(orderNo: string, revision: number, action: string, detail: Record<string, unknown>): Promise<void> {
      await recordSalesOrderEvent(db, { orderNo, revision, action, detail, idempotencyKey: activityKey() });
    },
  };
}
