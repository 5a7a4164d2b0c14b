// The purchase order itself: created (PUSHING for a JD warehouse, NOT_PUSHED otherwise) with its lines,
// read with everything the API shows, listed, and gathered with the master data it refers to for the
// pre-flight and the push.
import type { Knex } from 'knex';
import { NotFoundError, UnprocessableError } from '../../domain/errors';
import type { PurchaseOrderBody, PurchaseOrderVerdict } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { bodyHash } from '../body-hash';
import { existingGoodsSkus, type Page } from '../master-data';
import { readOperationLog, writeOperationLog, type ActorRole } from '../operation-log';
import { ledgerForDocument } from '../stock-ledger';
import {
  PURCHASE_ORDER_DOC_TYPE,
  toPurchaseOrderRecord,
  toPurchaseOrderSummary,
  type PurchaseOrderDetail,
  type PurchaseOrderRecord,
  type PurchaseOrderSummary,
} from './records';
import { listPurchaseReceipts } from './receipts';
import { listPurchaseOrderRequests } from './requests';
import { listSerialBatches } from './serials';

// ---------------------------------------------------------------- create and read

export type PurchaseOrderCreateOutcome = 'created' | 'same' | 'different-body';

/**
 * Unknown warehouse or SKUs are refused, naming each field: the PO could never be received. An unknown
 * supplier is not: its JD mapping is the pre-flight's to check, so the PO fails with a reason the
 * operator acts on (PUT the supplier, then repush).
 */
async function checkReferences(trx: Knex.Transaction, body: PurchaseOrderBody): Promise<{ eclpConnected: boolean }> {
  const errors: Array<{ field: string; message: string }> = [];
  const warehouse = await trx('warehouses').where({ code: body.warehouseCode }).first();
  if (!warehouse) errors.push({ field: 'warehouseCode', message: `warehouse ${body.warehouseCode} does not exist in master data` });
  const known = await existingGoodsSkus(trx, body.lines.map((l) => l.sku));
  body.lines.forEach((line, i) => {
    if (!known.has(line.sku)) errors.push({ field: `lines.${i}.sku`, message: `SKU ${line.sku} does not exist in master data` });
  });
  if (errors.length > 0) {
    throw new UnprocessableError(`The purchase order refers to unknown master data: ${errors.map((e) => e.message).join('; ')}`, 'unknown-master-data', { errors });
  }
  return { eclpConnected: warehouse!.eclp_connected };
}

/**
 * Creates the PO with its lines and a 'created' log line: PUSHING when its warehouse is ECLP-connected
 * (the caller starts the saga), NOT_PUSHED otherwise (the ERP's own business). Idempotent on poNo: the
 * same body again answers 'same' with the stored PO, a different body 'different-body' with the stored
 * PO unchanged (the ERP must not silently replace what may already be at JD).
 *
 * The warehouse row read in the transaction decides the status; `eclpConnected` is accepted from callers
 * that looked it up first and is not trusted over the row.
 */
export async function createPurchaseOrder(
  db: Knex,
  body: PurchaseOrderBody,
  opts: { actorRole: ActorRole; eclpConnected?: boolean },
): Promise<{ outcome: PurchaseOrderCreateOutcome; po: PurchaseOrderRecord }> {
  const hash = bodyHash(body);
  const outcome = await db.transaction(async (trx): Promise<PurchaseOrderCreateOutcome> => {
    const existing = await trx('purchase_orders').where({ po_no: body.poNo }).first();
    if (existing) return existing.body_hash === hash ? 'same' : 'different-body';
    const { eclpConnected } = await checkReferences(trx, body);
    const status: PurchaseOrderStatus = eclpConnected ? 'PUSHING' : 'NOT_PUSHED';
    const inserted = await trx('purchase_orders')
      .insert({
        po_no: body.poNo,
        supplier_code: body.supplierCode,
        warehouse_code: body.warehouseCode,
        remark: body.remark ?? null,
        body_hash: hash,
        status,
      })
      .onConflict('po_no')
      .ignore()
      .returning('po_no');
    // Lost a race with a concurrent create of the same PO: judge it like a repeat.
    if (inserted.length === 0) {
      const winner = (await trx('purchase_orders').where({ po_no: body.poNo }).first())!;
      return winner.body_hash === hash ? 'same' : 'different-body';
    }
    await trx('purchase_order_lines').insert(
      body.lines.map((line, i) => ({ po_no: body.poNo, line_no: i + 1, sku: line.sku, quantity: line.quantity, unit_price: line.unitPrice ?? null })),
    );
    await writeOperationLog(trx, {
      docType: PURCHASE_ORDER_DOC_TYPE,
      docKey: body.poNo,
      action: 'created',
      actorRole: opts.actorRole,
      detail: { lines: body.lines.length, supplierCode: body.supplierCode, warehouseCode: body.warehouseCode, status },
    });
    return 'created';
  });
  return { outcome, po: await getPurchaseOrder(db, body.poNo) };
}

