// Sales-order persistence: the order and its lines, its status transitions (each written together with
// its operation-log line), and the cancel requests raised against it.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors';
import type { CancelKind, PushMaterial, SalesOrderBody } from '../domain/sales-order';
import { SALES_ORDER_STATUS, type SalesOrderStatus } from '../domain/statuses';
import { writeOperationLog, writeOperationLogOnce, type ActorRole } from './operation-log';
import { bookOutbound } from './stock-ledger';
import type { Page } from './master-data';

export const SALES_ORDER_DOC_TYPE = 'sales_order';

export interface SalesOrderRecord {
  orderNo: string;
  shopOrderNo: string | null;
  warehouseCode: string;
  carrierCode: string;
  consignee: {
    name: string;
    mobile: string | null;
    phone: string | null;
    province: string | null;
    city: string | null;
    county: string | null;
    town: string | null;
    address: string;
  };
  lines: Array<{ sku: string; quantity: number; price: number }>;
  remark: string | null;
  status: SalesOrderStatus;
  statusLabel: string;
  statusSince: string;
  pushRevision: number;
  workflowId: string | null;
  eclpSoNo: string | null;
  jdWarehouseNo: string | null;
  wayBill: string | null;
  jdShipperNo: string | null;
  jdShipperName: string | null;
  shippedAt: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A row without its lines: what lists show. */
export type SalesOrderSummary = Omit<SalesOrderRecord, 'lines' | 'consignee'>;

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

function toSummary(row: Record<string, unknown>): SalesOrderSummary {
  const status = row.status as SalesOrderStatus;
  return {
    orderNo: row.order_no as string,
    shopOrderNo: (row.shop_order_no as string) ?? null,
    warehouseCode: row.warehouse_code as string,
    carrierCode: row.carrier_code as string,
    remark: (row.remark as string) ?? null,
    status,
    statusLabel: SALES_ORDER_STATUS[status],
    statusSince: iso(row.status_since)!,
    pushRevision: row.push_revision as number,
    workflowId: (row.workflow_id as string) ?? null,
    eclpSoNo: (row.eclp_so_no as string) ?? null,
    jdWarehouseNo: (row.jd_warehouse_no as string) ?? null,
    wayBill: (row.way_bill as string) ?? null,
    jdShipperNo: (row.jd_shipper_no as string) ?? null,
    jdShipperName: (row.jd_shipper_name as string) ?? null,
    shippedAt: iso(row.shipped_at),
    failureReason: (row.failure_reason as string) ?? null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

function toRecord(row: Record<string, unknown>, lines: Array<Record<string, unknown>>): SalesOrderRecord {
  const { orderNo, shopOrderNo, warehouseCode, carrierCode, ...rest } = toSummary(row);
  return {
    orderNo,
    shopOrderNo,
    warehouseCode,
    carrierCode,
    consignee: {
      name: row.consignee_name as string,
      mobile: (row.consignee_mobile as string) ?? null,
      phone: (row.consignee_phone as string) ?? null,
      province: (row.consignee_province as string) ?? null,
      city: (row.consignee_city as string) ?? null,
      county: (row.consignee_county as string) ?? null,
      town: (row.consignee_town as string) ?? null,
      address: row.consignee_address as string,
    },
    lines: lines.map((l) => ({ sku: l.sku as string, quantity: l.quantity as number, price: Number(l.price) })),
    ...rest,
  };
}

/** Key order does not matter, values do: `{a,b}` and `{b,a}` are the same body. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function bodyFingerprint(body: SalesOrderBody): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

// ---------------------------------------------------------------- create and read

/** Unknown warehouse, carrier or SKUs are refused at creation, naming each field. */
async function checkReferences(trx: Knex.Transaction, body: SalesOrderBody): Promise<void> {
  const errors: Array<{ field: string; message: string }> = [];
  if (!(await trx('warehouses').where({ code: body.warehouseCode }).first())) {
    errors.push({ field: 'warehouseCode', message: `warehouse ${body.warehouseCode} does not exist in master data` });
  }
  if (!(await trx('carriers').where({ code: body.carrierCode }).first())) {
    errors.push({ field: 'carrierCode', message: `carrier ${body.carrierCode} does not exist in master data` });
  }
  const skus = body.lines.map((l) => l.sku);
  const known = new Set((await trx('goods').whereIn('sku', skus).select('sku')).map((r) => r.sku as string));
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
  const hash = bodyFingerprint(body);
  const created = await db.transaction(async (trx) => {
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
      })
      .onConflict('order_no')
      .ignore()
      .returning('order_no');
    // Lost a race with a concurrent create of the same order: judge it like a repeat.
    if (inserted.length === 0) return sameBodyOrConflict(await trx('sales_orders').where({ order_no: body.orderNo }).first(), hash);
    await trx('sales_order_lines').insert(
      body.lines.map((line, i) => ({ order_no: body.orderNo, line_no: i + 1, sku: line.sku, quantity: line.quantity, price: line.price })),
    );
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: body.orderNo,
      action: 'created',
      actorRole: actor,
      detail: { lines: body.lines.length, warehouseCode: body.warehouseCode },
    });
    return true;
  });
  return { record: await getSalesOrder(db, body.orderNo), created };
}

