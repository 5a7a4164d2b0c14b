// The sales order itself: created in REVIEW with its lines, read, listed, and gathered with the master
// data it refers to for the pre-flight and the push.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError, UnprocessableError } from '../../domain/errors';
import { isvUuidOf, type PushMaterial, type SalesOrderBody } from '../../domain/sales-order';
import type { SalesOrderStatus } from '../../domain/statuses';
import { bodyHash } from '../body-hash';
import type { Page } from '../master-data';
import { writeOperationLog, type ActorRole } from '../operation-log';
import type { SalesOrderLineRow, SalesOrderRow } from '../tables';
import { SALES_ORDER_DOC_TYPE, toSalesOrderRecord, toSalesOrderSummary, type SalesOrderRecord, type SalesOrderSummary } from './records';
import type { CancelVerdict } from '../../domain/cancel';

// ---------------------------------------------------------------- create and read

/** Unknown warehouse, carrier or SKUs are refused at creation, naming each field. */
async function checkReferences(trx: Knex.Transaction, body: SalesOrderBody): Promise<void> {
  const errors: Array<{ field: string; message: string }> = [];
  // Warehouse, carrier and SKUs in one round trip (three before).
  const found = await trx.raw<{ rows: Array<{ warehouse: boolean; carrier: boolean; skus: string[] | null }> }>(
    `SELECT EXISTS (SELECT 1 FROM warehouses WHERE code = ?) AS warehouse,
            EXISTS (SELECT 1 FROM carriers WHERE code = ?) AS carrier,
            (SELECT array_agg(sku) FROM goods WHERE sku = ANY(?::text[])) AS skus`,
    [body.warehouseCode, body.carrierCode, body.lines.map((l) => l.sku)],
  );
  const { warehouse, carrier, skus } = found.rows[0]!;
  if (!warehouse) {
    errors.push({ field: 'warehouseCode', message: `warehouse ${body.warehouseCode} does not exist in master data` });
  }
  if (!carrier) {
    errors.push({ field: 'carrierCode', message: `carrier ${body.carrierCode} does not exist in master data` });
  }
  const known = new Set(skus ?? []);
  body.lines.forEach((line, i) => {
    if (!known.has(line.sku)) errors.push({ field: `lines.${i}.sku`, message: `SKU ${line.sku} does not exist in master data` });
  });
  if (errors.length > 0) {
    throw new UnprocessableError(`The order refers to unknown master data: ${errors.map((e) => e.message).join('; ')}`, 'unknown-master-data', { errors });
  }
}

/**
 * Creates the order in REVIEW. Idempotent on orderNo: the same body again answers the stored order,
 * a different body is a conflict (the ERP must not silently replace what may already be at JD).
 */
export async function createSalesOrder(db: Knex, body: SalesOrderBody, actor: ActorRole): Promise<{ record: SalesOrderRecord; created: boolean }> {
  const created = await db.transaction((trx) => insertSalesOrder(trx, body, actor));
  return { record: await getSalesOrder(db, body.orderNo), created };
}

/**
 * An exchange's replacement order, created in REVIEW inside the return's own transaction (so the return
 * and its replacement exist together or not at all), by the same code as any order, linked to the return.
 * Refuses an order number already taken by an order with another body (ConflictError `order-exists`).
 */
export async function createReplacementSalesOrder(trx: Knex.Transaction, body: SalesOrderBody, link: { replacementFor: string; actor: ActorRole }): Promise<SalesOrderRecord> {
  await insertSalesOrder(trx, body, link.actor, link.replacementFor);
  return getSalesOrder(trx, body.orderNo);
}