/** The run that pushes the PO (the API sets it right after starting the workflow). */
export async function setPurchaseOrderWorkflowId(db: Knex, poNo: string, workflowId: string): Promise<void> {
  const updated = await db('purchase_orders').where({ po_no: poNo }).update({ workflow_id: workflowId, updated_at: db.fn.now() });
  if (updated === 0) throw new NotFoundError(`No purchase order "${poNo}"`, 'not-found');
}

export async function findPurchaseOrder(db: Knex | Knex.Transaction, poNo: string): Promise<PurchaseOrderRecord | undefined> {
  const row = await db('purchase_orders').where({ po_no: poNo }).first();
  if (!row) return undefined;
  const lines = await db('purchase_order_lines').where({ po_no: poNo }).orderBy('line_no');
  return toPurchaseOrderRecord(row, lines);
}

export async function getPurchaseOrder(db: Knex | Knex.Transaction, poNo: string): Promise<PurchaseOrderRecord> {
  const po = await findPurchaseOrder(db, poNo);
  if (!po) throw new NotFoundError(`No purchase order "${poNo}"`, 'not-found');
  return po;
}

/** The PO with its receipts, requests, serial batches, stock ledger and operation log. */
export async function getPurchaseOrderDetail(db: Knex, poNo: string): Promise<PurchaseOrderDetail> {
  const [po, receipts, requests, serialBatches, ledger, log] = await Promise.all([
    getPurchaseOrder(db, poNo),
    listPurchaseReceipts(db, poNo),
    listPurchaseOrderRequests(db, poNo),
    listSerialBatches(db, poNo),
    ledgerForDocument(db, 'PO', poNo),
    readOperationLog(db, PURCHASE_ORDER_DOC_TYPE, poNo),
  ]);
  return { ...po, receipts, requests, serialBatches, ledger, log };
}

export interface PurchaseOrderFilter {
  status?: PurchaseOrderStatus;
  warehouseCode?: string;
  supplierCode?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  /** POs with at least one request decided so (e.g. REFUSED_BY_JD). */
  verdict?: PurchaseOrderVerdict;
  /** POs that ended with less than ordered (true), or the others (false). */
  closedShort?: boolean;
  /** JD's PO number. */
  poOrderNo?: string;
}

/** Newest first, like the sales-order list. */
export async function listPurchaseOrders(db: Knex, filter: PurchaseOrderFilter, page: Page): Promise<{ items: PurchaseOrderSummary[]; total: number }> {
  const base = () => {
    const q = db('purchase_orders');
    if (filter.status) q.where({ status: filter.status });
    if (filter.warehouseCode) q.where({ warehouse_code: filter.warehouseCode });
    if (filter.supplierCode) q.where({ supplier_code: filter.supplierCode });
    if (filter.poOrderNo) q.where({ po_order_no: filter.poOrderNo });
    if (filter.createdFrom) q.where('created_at', '>=', filter.createdFrom);
    if (filter.createdBefore) q.where('created_at', '<', filter.createdBefore);
    if (filter.closedShort !== undefined) q.where({ closed_short: filter.closedShort });
    if (filter.verdict) {
      const verdict = filter.verdict;
      q.whereExists((sub) => sub.select(db.raw('1')).from('purchase_order_requests').whereRaw('purchase_order_requests.po_no = purchase_orders.po_no').andWhere({ verdict }));
    }
    return q;
  };
  const [rows, counted] = await Promise.all([
    base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'po_no' }]).limit(page.limit).offset(page.offset),
    base().count<{ count: string }[]>({ count: '*' }),
  ]);
  return { items: rows.map((row) => toPurchaseOrderSummary(row)), total: Number(counted[0]?.count ?? 0) };
}

