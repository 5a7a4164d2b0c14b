// The sales order's status transitions written by its saga (and the approval that starts it), each in
// one transaction with its operation-log line; the log line's idempotency key makes a retried activity
// change nothing twice.
import type { Knex } from 'knex';
import { NotFoundError } from '../../domain/errors';
import type { FailureStage } from '../../domain/sales-order';
import type { SalesOrderStatus } from '../../domain/statuses';
import { writeOperationLog, type ActorRole } from '../operation-log';
import { documentTransition, recordDocumentEvent, type DocumentTable, type DocumentTransition } from '../document-transition';
import { draftReturnForRefusedRefund } from '../returns/drafts';
import { bookOutbound } from '../stock-ledger';
import type { SalesOrderWrites } from '../tables';
import { SALES_ORDER_DOC_TYPE } from './records';

/**
 * REVIEW → PUSHING under the next revision. Both the API (right after starting the workflow) and the
 * workflow's first activity call it, so a crash between the two still leaves the order claimed.
 * True when the order is (now) PUSHING under `revision`.
 */
export async function claimSalesOrderPush(
  db: Knex,
  input: { orderNo: string; revision: number; workflowId: string; actorRole: ActorRole; jdWarehouseNo?: string | null },
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const row = await trx('sales_orders').where({ order_no: input.orderNo }).forUpdate().first();
    if (!row) throw new NotFoundError(`No sales order "${input.orderNo}"`, 'not-found');
    if (row.push_revision === input.revision) return row.workflow_id === input.workflowId;
    if (row.status !== 'REVIEW' || row.push_revision !== input.revision - 1) return false;
    await trx('sales_orders')
      .where({ order_no: input.orderNo })
      .update({
        status: 'PUSHING',
        status_since: trx.fn.now(),
        push_revision: input.revision,
        workflow_id: input.workflowId,
        jd_warehouse_no: input.jdWarehouseNo ?? null,
        eclp_so_no: null,
        way_bill: null,
        failure_reason: null,
        updated_at: trx.fn.now(),
      });
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: input.orderNo,
      action: 'approved',
      actorRole: input.actorRole,
      detail: { pushRevision: input.revision, workflowId: input.workflowId },
    });
    return true;
  });
}

/** A sales-order step: the shared transition under the order's own names and column types. */
type Transition = Omit<DocumentTransition<SalesOrderStatus>, 'docNo' | 'set'> & { orderNo: string; set?: SalesOrderWrites };

export const SALES_ORDERS: DocumentTable = { table: 'sales_orders', key: 'order_no', docType: SALES_ORDER_DOC_TYPE, noun: 'Sales order' };

/** The order's status change and its log line (db/document-transition.ts); false for a repeat. */
function transition(trx: Knex.Transaction, { orderNo, ...t }: Transition): Promise<boolean> {
  return documentTransition(trx, SALES_ORDERS, { docNo: orderNo, ...t });
}

