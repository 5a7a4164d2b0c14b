// The return itself (售后单): created against its shipped sales order with every check in one transaction
// (and, for an exchange, its replacement sales order with it), read with everything the API shows,
// listed, and gathered with the master data it refers to for the pre-flight and the push.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError, UnprocessableError } from '../../domain/errors';
import { RETURN_CLAIMING, replacementOrderNoOf, type ReturnBody, type ReturnType } from '../../domain/return-order';
import { salesOrderBody, type SalesOrderBody } from '../../domain/sales-order';
import { RETURN_STATUS, SALES_ORDER_STATUS, type ReturnStatus, type SalesOrderStatus } from '../../domain/statuses';
import { bodyHash } from '../body-hash';
import { existingGoodsSkus, type Page } from '../master-data';
import { readOperationLog, writeOperationLog, type ActorRole } from '../operation-log';
import { createReplacementSalesOrder } from '../sales-orders';
import { ledgerForDocument } from '../stock-ledger';
import type { ReturnRow, SalesOrderLineRow, SalesOrderRow } from '../tables';
import { findReturn, getReturn } from './find';
import { getReturnReceipt } from './receipts';
import { RETURN_DOC_TYPE, toReturnSummary, type ReturnDetail, type ReturnOfOrder, type ReturnRecord, type ReturnSummary } from './records';
import { listReturnRequests } from './requests';

// ---------------------------------------------------------------- create

export type ReturnCreateOutcome = 'created' | 'same' | 'different-body';

type FieldError = { field: string; message: string };

/** What earlier returns of the order still claim, per SKU (statuses in RETURN_CLAIMING). */
async function claimedBySku(trx: Knex.Transaction, orderNo: string): Promise<Map<string, number>> {
  const rows = await trx('return_lines')
    .join('returns', 'returns.return_no', 'return_lines.return_no')
    .where('returns.order_no', orderNo)
    .whereIn('returns.status', [...RETURN_CLAIMING])
    .groupBy('return_lines.sku')
    .select('return_lines.sku')
    .sum<Array<{ sku: string; claimed: string }>>({ claimed: 'return_lines.quantity' });
  return new Map(rows.map((r) => [r.sku, Number(r.claimed)]));
}

/** Each return line against what the order shipped minus what earlier returns claim. */
async function checkLines(trx: Knex.Transaction, body: ReturnBody, order: SalesOrderRow, orderLines: SalesOrderLineRow[]): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const claimed = await claimedBySku(trx, order.order_no);
  body.lines.forEach((line, i) => {
    const ordered = orderLines.find((l) => l.sku === line.sku);
    if (!ordered) {
      errors.push({ field: `lines.${i}.sku`, message: `SKU ${line.sku} is not on sales order ${order.order_no}` });
      return;
    }
    // Orders shipped before shipped quantities were recorded shipped what they ordered.
    const shipped = ordered.shipped_quantity ?? ordered.quantity;
    const taken = claimed.get(line.sku) ?? 0;
    const available = Math.max(shipped - taken, 0);
    if (line.quantity > available) {
      errors.push({
        field: `lines.${i}.quantity`,
        message: `SKU ${line.sku}: ${line.quantity} asked, but sales order ${order.order_no} shipped ${shipped}, earlier returns claim ${taken}, available ${available}`,
      });
    }
  });
  return errors;
}

async function checkWarehouse(trx: Knex.Transaction, code: string): Promise<FieldError[]> {
  const warehouse = await trx('warehouses').where({ code }).first();
  if (!warehouse) return [{ field: 'warehouseCode', message: `warehouse ${code} does not exist in master data` }];
  if (!warehouse.eclp_connected) return [{ field: 'warehouseCode', message: `warehouse ${code} is not ECLP-connected: JD cannot receive a return there` }];
  if (!warehouse.jd_warehouse_no) return [{ field: 'warehouseCode', message: `warehouse ${code} has no JD warehouse number (set jdWarehouseNo with PUT /v1/warehouses/${code})` }];
  return [];
}