// ---------------------------------------------------------------- what the push and the sweeper read

/** The PO and the master data it refers to, as the pre-flight and the push need them. */
export interface PurchaseOrderPushMaterial {
  po: PurchaseOrderRecord;
  warehouse?: { code: string; eclpConnected: boolean; jdWarehouseNo: string | null };
  supplier?: { code: string; jdSupplierNo: string };
  /** Per SKU of the PO that is in master data; `jdThirdCategoryNo` null when its category has no mapping row. */
  goods: Map<string, { jdGoodsNo: string | null; categoryCode: string; jdThirdCategoryNo: string | null; barcodes: string[] }>;
}

/** Undefined when the PO does not exist or is no longer at `revision`. */
export async function loadPurchaseOrderPushMaterial(db: Knex, poNo: string, revision: number): Promise<PurchaseOrderPushMaterial | undefined> {
  const po = await findPurchaseOrder(db, poNo);
  if (!po || po.pushRevision !== revision) return undefined;
  const skus = po.lines.map((l) => l.sku);
  const [warehouse, supplier, goodsRows, barcodeRows] = await Promise.all([
    db('warehouses').where({ code: po.warehouseCode }).first(),
    db('suppliers').where({ code: po.supplierCode }).first(),
    db('goods').leftJoin('categories', 'categories.code', 'goods.category_code').whereIn('goods.sku', skus).select('goods.sku', 'goods.jd_goods_no', 'goods.category_code', 'categories.jd_third_category_no'),
    db('goods_barcodes').whereIn('sku', skus).orderBy(['sku', 'position']),
  ]);
  const goods: PurchaseOrderPushMaterial['goods'] = new Map(
    goodsRows.map((g: { sku: string; jd_goods_no: string | null; category_code: string; jd_third_category_no: string | null }) => [
      g.sku,
      { jdGoodsNo: g.jd_goods_no, categoryCode: g.category_code, jdThirdCategoryNo: g.jd_third_category_no, barcodes: [] as string[] },
    ]),
  );
  for (const b of barcodeRows) goods.get(b.sku)?.barcodes.push(b.barcode);
  return {
    po,
    ...(warehouse && { warehouse: { code: warehouse.code, eclpConnected: warehouse.eclp_connected, jdWarehouseNo: warehouse.jd_warehouse_no } }),
    ...(supplier && { supplier: { code: supplier.code, jdSupplierNo: supplier.jd_supplier_no } }),
    goods,
  };
}

export interface OpenPurchaseOrder {
  poNo: string;
  poOrderNo: string;
  workflowId: string;
}

export interface OpenPurchaseOrderPage {
  orders: OpenPurchaseOrder[];
  /** Pass as `afterPoNo` for the next page; absent on the last page. */
  nextAfter?: string;
}

/** A sweep must finish in one interval; bigger pages only make each activity result heavier. */
export const MAX_OPEN_PURCHASE_ORDER_PAGE = 1000;

/**
 * The POs JD holds open (待入库, 部分入库) in one JD warehouse, with JD's number (to ask JD) and the
 * workflow ID (to tell the run). Keyset pages in PO-number order, so a PO that changes status while the
 * sweep pages through neither shifts the pages nor is read twice.
 */
export async function listOpenPurchaseOrders(db: Knex, jdWarehouseNo: string, page: { afterPoNo?: string; limit: number }): Promise<OpenPurchaseOrderPage> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_OPEN_PURCHASE_ORDER_PAGE);
  const query = db('purchase_orders')
    .whereIn('status', ['WAITING_INBOUND', 'PARTIALLY_RECEIVED'])
    .where({ jd_warehouse_no: jdWarehouseNo })
    .whereNotNull('po_order_no')
    .whereNotNull('workflow_id')
    .select('po_no', 'po_order_no', 'workflow_id')
    .orderBy('po_no')
    .limit(limit);
  if (page.afterPoNo !== undefined) query.where('po_no', '>', page.afterPoNo);
  const rows = await query;
  // whereNotNull above: the check only tells the type.
  const orders = rows.flatMap((row) => (row.po_order_no === null || row.workflow_id === null ? [] : [{ poNo: row.po_no, poOrderNo: row.po_order_no, workflowId: row.workflow_id }]));
  const last = rows.at(-1);
  return rows.length === limit && last ? { orders, nextAfter: last.po_no } : { orders };
}