/** True when inserted now; false for a repeat of the same body. */
async function insertSalesOrder(trx: Knex.Transaction, body: SalesOrderBody, actor: ActorRole, replacementFor?: string): Promise<boolean> {
  const hash = bodyHash(body);
  const existing = await trx('sales_orders').where({ order_no: body.orderNo }).first();
  if (existing) return sameBodyOrConflict(existing, hash);
  await checkReferences(trx, body);
  const inserted = await trx('sales_orders')
    .insert({
      order_no: body.orderNo,
      shop_order_no: body.shopOrderNo ?? null,
      warehouse_code: body.warehouseCode,
      carrier_code: body.carrierCode,
      consignee_name: body.consignee.name,
      consignee_mobile: body.consignee.mobile ?? null,
      consignee_phone: body.consignee.phone ?? null,
      consignee_province: body.consignee.province,
      consignee_city: body.consignee.city,
      consignee_county: body.consignee.county,
      consignee_town: body.consignee.town ?? null,
      consignee_address: body.consignee.address,
      remark: body.remark ?? null,
      body_hash: hash,
      replacement_for: replacementFor ?? null,
    })
    .onConflict('order_no')
    .ignore()
    .returning('order_no');
  // Lost a race with a concurrent create of the same order: judge it like a repeat.
  if (inserted.length === 0) return sameBodyOrConflict((await trx('sales_orders').where({ order_no: body.orderNo }).first())!, hash);
  await trx('sales_order_lines').insert(
    body.lines.map((line, i) => ({ order_no: body.orderNo, line_no: i + 1, sku: line.sku, quantity: line.quantity, price: line.price })),
  );
  await writeOperationLog(trx, {
    docType: SALES_ORDER_DOC_TYPE,
    docKey: body.orderNo,
    action: 'created',
    actorRole: actor,
    detail: { lines: body.lines.length, warehouseCode: body.warehouseCode, ...(replacementFor !== undefined && { replacementFor }) },
  });
  return true;
}

function sameBodyOrConflict(existing: SalesOrderRow, hash: string): false {
  if (existing.body_hash === hash) return false;
  throw new ConflictError(`Sales order ${existing.order_no} already exists with a different body; an order cannot be replaced`, 'order-exists', {
    currentStatus: existing.status,
  });
}

/** The order with its lines in one round trip (the lines as JSON: `price` comes as a number, which the record converts anyway). */
export async function findSalesOrder(db: Knex | Knex.Transaction, orderNo: string): Promise<SalesOrderRecord | undefined> {
  const row: (SalesOrderRow & { lines_json: SalesOrderLineRow[] | null }) | undefined = await db('sales_orders as so')
    .where('so.order_no', orderNo)
    .select('so.*', db.raw('(SELECT json_agg(l ORDER BY l.line_no) FROM sales_order_lines l WHERE l.order_no = so.order_no) AS lines_json'))
    .first();
  if (!row) return undefined;
  const { lines_json: lines, ...order } = row;
  return toSalesOrderRecord(order, lines ?? []);
}

export async function getSalesOrder(db: Knex | Knex.Transaction, orderNo: string): Promise<SalesOrderRecord> {
  const order = await findSalesOrder(db, orderNo);
  if (!order) throw new NotFoundError(`No sales order "${orderNo}"`, 'not-found');
  return order;
}

export interface SalesOrderFilter {
  status?: SalesOrderStatus;
  warehouseCode?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  /** Orders with at least one cancel request that ended so (e.g. REFUSED_BY_JD). */
  cancelVerdict?: CancelVerdict;
  /** Orders JD shipped less of than ordered (true), or the others (false). */
  shortShipped?: boolean;
}