/**
 * The replacement order's body: the original order's warehouse, carrier and consignee, the replacement
 * lines priced as given or as the original order sold the SKU. Errors name the field of the return body.
 */
async function replacementBody(
  trx: Knex.Transaction,
  body: ReturnBody,
  order: SalesOrderRow | undefined,
  orderLines: SalesOrderLineRow[],
): Promise<{ errors: FieldError[]; order?: SalesOrderBody }> {
  const lines = body.replacementLines ?? [];
  const errors: FieldError[] = [];
  if (lines.length === 0) errors.push({ field: 'replacementLines', message: 'an exchange names the goods that go out again (replacementLines)' });
  const known = await existingGoodsSkus(trx, lines.map((l) => l.sku));
  lines.forEach((line, i) => {
    if (!known.has(line.sku)) errors.push({ field: `replacementLines.${i}.sku`, message: `SKU ${line.sku} does not exist in master data` });
    if (order && line.price === undefined && !orderLines.some((l) => l.sku === line.sku)) {
      errors.push({ field: `replacementLines.${i}.price`, message: `SKU ${line.sku} is not on sales order ${order.order_no}: give the price it goes out at` });
    }
  });
  const orderNo = replacementOrderNoOf(body.returnNo);
  if (await trx('sales_orders').where({ order_no: orderNo }).first()) {
    errors.push({ field: 'returnNo', message: `sales order ${orderNo} already exists: the replacement order of this exchange needs that number` });
  }
  if (!order || errors.length > 0) return { errors };
  const parsed = salesOrderBody.safeParse({
    orderNo,
    warehouseCode: order.warehouse_code,
    carrierCode: order.carrier_code,
    consignee: {
      name: order.consignee_name,
      ...(order.consignee_mobile !== null && { mobile: order.consignee_mobile }),
      ...(order.consignee_phone !== null && { phone: order.consignee_phone }),
      province: order.consignee_province,
      city: order.consignee_city,
      county: order.consignee_county,
      ...(order.consignee_town !== null && { town: order.consignee_town }),
      address: order.consignee_address,
    },
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, price: l.price ?? Number(orderLines.find((o) => o.sku === l.sku)!.price) })),
    remark: `换货: 售后单 ${body.returnNo}, 原订单 ${order.order_no}`,
  });
  if (parsed.success) return { errors, order: parsed.data };
  for (const issue of parsed.error.issues) {
    const path = issue.path.join('.');
    if (path === 'orderNo') errors.push({ field: 'returnNo', message: `the replacement order number ${orderNo} ${issue.message}: choose a shorter returnNo` });
    else errors.push({ field: 'orderNo', message: `sales order ${order.order_no}'s ${path} cannot be copied to the replacement order: ${issue.message}` });
  }
  return { errors };
}

/**
 * Creates the return PUSHING with its lines and a 'created' log line; an exchange creates its replacement
 * sales order `{returnNo}-EX` in REVIEW with it (through the sales-order creation code), linked both ways.
 * Idempotent on returnNo: the same body answers 'same', a different body 'different-body', both with the
 * stored return unchanged and no check made again.
 *
 * The original order's row is locked for the checks, so two returns of one order created at once are
 * judged one after the other and cannot together claim more than it shipped. Refuses
 * (UnprocessableError `return-refused`, `errors` naming each field): an unknown or unshipped order
 * (orderNo), a SKU not on it (lines.i.sku), more than shipped minus what earlier returns claim
 * (lines.i.quantity), a warehouse that is unknown or not ECLP-connected (warehouseCode), replacement SKUs
 * unknown (replacementLines.i.sku) or without a price the order could give (replacementLines.i.price).
 */