export async function recordSalesOrderPushed(
  db: Knex,
  input: { orderNo: string; revision: number; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean; idempotencyKey: string },
): Promise<void> {
  await db.transaction((trx) =>
    transition(trx, {
      orderNo: input.orderNo,
      revision: input.revision,
      from: ['PUSHING'],
      to: 'WMS_PICKING',
      set: { eclp_so_no: input.eclpSoNo, jd_warehouse_no: input.jdWarehouseNo, failure_reason: null },
      action: 'pushed',
      detail: { eclpSoNo: input.eclpSoNo, ...(input.recovered && { recoveredAfterAmbiguousFailure: true }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

export async function recordSalesOrderFailed(
  db: Knex,
  input: { orderNo: string; revision: number; reason: string; stage: FailureStage; jdCode?: string; idempotencyKey: string },
): Promise<void> {
  await db.transaction((trx) =>
    transition(trx, {
      orderNo: input.orderNo,
      revision: input.revision,
      from: ['PUSHING', 'WMS_PICKING'],
      to: 'FAILED',
      set: { failure_reason: input.reason },
      action: input.stage === 'preflight' ? 'preflight_failed' : input.stage,
      detail: { reason: input.reason, ...(input.jdCode !== undefined && { jdCode: input.jdCode }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

export interface SalesOrderShipment {
  /** The first waybill; null only if JD reported shipping without a waybill number. */
  wayBill: string | null;
  /** Every parcel's waybill, in JD's order (a multi-parcel shipment has several). */
  wayBills: string[];
  jdShipperNo: string | null;
  jdShipperName: string | null;
  /** ISO 8601 (it crosses Temporal as JSON). */
  shippedAt: string;
  /** What left the warehouse, per SKU; a SKU left out shipped nothing. */
  lines: Array<{ sku: string; quantity: number }>;
}

/**
 * SHIPPED with waybills and carrier, what each line shipped and fell short, and the outbound booked in
 * the stock ledger — all or nothing. Only what JD shipped is booked; a shortfall puts the order on the
 * operator's short-shipped list.
 */
export async function recordSalesOrderShipped(db: Knex, input: { orderNo: string; revision: number; shipment: SalesOrderShipment; idempotencyKey: string }): Promise<void> {
  const { shipment } = input;
  await db.transaction(async (trx) => {
    const shippedBySku = new Map(shipment.lines.map((line) => [line.sku, line.quantity]));
    const lines = (await trx('sales_order_lines').where({ order_no: input.orderNo }).orderBy('line_no')).map((line) => {
      const shipped = shippedBySku.get(line.sku) ?? 0;
      return { lineNo: line.line_no, sku: line.sku, ordered: line.quantity, shipped, short: Math.max(line.quantity - shipped, 0) };
    });
    const shortfall = lines.filter((line) => line.short > 0).map(({ lineNo: _lineNo, ...line }) => line);
    const first = await transition(trx, {
      orderNo: input.orderNo,
      revision: input.revision,
      from: ['WMS_PICKING'],
      to: 'SHIPPED',
      set: {
        way_bill: shipment.wayBill,
        way_bills: shipment.wayBills,
        short_shipped: shortfall.length > 0,
        jd_shipper_no: shipment.jdShipperNo,
        jd_shipper_name: shipment.jdShipperName,
        shipped_at: shipment.shippedAt,
      },
      action: 'shipped',
      detail: {
        wayBill: shipment.wayBill,
        wayBills: shipment.wayBills,
        jdShipperNo: shipment.jdShipperNo,
        outbound: shipment.lines,
        ...(shortfall.length > 0 && { shortfall }),
      },
      idempotencyKey: input.idempotencyKey,
    });
    if (!first) return;
    for (const line of lines) {
      await trx('sales_order_lines')
        .where({ order_no: input.orderNo, line_no: line.lineNo })
        .update({ shipped_quantity: line.shipped, short_quantity: line.short });
    }
    // The transition above just updated this row in this transaction.
    const order = (await trx('sales_orders').where({ order_no: input.orderNo }).first())!;
    await bookOutbound(trx, { warehouseCode: order.warehouse_code, docType: 'SO', docNo: input.orderNo, docRevision: input.revision, lines: shipment.lines });
    // A refund JD refused (picking had begun): the goods went anyway, so their return is drafted with the booking.
    await draftReturnForRefusedRefund(trx, { orderNo: input.orderNo, revision: input.revision, warehouseCode: order.warehouse_code, lines: shipment.lines });
  });
}

/** A log line that changes no status (still waiting at JD, webhook given up, …). */
export async function recordSalesOrderEvent(
  db: Knex,
  { orderNo, ...input }: { orderNo: string; revision: number; action: string; detail: Record<string, unknown>; idempotencyKey: string },
): Promise<void> {
  await recordDocumentEvent(db, SALES_ORDERS, { docNo: orderNo, ...input });
}
