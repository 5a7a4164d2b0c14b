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
  // The usual case, an order in review under the previous revision, in one statement (one round trip
  // instead of five): the row's lock makes a concurrent claim re-check `status` and find PUSHING.
  const claimed = await db.raw<{ rows: Array<{ claimed: number }> }>(
    `WITH claimed AS (
       UPDATE sales_orders
          SET status = 'PUSHING', status_since = now(), push_revision = ?, workflow_id = ?, jd_warehouse_no = ?,
              eclp_so_no = NULL, way_bill = NULL, failure_reason = NULL, updated_at = now()
        WHERE order_no = ? AND status = 'REVIEW' AND push_revision = ?
        RETURNING order_no),
     logged AS (
       INSERT INTO operation_log (doc_type, doc_key, action, actor_role, detail)
       SELECT ?, order_no, 'approved', ?, ?::jsonb FROM claimed
       RETURNING id)
     SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM logged)::int AS logged`,
    [
      input.revision,
      input.workflowId,
      input.jdWarehouseNo ?? null,
      input.orderNo,
      input.revision - 1,
      SALES_ORDER_DOC_TYPE,
      input.actorRole,
      JSON.stringify({ pushRevision: input.revision, workflowId: input.workflowId }),
    ],
  );
  if (claimed.rows[0]?.claimed === 1) return true;
  // Already claimed (by this run or another), moved on, or missing: decided under the row's lock as before.
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

/**
 * PUSHING → WMS_PICKING with its `pushed` log line in one statement (one round trip instead of four), for
 * the push activity that records its own result. A repeat (the key's line exists) or an order that moved
 * on changes nothing here and is judged by `recordSalesOrderPushed` as before (false / ConflictError).
 */
export async function recordSalesOrderPushedAtOnce(
  db: Knex,
  input: { orderNo: string; revision: number; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean; idempotencyKey: string },
): Promise<void> {
  const detail = { pushRevision: input.revision, eclpSoNo: input.eclpSoNo, ...(input.recovered && { recoveredAfterAmbiguousFailure: true }) };
  const result = await db.raw<{ rows: Array<{ moved: number }> }>(
    `WITH moved AS (
       UPDATE sales_orders
          SET eclp_so_no = ?, jd_warehouse_no = ?, failure_reason = NULL, status = 'WMS_PICKING', status_since = now(), updated_at = now()
        WHERE order_no = ? AND push_revision = ? AND status = 'PUSHING'
          AND NOT EXISTS (SELECT 1 FROM operation_log WHERE idempotency_key = ?)
        RETURNING order_no),
     logged AS (
       INSERT INTO operation_log (doc_type, doc_key, action, actor_role, detail, idempotency_key)
       SELECT ?, order_no, 'pushed', 'system', ?::jsonb, ? FROM moved
       RETURNING id)
     SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM logged)::int AS logged`,
    [input.eclpSoNo, input.jdWarehouseNo, input.orderNo, input.revision, input.idempotencyKey, SALES_ORDER_DOC_TYPE, JSON.stringify(detail), input.idempotencyKey],
  );
  if (result.rows[0]?.moved === 1) return;
  await recordSalesOrderPushed(db, input);
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
 * operator's short-shipped list. False for a repeat (nothing written).
 */
export async function recordSalesOrderShipped(db: Knex, input: { orderNo: string; revision: number; shipment: SalesOrderShipment; idempotencyKey: string }): Promise<boolean> {
  const { shipment } = input;
  return db.transaction(async (trx) => {
    const shippedBySku = new Map(shipment.lines.map((line) => [line.sku, line.quantity]));
    // The lines with their order's warehouse (which the booking needs and no step changes): one read.
    const rows = await trx('sales_order_lines as l')
      .join('sales_orders as so', 'so.order_no', 'l.order_no')
      .where('l.order_no', input.orderNo)
      .orderBy('l.line_no')
      .select<Array<{ line_no: number; sku: string; quantity: number; warehouse_code: string }>>('l.line_no', 'l.sku', 'l.quantity', 'so.warehouse_code');
    const lines = rows.map((line) => {
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
    if (!first) return false;
    if (lines.length > 0) {
      // Every line's shipped and short quantity in one statement.
      await trx.raw(
        `UPDATE sales_order_lines AS l SET shipped_quantity = v.shipped, short_quantity = v.short
           FROM (VALUES ${lines.map(() => '(?::int, ?::int, ?::int)').join(', ')}) AS v(line_no, shipped, short)
          WHERE l.order_no = ? AND l.line_no = v.line_no`,
        [...lines.flatMap((line) => [line.lineNo, line.shipped, line.short]), input.orderNo],
      );
    }
    const warehouseCode = rows[0]?.warehouse_code ?? (await trx('sales_orders').where({ order_no: input.orderNo }).first('warehouse_code'))!.warehouse_code;
    await bookOutbound(trx, { warehouseCode, docType: 'SO', docNo: input.orderNo, docRevision: input.revision, lines: shipment.lines });
    // A refund JD refused (picking had begun): the goods went anyway, so their return is drafted with the booking.
    await draftReturnForRefusedRefund(trx, { orderNo: input.orderNo, revision: input.revision, warehouseCode, lines: shipment.lines });
    return true;
  });
}

/** A log line that changes no status (still waiting at JD, webhook given up, …). */
export async function recordSalesOrderEvent(
  db: Knex,
  { orderNo, ...input }: { orderNo: string; revision: number; action: string; detail: Record<string, unknown>; idempotencyKey: string },
): Promise<void> {
  await recordDocumentEvent(db, SALES_ORDERS, { docNo: orderNo, ...input });
}