export async function createReturn(db: Knex, body: ReturnBody, opts: { actorRole: ActorRole }): Promise<{ outcome: ReturnCreateOutcome; ret: ReturnRecord }> {
  const hash = bodyHash(body);
  const judge = (existing: ReturnRow): ReturnCreateOutcome => (existing.body_hash === hash ? 'same' : 'different-body');
  const outcome = await db.transaction(async (trx): Promise<ReturnCreateOutcome> => {
    const existing = await trx('returns').where({ return_no: body.returnNo }).first();
    if (existing) return judge(existing);
    const order = await trx('sales_orders').where({ order_no: body.orderNo }).forUpdate().first();
    // A concurrent create of this very return held the lock and has committed: a repeat, not a second claim.
    const settled = order && (await trx('returns').where({ return_no: body.returnNo }).first());
    if (settled) return judge(settled);
    const orderLines = order ? await trx('sales_order_lines').where({ order_no: order.order_no }).orderBy('line_no') : [];

    const errors: FieldError[] = [];
    if (!order) errors.push({ field: 'orderNo', message: `sales order ${body.orderNo} does not exist` });
    else if (order.status !== 'SHIPPED') {
      errors.push({ field: 'orderNo', message: `sales order ${body.orderNo} is ${order.status} (${SALES_ORDER_STATUS[order.status]}), not SHIPPED: only shipped goods come back` });
    } else errors.push(...(await checkLines(trx, body, order, orderLines)));
    errors.push(...(await checkWarehouse(trx, body.warehouseCode)));
    const replacement = body.type === 'EXCHANGE' ? await replacementBody(trx, body, order, orderLines) : { errors: [] };
    errors.push(...replacement.errors);
    if (errors.length > 0) {
      throw new UnprocessableError(`Return ${body.returnNo} cannot be created: ${errors.map((e) => e.message).join('; ')}`, 'return-refused', { errors });
    }

    const replacementOrderNo = replacement.order?.orderNo ?? null;
    const inserted = await trx('returns')
      .insert({
        return_no: body.returnNo,
        order_no: body.orderNo,
        type: body.type,
        warehouse_code: body.warehouseCode,
        reason: body.reason,
        body_hash: hash,
        status: 'PUSHING',
        replacement_order_no: replacementOrderNo,
      })
      .onConflict('return_no')
      .ignore()
      .returning('return_no');
    // Lost a race with a concurrent create of the same return (of another order, or the lock would have
    // serialised them): judge it like a repeat.
    if (inserted.length === 0) return judge((await trx('returns').where({ return_no: body.returnNo }).first())!);
    await trx('return_lines').insert(body.lines.map((line, i) => ({ return_no: body.returnNo, line_no: i + 1, sku: line.sku, quantity: line.quantity })));
    if (replacement.order) await createReplacementSalesOrder(trx, replacement.order, { replacementFor: body.returnNo, actor: opts.actorRole });
    await writeOperationLog(trx, {
      docType: RETURN_DOC_TYPE,
      docKey: body.returnNo,
      action: 'created',
      actorRole: opts.actorRole,
      detail: {
        type: body.type,
        orderNo: body.orderNo,
        warehouseCode: body.warehouseCode,
        lines: body.lines,
        status: 'PUSHING',
        ...(replacementOrderNo !== null && { replacementOrderNo }),
      },
    });
    return 'created';
  });
  return { outcome, ret: await getReturn(db, body.returnNo) };
}

// ---------------------------------------------------------------- confirm a draft

/**
 * A return draft (草稿) confirmed by an operator: checked like a created return (the original order
 * SHIPPED, each line against what it shipped minus what other returns claim, the warehouse at JD), then
 * PUSHING, ready for its run. `started-before`: an earlier confirm got this far but its run did not
 * start (Temporal was down): the caller starts it now. Refuses (ConflictError `not-draft`) anything else.
 */