export async function listSalesOrders(db: Knex, filter: SalesOrderFilter, page: Page): Promise<{ items: SalesOrderSummary[]; total: number }> {
  const base = () => {
    const q = db('sales_orders');
    if (filter.status) q.where({ status: filter.status });
    if (filter.warehouseCode) q.where({ warehouse_code: filter.warehouseCode });
    if (filter.createdFrom) q.where('created_at', '>=', filter.createdFrom);
    if (filter.createdBefore) q.where('created_at', '<', filter.createdBefore);
    if (filter.shortShipped !== undefined) q.where({ short_shipped: filter.shortShipped });
    if (filter.cancelVerdict) {
      const verdict = filter.cancelVerdict;
      q.whereExists((sub) => sub.select(db.raw('1')).from('cancel_requests').whereRaw('cancel_requests.order_no = sales_orders.order_no').andWhere({ verdict }));
    }
    return q;
  };
  const [rows, counted] = await Promise.all([
    base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'order_no' }]).limit(page.limit).offset(page.offset),
    base().count<{ count: string }[]>({ count: '*' }),
  ]);
  return { items: rows.map((row) => toSalesOrderSummary(row)), total: Number(counted[0]?.count ?? 0) };
}

// ---------------------------------------------------------------- what the push and the sweeper read

/** The order and the master data it refers to, as the pre-flight and the push need them. */
export async function loadSalesOrderPushMaterial(db: Knex, orderNo: string, revision: number): Promise<PushMaterial | undefined> {
  const order = await findSalesOrder(db, orderNo);
  if (!order || order.pushRevision !== revision) return undefined;
  const [warehouse, carrier, goodsRows, barcodeRows] = await Promise.all([
    db('warehouses').where({ code: order.warehouseCode }).first(),
    db('carriers').where({ code: order.carrierCode }).first(),
    db('goods').whereIn('sku', order.lines.map((l) => l.sku)),
    db('goods_barcodes').whereIn('sku', order.lines.map((l) => l.sku)),
  ]);
  const goods = new Map<string, { jdGoodsNo: string | null; barcodes: string[] }>(goodsRows.map((g) => [g.sku, { jdGoodsNo: g.jd_goods_no, barcodes: [] }]));
  for (const b of barcodeRows) goods.get(b.sku)?.barcodes.push(b.barcode);
  return {
    orderNo,
    revision,
    shopOrderNo: order.shopOrderNo,
    remark: order.remark,
    consignee: order.consignee,
    lines: order.lines,
    warehouse: warehouse ? { code: warehouse.code, eclpConnected: warehouse.eclp_connected, jdWarehouseNo: warehouse.jd_warehouse_no } : undefined,
    carrier: carrier ? { code: carrier.code, jdShipperNo: carrier.jd_shipper_no } : undefined,
    goods,
  };
}

/** The order as its push finds it: whose run holds it, and the push material. */
export interface SalesOrderForPush {
  status: SalesOrderStatus;
  pushRevision: number;
  workflowId: string | null;
  material: PushMaterial;
}

interface PushRow {
  order_no: string;
  shop_order_no: string | null;
  remark: string | null;
  status: SalesOrderStatus;
  push_revision: number;
  workflow_id: string | null;
  consignee_name: string;
  consignee_mobile: string | null;
  consignee_phone: string | null;
  consignee_province: string | null;
  consignee_city: string | null;
  consignee_county: string | null;
  consignee_town: string | null;
  consignee_address: string;
  w_code: string | null;
  w_eclp_connected: boolean | null;
  w_jd_warehouse_no: string | null;
  c_code: string | null;
  c_jd_shipper_no: string | null;
  lines: Array<{ sku: string; quantity: number; price: number; known: boolean; jdGoodsNo: string | null; barcodes: string[] }> | null;
}

/**
 * `loadSalesOrderPushMaterial` in one round trip instead of six (order, lines, warehouse, carrier, goods,
 * barcodes): what the push reads once per attempt, together with who holds the order (its claim).
 */