function sameBodyOrConflict(existing: Record<string, unknown>, hash: string): false {
  if (existing.body_hash === hash) return false;
  throw new ConflictError(`Sales order ${String(existing.order_no)} already exists with a different body; an order cannot be replaced`, 'order-exists', {
    currentStatus: existing.status,
  });
}

export async function findSalesOrder(db: Knex | Knex.Transaction, orderNo: string): Promise<SalesOrderRecord | undefined> {
  const row = await db('sales_orders').where({ order_no: orderNo }).first();
  if (!row) return undefined;
  const lines = await db('sales_order_lines').where({ order_no: orderNo }).orderBy('line_no');
  return toRecord(row, lines);
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
  cancelVerdict?: string;
}

export async function listSalesOrders(db: Knex, filter: SalesOrderFilter, page: Page): Promise<{ items: SalesOrderSummary[]; total: number }> {
  const base = () => {
    const q = db('sales_orders');
    if (filter.status) q.where({ status: filter.status });
    if (filter.warehouseCode) q.where({ warehouse_code: filter.warehouseCode });
    if (filter.createdFrom) q.where('created_at', '>=', filter.createdFrom);
    if (filter.createdBefore) q.where('created_at', '<', filter.createdBefore);
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
  return { items: rows.map(toSummary), total: Number(counted[0]?.count ?? 0) };
}

// ---------------------------------------------------------------- push

/**
 * REVIEW → PUSHING under the next revision. Both the API (right after starting the workflow) and the
 * workflow's first activity call it, so a crash between the two still leaves the order claimed.
 * True when the order is (now) PUSHING under `revision`.
 */
export async function claimPush(db: Knex, input: { orderNo: string; revision: number; workflowId: string; actorRole: ActorRole; jdWarehouseNo?: string | null }): Promise<boolean> {
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

/** The order and the master data it refers to, as the pre-flight and the push need them. */
export async function loadPushMaterial(db: Knex, orderNo: string, revision: number): Promise<PushMaterial | undefined> {
  const order = await findSalesOrder(db, orderNo);
  if (!order || order.pushRevision !== revision) return undefined;
  const [warehouse, carrier, goodsRows, barcodeRows] = await Promise.all([
    db('warehouses').where({ code: order.warehouseCode }).first(),
    db('carriers').where({ code: order.carrierCode }).first(),
    db('goods').whereIn('sku', order.lines.map((l) => l.sku)),
    db('goods_barcodes').whereIn('sku', order.lines.map((l) => l.sku)),
  ]);
  const goods = new Map<string, { jdGoodsNo: string | null; barcodes: string[] }>(goodsRows.map((g) => [g.sku, { jdGoodsNo: g.jd_goods_no ?? null, barcodes: [] }]));
  for (const b of barcodeRows) goods.get(b.sku)?.barcodes.push(b.barcode);
  return {
    orderNo,
    revision,
    shopOrderNo: order.shopOrderNo,
    remark: order.remark,
    consignee: order.consignee,
    lines: order.lines,
    warehouse: warehouse ? { code: warehouse.code, eclpConnected: warehouse.eclp_connected, jdWarehouseNo: warehouse.jd_warehouse_no ?? null } : undefined,
    carrier: carrier ? { code: carrier.code, jdShipperNo: carrier.jd_shipper_no } : undefined,
    goods,
  };
}

// ---------------------------------------------------------------- transitions written by the saga

interface Transition {
  orderNo: string;
  revision: number;
  to: SalesOrderStatus;
  set?: Record<string, unknown>;
  action: string;
  actorRole?: ActorRole;
  detail: Record<string, unknown>;
  /** The activity's key: a retried activity finds its log line and changes nothing again. */
  idempotencyKey: string;
}

/**
 * One status change and its log line in one transaction. Returns false for a repeat. Refuses to touch
 * an order that has moved on to another push revision: an old run must never overwrite a newer one.
 */
async function transition(trx: Knex.Transaction, t: Transition): Promise<boolean> {
  const first = await writeOperationLogOnce(trx, {
    docType: SALES_ORDER_DOC_TYPE,
    docKey: t.orderNo,
    action: t.action,
    actorRole: t.actorRole ?? 'system',
    detail: { pushRevision: t.revision, ...t.detail },
    idempotencyKey: t.idempotencyKey,
  });
  if (!first) return false;
  const updated = await trx('sales_orders')
    .where({ order_no: t.orderNo, push_revision: t.revision })
    .update({
      ...t.set,
      status: t.to,
      status_since: trx.raw('CASE WHEN status = ? THEN status_since ELSE now() END', [t.to]),
      updated_at: trx.fn.now(),
    });
  if (updated === 0) {
    throw new ConflictError(`Sales order ${t.orderNo} is no longer at push revision ${t.revision}; this run's result is not recorded`, 'revision-superseded');
  }
  return true;
}

export async function recordPushed(db: Knex, input: { orderNo: string; revision: number; eclpSoNo: string; jdWarehouseNo: string; recovered: boolean; idempotencyKey: string }): Promise<void> {
  await db.transaction((trx) =>
    transition(trx, {
      orderNo: input.orderNo,
      revision: input.revision,
      to: 'WMS_PICKING',
      set: { eclp_so_no: input.eclpSoNo, jd_warehouse_no: input.jdWarehouseNo, failure_reason: null },
      action: 'pushed',
      detail: { eclpSoNo: input.eclpSoNo, ...(input.recovered && { recoveredAfterAmbiguousFailure: true }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

export type FailureStage = 'preflight' | 'push_rejected' | 'cancelled_by_warehouse';

export async function recordFailed(db: Knex, input: { orderNo: string; revision: number; reason: string; stage: FailureStage; jdCode?: string; idempotencyKey: string }): Promise<void> {
  await db.transaction((trx) =>
    transition(trx, {
      orderNo: input.orderNo,
      revision: input.revision,
      to: 'FAILED',
      set: { failure_reason: input.reason },
      action: input.stage === 'preflight' ? 'preflight_failed' : input.stage,
      detail: { reason: input.reason, ...(input.jdCode !== undefined && { jdCode: input.jdCode }) },
      idempotencyKey: input.idempotencyKey,
    }),
  );
}

export interface Shipment {
  /** Null only if JD reported shipping without a waybill number. */
  wayBill: string | null;
  jdShipperNo: string | null;
  jdShipperName: string | null;
  /** ISO 8601 (it crosses Temporal as JSON). */
  shippedAt: string;
  /** What left the warehouse, per SKU. */
  lines: Array<{ sku: string; quantity: number }>;
}

/** SHIPPED with waybill and carrier, and the outbound booked in the stock ledger — all or nothing. */
export async function recordShipped(db: Knex, input: { orderNo: string; revision: number; shipment: Shipment; idempotencyKey: string }): Promise<void> {
  const { shipment } = input;
  await db.transaction(async (trx) => {
    const first = await transition(trx, {
      orderNo: input.orderNo,
      revision: input.revision,
      to: 'SHIPPED',
      set: { way_bill: shipment.wayBill, jd_shipper_no: shipment.jdShipperNo, jd_shipper_name: shipment.jdShipperName, shipped_at: shipment.shippedAt },
      action: 'shipped',
      detail: { wayBill: shipment.wayBill, jdShipperNo: shipment.jdShipperNo, outbound: shipment.lines },
      idempotencyKey: input.idempotencyKey,
    });
    if (!first) return;
    const order = await trx('sales_orders').where({ order_no: input.orderNo }).first();
    await bookOutbound(trx, { warehouseCode: order.warehouse_code, docType: 'SO', docNo: input.orderNo, docRevision: input.revision, lines: shipment.lines });
  });
}

/** A log line that changes no status (still waiting at JD, webhook given up, …). */
export async function recordEvent(db: Knex, input: { orderNo: string; revision: number; action: string; detail: Record<string, unknown>; idempotencyKey: string }): Promise<void> {
  await db.transaction(async (trx) => {
    await writeOperationLogOnce(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: input.orderNo,
      action: input.action,
      actorRole: 'system',
      detail: { pushRevision: input.revision, ...input.detail },
      idempotencyKey: input.idempotencyKey,
    });
  });
}

// ---------------------------------------------------------------- cancel requests

export interface CancelRequestRecord {
  requestId: string;
  orderNo: string;
  pushRevision: number;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  source: 'api' | 'temporal';
  statusAtRequest: SalesOrderStatus | null;
  verdict: string | null;
  resultingStatus: SalesOrderStatus | null;
  jdMessage: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

function toCancelRequest(row: Record<string, unknown>): CancelRequestRecord {
  return {
    requestId: row.request_id as string,
    orderNo: row.order_no as string,
    pushRevision: row.push_revision as number,
    kind: row.kind as CancelKind,
    reason: row.reason as string,
    actorRole: row.actor_role as string,
    source: row.source as 'api' | 'temporal',
    statusAtRequest: (row.status_at_request as SalesOrderStatus) ?? null,
    verdict: (row.verdict as string) ?? null,
    resultingStatus: (row.resulting_status as SalesOrderStatus) ?? null,
    jdMessage: (row.jd_message as string) ?? null,
    requestedAt: iso(row.requested_at)!,
    decidedAt: iso(row.decided_at),
  };
}

export interface NewCancelRequest {
  requestId: string;
  orderNo: string;
  revision: number;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  source: 'api' | 'temporal';
}

function cancelRow(r: NewCancelRequest) {
  return { request_id: r.requestId, order_no: r.orderNo, push_revision: r.revision, kind: r.kind, reason: r.reason, actor_role: r.actorRole, source: r.source };
}

/** The API's record of a request it signalled; the workflow may have decided it already, then this does nothing. */
export async function insertPendingCancelRequest(db: Knex, request: NewCancelRequest): Promise<void> {
  await db('cancel_requests').insert(cancelRow(request)).onConflict('request_id').ignore();
}

export async function findCancelRequest(db: Knex, requestId: string): Promise<CancelRequestRecord | undefined> {
  const row = await db('cancel_requests').where({ request_id: requestId }).first();
  return row ? toCancelRequest(row) : undefined;
}

export async function listCancelRequests(db: Knex, orderNo: string): Promise<CancelRequestRecord[]> {
  const rows = await db('cancel_requests').where({ order_no: orderNo }).orderBy([{ column: 'requested_at' }, { column: 'request_id' }]);
  return rows.map(toCancelRequest);
}

export interface CancelDecision {
  request: NewCancelRequest & { statusAtRequest: SalesOrderStatus };
  verdict: string;
  /** The order's status after the decision; a change is written with the verdict. */
  status: SalesOrderStatus;
  jdMessage?: string;
  idempotencyKey: string;
}

/** The verdict, its log line and the resulting status change, in one transaction. */
export async function recordCancelDecision(db: Knex, d: CancelDecision): Promise<void> {
  const { request } = d;
  await db.transaction(async (trx) => {
    const first = await writeOperationLogOnce(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: request.orderNo,
      action: request.kind === 'sendBack' ? 'send_back' : 'buyer_refund',
      actorRole: knownRole(request.actorRole),
      detail: {
        pushRevision: request.revision,
        requestId: request.requestId,
        verdict: d.verdict,
        reason: request.reason,
        source: request.source,
        ...(d.jdMessage !== undefined && { jdMessage: d.jdMessage }),
      },
      idempotencyKey: d.idempotencyKey,
    });
    if (!first) return;
    const decided = { verdict: d.verdict, resulting_status: d.status, jd_message: d.jdMessage ?? null, status_at_request: request.statusAtRequest, decided_at: trx.fn.now() };
    await trx('cancel_requests')
      .insert({ ...cancelRow(request), ...decided })
      .onConflict('request_id')
      .merge(decided);
    const current = await trx('sales_orders').where({ order_no: request.orderNo, push_revision: request.revision }).first();
    // Re-approved in the instant after this run put it back in review: a verdict here would describe an order that moved on.
    if (!current) {
      throw new ConflictError(`Sales order ${request.orderNo} is no longer at push revision ${request.revision}; request ${request.requestId} is not decided here`, 'revision-superseded');
    }
    if (current.status === d.status) return;
    // Back in review the next approval pushes a new JD order; the old number stays in the log.
    const clear = d.status === 'REVIEW' ? { eclp_so_no: null, way_bill: null, failure_reason: null } : {};
    await trx('sales_orders')
      .where({ order_no: request.orderNo, push_revision: request.revision })
      .update({ ...clear, status: d.status, status_since: trx.fn.now(), updated_at: trx.fn.now() });
  });
}

/**
 * A buyer refund for an order still in review: nothing was pushed, so the ERP cancels on its own.
 * False when the order left REVIEW meanwhile (the caller then routes the request again).
 */
export async function cancelInReview(db: Knex, request: NewCancelRequest): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('sales_orders')
      .where({ order_no: request.orderNo, status: 'REVIEW' })
      .update({ status: 'CANCELLED', status_since: trx.fn.now(), updated_at: trx.fn.now() });
    if (updated === 0) return false;
    await trx('cancel_requests')
      .insert({ ...cancelRow(request), status_at_request: 'REVIEW', verdict: 'CANCELLED_IN_ERP', resulting_status: 'CANCELLED', decided_at: trx.fn.now() })
      .onConflict('request_id')
      .ignore();
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: request.orderNo,
      action: 'buyer_refund',
      actorRole: knownRole(request.actorRole),
      detail: { pushRevision: request.revision, requestId: request.requestId, verdict: 'CANCELLED_IN_ERP', reason: request.reason, source: request.source },
    });
    return true;
  });
}

/** Roles typed into the Temporal UI are free text; the log keeps the known ones and files the rest under operator. */
function knownRole(role: string): ActorRole {
  return role === 'erp' || role === 'operator' || role === 'admin' || role === 'system' ? role : 'operator';
}