export async function confirmReturnDraft(db: Knex, returnNo: string, opts: { actorRole: ActorRole }): Promise<{ outcome: 'confirmed' | 'started-before'; ret: ReturnRecord }> {
  const outcome = await db.transaction(async (trx): Promise<'confirmed' | 'started-before'> => {
    const row = await trx('returns').where({ return_no: returnNo }).forUpdate().first();
    if (!row) throw new NotFoundError(`No return "${returnNo}"`, 'not-found');
    const drafted = (row as ReturnRow & { cancel_request_id?: string | null }).cancel_request_id;
    if (row.status === 'PUSHING' && row.workflow_id === null && drafted) return 'started-before';
    if (row.status !== 'DRAFT') {
      throw new ConflictError(`Return ${returnNo} is ${row.status} (${RETURN_STATUS[row.status]}), not a draft: only a draft is confirmed`, 'not-draft', {
        currentStatus: row.status,
        currentStatusLabel: RETURN_STATUS[row.status],
        pushRevision: row.push_revision,
        workflowId: row.workflow_id,
      });
    }
    const order = await trx('sales_orders').where({ order_no: row.order_no }).forUpdate().first();
    const orderLines = order ? await trx('sales_order_lines').where({ order_no: order.order_no }).orderBy('line_no') : [];
    const lines = (await trx('return_lines').where({ return_no: returnNo }).orderBy('line_no')).map((l) => ({ sku: l.sku, quantity: l.quantity }));
    const body: ReturnBody = { returnNo, orderNo: row.order_no, type: row.type, warehouseCode: row.warehouse_code, reason: row.reason, lines };
    const errors: FieldError[] = [];
    if (!order) errors.push({ field: 'orderNo', message: `sales order ${row.order_no} does not exist` });
    else if (order.status !== 'SHIPPED') {
      errors.push({ field: 'orderNo', message: `sales order ${row.order_no} is ${order.status} (${SALES_ORDER_STATUS[order.status]}), not SHIPPED: only shipped goods come back` });
    } else errors.push(...(await checkLines(trx, body, order, orderLines)));
    errors.push(...(await checkWarehouse(trx, row.warehouse_code)));
    if (errors.length > 0) {
      throw new UnprocessableError(`Return draft ${returnNo} cannot be confirmed: ${errors.map((e) => e.message).join('; ')}`, 'return-refused', { errors });
    }
    await trx('returns').where({ return_no: returnNo, status: 'DRAFT' }).update({ status: 'PUSHING', status_since: trx.fn.now(), updated_at: trx.fn.now() });
    await writeOperationLog(trx, { docType: RETURN_DOC_TYPE, docKey: returnNo, action: 'confirmed', actorRole: opts.actorRole, detail: { orderNo: row.order_no, lines, status: 'PUSHING', cancelRequestId: drafted ?? null } });
    return 'confirmed';
  });
  return { outcome, ret: await getReturn(db, returnNo) };
}

// ---------------------------------------------------------------- read

/** The run that pushes the return (the API sets it right after starting the workflow). */
export async function setReturnWorkflowId(db: Knex, returnNo: string, workflowId: string): Promise<void> {
  const updated = await db('returns').where({ return_no: returnNo }).update({ workflow_id: workflowId, updated_at: db.fn.now() });
  if (updated === 0) throw new NotFoundError(`No return "${returnNo}"`, 'not-found');
}

/** The return with its receipt, ledger, requests, replacement order and operation log. */
export async function getReturnDetail(db: Knex, returnNo: string): Promise<ReturnDetail> {
  const [ret, receipt, requests, ledger, log] = await Promise.all([
    getReturn(db, returnNo),
    getReturnReceipt(db, returnNo),
    listReturnRequests(db, returnNo),
    ledgerForDocument(db, 'RTN', returnNo),
    readOperationLog(db, RETURN_DOC_TYPE, returnNo),
  ]);
  const replacement = ret.replacementOrderNo === null ? undefined : await db('sales_orders').where({ order_no: ret.replacementOrderNo }).select('order_no', 'status').first();
  return {
    ...ret,
    receipt: receipt ?? null,
    ledger,
    requests,
    replacementOrder: replacement ? { orderNo: replacement.order_no, status: replacement.status, statusLabel: SALES_ORDER_STATUS[replacement.status] } : null,
    log,
  };
}