export async function loadSalesOrderForPush(db: Knex, orderNo: string): Promise<SalesOrderForPush | undefined> {
  const result = await db.raw<{ rows: PushRow[] }>(
    `SELECT so.order_no, so.shop_order_no, so.remark, so.status, so.push_revision, so.workflow_id,
            so.consignee_name, so.consignee_mobile, so.consignee_phone, so.consignee_province, so.consignee_city,
            so.consignee_county, so.consignee_town, so.consignee_address,
            w.code AS w_code, w.eclp_connected AS w_eclp_connected, w.jd_warehouse_no AS w_jd_warehouse_no,
            c.code AS c_code, c.jd_shipper_no AS c_jd_shipper_no,
            (SELECT json_agg(json_build_object(
                      'sku', l.sku, 'quantity', l.quantity, 'price', l.price, 'known', g.sku IS NOT NULL, 'jdGoodsNo', g.jd_goods_no,
                      'barcodes', COALESCE((SELECT json_agg(b.barcode) FROM goods_barcodes b WHERE b.sku = l.sku), '[]'::json))
                    ORDER BY l.line_no)
               FROM sales_order_lines l LEFT JOIN goods g ON g.sku = l.sku
              WHERE l.order_no = so.order_no) AS lines
       FROM sales_orders so
       LEFT JOIN warehouses w ON w.code = so.warehouse_code
       LEFT JOIN carriers c ON c.code = so.carrier_code
      WHERE so.order_no = ?`,
    [orderNo],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const lines = row.lines ?? [];
  return {
    status: row.status,
    pushRevision: row.push_revision,
    workflowId: row.workflow_id,
    material: {
      orderNo,
      revision: row.push_revision,
      shopOrderNo: row.shop_order_no,
      remark: row.remark,
      consignee: {
        name: row.consignee_name,
        mobile: row.consignee_mobile,
        phone: row.consignee_phone,
        province: row.consignee_province,
        city: row.consignee_city,
        county: row.consignee_county,
        town: row.consignee_town,
        address: row.consignee_address,
      },
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, price: Number(l.price) })),
      warehouse: row.w_code === null ? undefined : { code: row.w_code, eclpConnected: row.w_eclp_connected === true, jdWarehouseNo: row.w_jd_warehouse_no },
      carrier: row.c_code === null || row.c_jd_shipper_no === null ? undefined : { code: row.c_code, jdShipperNo: row.c_jd_shipper_no },
      goods: new Map(lines.filter((l) => l.known).map((l) => [l.sku, { jdGoodsNo: l.jdGoodsNo, barcodes: l.barcodes }])),
    },
  };
}

export interface OpenSalesOrder {
  orderNo: string;
  workflowId: string;
  isvUuid: string;
}

export interface OpenSalesOrderPage {
  orders: OpenSalesOrder[];
  /** Pass as `afterOrderNo` for the next page; absent on the last page. */
  nextAfter?: string;
}

/** A sweep must finish in one interval; bigger pages only make each activity result heavier. */
export const MAX_OPEN_ORDER_PAGE = 1000;

/**
 * The sales orders JD is working on (WMS配货) in one JD warehouse, with the keys the sweeper needs to ask
 * JD (isvUUID) and to tell the order's run (workflow ID). Keyset pages in order-number order, so an
 * order that changes status while the sweep pages through neither shifts the pages nor is read twice.
 */
export async function listOpenSalesOrders(db: Knex, jdWarehouseNo: string, page: { afterOrderNo?: string; limit: number }): Promise<OpenSalesOrderPage> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_OPEN_ORDER_PAGE);
  const query = db('sales_orders')
    .where({ status: 'WMS_PICKING', jd_warehouse_no: jdWarehouseNo })
    .whereNotNull('workflow_id')
    .select('order_no', 'push_revision', 'workflow_id')
    .orderBy('order_no')
    .limit(limit);
  if (page.afterOrderNo !== undefined) query.where('order_no', '>', page.afterOrderNo);
  const rows = await query;
  // whereNotNull above: the check only tells the type.
  const orders = rows.flatMap((row) =>
    row.workflow_id === null ? [] : [{ orderNo: row.order_no, workflowId: row.workflow_id, isvUuid: isvUuidOf(row.order_no, row.push_revision) }],
  );
  const last = orders.at(-1);
  return rows.length === limit && last ? { orders, nextAfter: last.orderNo } : { orders };
}