export interface ReturnFilter {
  status?: ReturnStatus;
  type?: ReturnType;
  /** The original sales order. */
  orderNo?: string;
  warehouseCode?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  /** Returns with an attention item (true), or without (false). */
  attention?: boolean;
}

/** Newest first, like the other document lists. */
export async function listReturns(db: Knex, filter: ReturnFilter, page: Page): Promise<{ items: ReturnSummary[]; total: number }> {
  const base = () => {
    const q = db('returns');
    if (filter.status) q.where({ status: filter.status });
    if (filter.type) q.where({ type: filter.type });
    if (filter.orderNo) q.where({ order_no: filter.orderNo });
    if (filter.warehouseCode) q.where({ warehouse_code: filter.warehouseCode });
    if (filter.createdFrom) q.where('created_at', '>=', filter.createdFrom);
    if (filter.createdBefore) q.where('created_at', '<', filter.createdBefore);
    if (filter.attention === true) q.whereNotNull('attention');
    if (filter.attention === false) q.whereNull('attention');
    return q;
  };
  const [rows, counted] = await Promise.all([
    base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'return_no' }]).limit(page.limit).offset(page.offset),
    base().count<{ count: string }[]>({ count: '*' }),
  ]);
  return { items: rows.map((row) => toReturnSummary(row)), total: Number(counted[0]?.count ?? 0) };
}

/** A sales order's returns, oldest first, with their lines (what they claim, what came back). */
export async function listReturnsOfOrder(db: Knex, orderNo: string): Promise<ReturnOfOrder[]> {
  const rows = await db('returns').where({ order_no: orderNo }).orderBy([{ column: 'created_at' }, { column: 'return_no' }]);
  if (rows.length === 0) return [];
  const lines = await db('return_lines').whereIn('return_no', rows.map((r) => r.return_no)).orderBy(['return_no', 'line_no']);
  return rows.map((row) => ({
    returnNo: row.return_no,
    type: row.type,
    status: row.status,
    statusLabel: RETURN_STATUS[row.status],
    warehouseCode: row.warehouse_code,
    replacementOrderNo: row.replacement_order_no,
    createdAt: row.created_at.toISOString(),
    lines: lines.filter((l) => l.return_no === row.return_no).map((l) => ({ sku: l.sku, quantity: l.quantity, receivedQuantity: l.received_quantity })),
  }));
}

// ---------------------------------------------------------------- what the push reads

/** The return and what it refers to, as the pre-flight and the push need them. */
export interface ReturnPushMaterial {
  ret: ReturnRecord;
  /** The original sales order (absent only if it was deleted by hand). */
  order?: { orderNo: string; status: SalesOrderStatus; eclpSoNo: string | null };
  warehouse?: { code: string; eclpConnected: boolean; jdWarehouseNo: string | null };
  /** Per SKU of the return that is in master data. */
  goods: Map<string, { jdGoodsNo: string | null }>;
}

/** Undefined when the return does not exist or is no longer at `revision`. */
export async function loadReturnPushMaterial(db: Knex, returnNo: string, revision: number): Promise<ReturnPushMaterial | undefined> {
  const ret = await findReturn(db, returnNo);
  if (!ret || ret.pushRevision !== revision) return undefined;
  const [order, warehouse, goodsRows] = await Promise.all([
    db('sales_orders').where({ order_no: ret.orderNo }).select('order_no', 'status', 'eclp_so_no').first(),
    db('warehouses').where({ code: ret.warehouseCode }).first(),
    db('goods').whereIn('sku', ret.lines.map((l) => l.sku)).select('sku', 'jd_goods_no'),
  ]);
  return {
    ret,
    ...(order && { order: { orderNo: order.order_no, status: order.status, eclpSoNo: order.eclp_so_no } }),
    ...(warehouse && { warehouse: { code: warehouse.code, eclpConnected: warehouse.eclp_connected, jdWarehouseNo: warehouse.jd_warehouse_no } }),
    goods: new Map(goodsRows.map((g) => [g.sku, { jdGoodsNo: g.jd_goods_no }])),
  };
}
