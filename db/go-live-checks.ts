// 推单测试 (go-live push test) persistence: the check as requested, its steps, and its test sales orders —
// created by the sales-order code like any order (REVIEW, then claimed for a push), marked with the
// check's id. What the API shows, what the check's activities read and write, and what the attention
// list reads, in one place.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../domain/errors';
import type { Consignee, SalesOrderBody } from '../domain/sales-order';
import { SALES_ORDER_STATUS, type SalesOrderStatus } from '../domain/statuses';
import { bodyHash } from './body-hash';
import { findCarrier, findWarehouse, type Page } from './master-data';
import { writeOperationLog, type ActorRole } from './operation-log';
import { claimSalesOrderPush, createSalesOrder, insertPendingSalesOrderCancelRequest } from './sales-orders';

/** The operation log's doc_type of go-live checks. */
export const GO_LIVE_CHECK_DOC_TYPE = 'go_live_check';

export type GoLiveCheckStatus = 'RUNNING' | 'PASSED' | 'FAILED';
export type GoLiveStepOutcome = 'PASSED' | 'FAILED';

/** The labels an ERP screen shows beside the constants. */
export const GO_LIVE_CHECK_STATUS: Record<GoLiveCheckStatus, string> = { RUNNING: '测试中', PASSED: '通过', FAILED: '失败' };

// Plain table names: these tables are this feature's own, typed by the rows below (db/tables.ts lists
// the shared ones).
const CHECKS: string = 'go_live_checks';
const STEPS: string = 'go_live_check_steps';

interface GoLiveCheckRow {
  id: string;
  warehouse_code: string;
  carrier_code: string;
  skus: string[];
  consignee: Consignee;
  body_hash: string;
  status: GoLiveCheckStatus;
  actor_role: string;
  workflow_id: string | null;
  summary: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

interface GoLiveStepRow {
  check_id: string;
  step: string;
  subject: string;
  outcome: GoLiveStepOutcome;
  detail: string;
  jd_message: string | null;
  jd_doc_no: string | null;
  at: Date;
}

export interface GoLiveCheckRequest {
  id: string;
  warehouseCode: string;
  carrierCode: string;
  skus: string[];
  consignee: Consignee;
}

export interface GoLiveCheckSummary {
  id: string;
  warehouseCode: string;
  carrierCode: string;
  skus: string[];
  status: GoLiveCheckStatus;
  statusLabel: string;
  workflowId: string | null;
  /** The failing steps in one sentence, with JD's words (FAILED only). */
  summary: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface GoLiveStepView {
  step: string;
  /** The test order's number for a `test_order` step; absent for the check's own steps. */
  orderNo?: string;
  outcome: GoLiveStepOutcome;
  detail: string;
  jdMessage: string | null;
  jdDocNo: string | null;
  at: string;
}

export interface GoLiveTestOrderView {
  orderNo: string;
  sku: string;
  status: SalesOrderStatus;
  statusLabel: string;
  eclpSoNo: string | null;
  workflowId: string | null;
  /** The check's buyer refund: how JD (or the ERP) decided it; null while undecided. */
  verdict: string | null;
  jdMessage: string | null;
  failureReason: string | null;
  href: string;
}

export interface GoLiveCheckDetail extends GoLiveCheckSummary {
  steps: GoLiveStepView[];
  orders: GoLiveTestOrderView[];
}

function toSummary(row: GoLiveCheckRow): GoLiveCheckSummary {
  return {
    id: row.id,
    warehouseCode: row.warehouse_code,
    carrierCode: row.carrier_code,
    skus: row.skus,
    status: row.status,
    statusLabel: GO_LIVE_CHECK_STATUS[row.status],
    workflowId: row.workflow_id,
    summary: row.summary,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

function requestHash(request: Omit<GoLiveCheckRequest, 'id' | 'consignee'>): string {
  return bodyHash({ warehouseCode: request.warehouseCode, carrierCode: request.carrierCode, skus: request.skus });
}

// ---------------------------------------------------------------- the API's side

/**
 * Stores a new check (RUNNING). Idempotent on its id: the same request again answers the stored check,
 * another request under that id is a conflict.
 */
export async function createGoLiveCheck(db: Knex, request: GoLiveCheckRequest, actorRole: ActorRole): Promise<{ check: GoLiveCheckSummary; created: boolean }> {
  const hash = requestHash(request);
  const created = await db.transaction(async (trx) => {
    const inserted = await trx(CHECKS)
      .insert({
        id: request.id,
        warehouse_code: request.warehouseCode,
        carrier_code: request.carrierCode,
        skus: JSON.stringify(request.skus),
        consignee: JSON.stringify(request.consignee),
        body_hash: hash,
        actor_role: actorRole,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    if (inserted.length === 0) return false;
    await writeOperationLog(trx, {
      docType: GO_LIVE_CHECK_DOC_TYPE,
      docKey: request.id,
      action: 'created',
      actorRole,
      detail: { warehouseCode: request.warehouseCode, carrierCode: request.carrierCode, skus: request.skus },
    });
    return true;
  });
  const row = (await db<GoLiveCheckRow>(CHECKS).where({ id: request.id }).first())!;
  if (!created && row.body_hash !== hash) {
    throw new ConflictError(`Go-live check ${request.id} already exists for another request`, 'go-live-check-exists', { checkStatus: row.status });
  }
  return { check: toSummary(row), created };
}

export async function setGoLiveCheckWorkflowId(db: Knex, id: string, workflowId: string): Promise<void> {
  await db(CHECKS).where({ id }).whereNull('workflow_id').update({ workflow_id: workflowId, updated_at: db.fn.now() });
}

/** A check whose run could not start (Temporal unreachable): forgotten, so the same request starts it afresh. */
export async function deleteUnstartedGoLiveCheck(db: Knex, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const deleted = await trx(CHECKS).where({ id, status: 'RUNNING' }).whereNull('workflow_id').whereNotExists((q) => q.select(trx.raw('1')).from(STEPS).where({ check_id: id })).delete();
    if (deleted > 0) await writeOperationLog(trx, { docType: GO_LIVE_CHECK_DOC_TYPE, docKey: id, action: 'not_started', actorRole: 'system', detail: { why: 'Temporal unreachable' } });
  });
}

export async function findGoLiveCheck(db: Knex, id: string): Promise<GoLiveCheckSummary | undefined> {
  const row = await db<GoLiveCheckRow>(CHECKS).where({ id }).first();
  return row ? toSummary(row) : undefined;
}

export async function getGoLiveCheckDetail(db: Knex, id: string): Promise<GoLiveCheckDetail> {
  const row = await db<GoLiveCheckRow>(CHECKS).where({ id }).first();
  if (!row) throw new NotFoundError(`No go-live check "${id}"`, 'not-found');
  const [steps, orders] = await Promise.all([listSteps(db, id), listTestOrders(db, id)]);
  return { ...toSummary(row), steps, orders };
}

export async function listGoLiveChecks(db: Knex, filter: { status?: GoLiveCheckStatus; warehouseCode?: string }, page: Page): Promise<{ items: GoLiveCheckSummary[]; total: number }> {
  const base = () => {
    const q = db<GoLiveCheckRow>(CHECKS);
    if (filter.status) q.where({ status: filter.status });
    if (filter.warehouseCode) q.where({ warehouse_code: filter.warehouseCode });
    return q;
  };
  const [rows, counted] = await Promise.all([
    base().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(page.limit).offset(page.offset),
    base().count<{ count: string }[]>({ count: '*' }),
  ]);
  return { items: (rows as GoLiveCheckRow[]).map(toSummary), total: Number(counted[0]?.count ?? 0) };
}

async function listSteps(db: Knex, checkId: string): Promise<GoLiveStepView[]> {
  const rows = (await db<GoLiveStepRow>(STEPS).where({ check_id: checkId }).orderBy([{ column: 'at' }, { column: 'step' }, { column: 'subject' }])) as GoLiveStepRow[];
  return rows.map((row) => ({
    step: row.step,
    ...(row.subject !== '' && { orderNo: row.subject }),
    outcome: row.outcome,
    detail: row.detail,
    jdMessage: row.jd_message,
    jdDocNo: row.jd_doc_no,
    at: row.at.toISOString(),
  }));
}

interface TestOrderRow {
  order_no: string;
  status: SalesOrderStatus;
  eclp_so_no: string | null;
  workflow_id: string | null;
  failure_reason: string | null;
  sku: string;
  verdict: string | null;
  jd_message: string | null;
}

/** The check's test orders with the verdict on the check's own refund (request id `GOLIVE:{id}#{orderNo}`). */
async function listTestOrders(db: Knex, checkId: string): Promise<GoLiveTestOrderView[]> {
  const rows = (await db('sales_orders')
    .where('sales_orders.go_live_check_id', checkId)
    .join('sales_order_lines', 'sales_order_lines.order_no', 'sales_orders.order_no')
    .leftJoin('cancel_requests', function () {
      this.on('cancel_requests.order_no', '=', 'sales_orders.order_no').andOn(
        'cancel_requests.request_id',
        '=',
        db.raw("'GOLIVE:' || sales_orders.go_live_check_id::text || '#' || sales_orders.order_no"),
      );
    })
    .select(
      'sales_orders.order_no',
      'sales_orders.status',
      'sales_orders.eclp_so_no',
      'sales_orders.workflow_id',
      'sales_orders.failure_reason',
      'sales_order_lines.sku',
      'cancel_requests.verdict',
      'cancel_requests.jd_message',
    )
    .orderBy('sales_orders.order_no')) as TestOrderRow[];
  // GLT-…-10 after GLT-…-9.
  rows.sort((a, b) => orderSeq(a.order_no) - orderSeq(b.order_no));
  return rows.map((row) => ({
    orderNo: row.order_no,
    sku: row.sku,
    status: row.status,
    statusLabel: SALES_ORDER_STATUS[row.status],
    eclpSoNo: row.eclp_so_no,
    workflowId: row.workflow_id,
    verdict: row.verdict,
    jdMessage: row.jd_message,
    failureReason: row.failure_reason,
    href: `/v1/sales-orders/${row.order_no}`,
  }));
}

const orderSeq = (orderNo: string) => Number(orderNo.slice(orderNo.lastIndexOf('-') + 1)) || 0;

// ---------------------------------------------------------------- the check's activities

export interface GoLiveCheckMaterial {
  id: string;
  status: GoLiveCheckStatus;
  warehouseCode: string;
  carrierCode: string;
  skus: string[];
  consignee: Consignee;
  warehouse: { code: string; eclpConnected: boolean; jdWarehouseNo: string | null } | undefined;
  carrier: { code: string; jdShipperNo: string } | undefined;
  /** By SKU; absent = unknown SKU. `jdThirdCategoryNo` null = the goods' category has no JD mapping. */
  goods: ReadonlyMap<string, { jdGoodsNo: string | null; categoryCode: string; jdThirdCategoryNo: string | null; barcodes: string[] }>;
}

/** The check as requested and the master data it names, as they are now. */
export async function loadGoLiveCheckMaterial(db: Knex, id: string): Promise<GoLiveCheckMaterial | undefined> {
  const row = await db<GoLiveCheckRow>(CHECKS).where({ id }).first();
  if (!row) return undefined;
  const [warehouse, carrier, goodsRows, barcodeRows] = await Promise.all([
    findWarehouse(db, row.warehouse_code),
    findCarrier(db, row.carrier_code),
    db('goods').leftJoin('categories', 'categories.code', 'goods.category_code').whereIn('goods.sku', row.skus).select('goods.sku', 'goods.jd_goods_no', 'goods.category_code', 'categories.jd_third_category_no'),
    db('goods_barcodes').whereIn('sku', row.skus).orderBy(['sku', 'position']),
  ]);
  const goods = new Map<string, { jdGoodsNo: string | null; categoryCode: string; jdThirdCategoryNo: string | null; barcodes: string[] }>();
  for (const g of goodsRows as Array<{ sku: string; jd_goods_no: string | null; category_code: string; jd_third_category_no: string | null }>) {
    goods.set(g.sku, { jdGoodsNo: g.jd_goods_no, categoryCode: g.category_code, jdThirdCategoryNo: g.jd_third_category_no, barcodes: [] });
  }
  for (const b of barcodeRows) goods.get(b.sku)?.barcodes.push(b.barcode);
  return {
    id: row.id,
    status: row.status,
    warehouseCode: row.warehouse_code,
    carrierCode: row.carrier_code,
    skus: row.skus,
    consignee: row.consignee,
    warehouse: warehouse ? { code: warehouse.code, eclpConnected: warehouse.eclpConnected, jdWarehouseNo: warehouse.jdWarehouseNo } : undefined,
    carrier: carrier ? { code: carrier.code, jdShipperNo: carrier.jdShipperNo } : undefined,
    goods,
  };
}

export interface GoLiveStepWrite {
  step: string;
  subject: string;
  outcome: GoLiveStepOutcome;
  detail: string;
  jdMessage?: string | undefined;
  jdDocNo?: string | undefined;
}

/** One step's outcome; a repeat (a retried activity) keeps the first record. */
export async function recordGoLiveCheckStep(db: Knex, checkId: string, step: GoLiveStepWrite): Promise<void> {
  await db(STEPS)
    .insert({ check_id: checkId, step: step.step, subject: step.subject, outcome: step.outcome, detail: step.detail, jd_message: step.jdMessage ?? null, jd_doc_no: step.jdDocNo ?? null })
    .onConflict(['check_id', 'step', 'subject'])
    .ignore();
}

/** PASSED or FAILED with the failing steps in one sentence; a repeat changes nothing. */
export async function finishGoLiveCheck(db: Knex, checkId: string, outcome: { status: Exclude<GoLiveCheckStatus, 'RUNNING'>; summary: string | null }): Promise<void> {
  await db.transaction(async (trx) => {
    const updated = await trx(CHECKS)
      .where({ id: checkId, status: 'RUNNING' })
      .update({ status: outcome.status, summary: outcome.summary, finished_at: trx.fn.now(), updated_at: trx.fn.now() });
    if (updated === 0) return;
    await writeOperationLog(trx, { docType: GO_LIVE_CHECK_DOC_TYPE, docKey: checkId, action: 'finished', actorRole: 'system', detail: { status: outcome.status, ...(outcome.summary !== null && { summary: outcome.summary }) } });
  });
}

/** JD's sellerRemark on every test order: what the warehouse staff and JD's console show. */
export function goLiveTestOrderRemark(checkId: string): string {
  return `推单测试 / go-live test — cancel, do not ship (check ${checkId})`;
}

/**
 * One test order per SKU (quantity 1), in REVIEW, created by the sales-order code like any order and
 * marked with the check's id — all or none. A repeat (a retried activity) finds them as they are.
 */
export async function createGoLiveTestOrders(db: Knex, checkId: string, orders: ReadonlyArray<{ orderNo: string; sku: string }>): Promise<void> {
  const check = await db<GoLiveCheckRow>(CHECKS).where({ id: checkId }).first();
  if (!check) throw new NotFoundError(`No go-live check "${checkId}"`, 'not-found');
  await db.transaction(async (trx) => {
    for (const { orderNo, sku } of orders) {
      const body: SalesOrderBody = {
        orderNo,
        warehouseCode: check.warehouse_code,
        carrierCode: check.carrier_code,
        consignee: check.consignee,
        lines: [{ sku, quantity: 1, price: 0 }],
        remark: goLiveTestOrderRemark(checkId),
      };
      // The order code's own transaction becomes a savepoint of this one.
      await createSalesOrder(trx, body, 'system');
      const marked = await trx('sales_orders').where({ order_no: orderNo }).where((q) => q.whereNull('go_live_check_id').orWhere('go_live_check_id', checkId)).update({ go_live_check_id: checkId });
      if (marked === 0) throw new ConflictError(`Sales order ${orderNo} exists and is not a test order of go-live check ${checkId}`, 'order-exists');
    }
  });
}

/**
 * Approval of a test order, as the API approves any order (REVIEW → PUSHING under the run's id), and the
 * check's buyer refund recorded as the API records one before it signals: the run's verdict then lands
 * on that request, where the check looks for it.
 */
export async function approveGoLiveTestOrder(
  db: Knex,
  input: { orderNo: string; revision: number; workflowId: string; jdWarehouseNo: string; requestId: string; reason: string },
): Promise<{ claimed: boolean }> {
  const claimed = await claimSalesOrderPush(db, { orderNo: input.orderNo, revision: input.revision, workflowId: input.workflowId, actorRole: 'system', jdWarehouseNo: input.jdWarehouseNo });
  if (!claimed) return { claimed };
  await insertPendingSalesOrderCancelRequest(db, {
    requestId: input.requestId,
    orderNo: input.orderNo,
    revision: input.revision,
    kind: 'buyerRefund',
    reason: input.reason,
    actorRole: 'system',
    source: 'api',
  });
  return { claimed };
}

/** The verdict on the check's refund of a test order, with the order as it is now; undefined while undecided. */
export async function findGoLiveTestOrderVerdict(
  db: Knex,
  orderNo: string,
  requestId: string,
): Promise<{ verdict: string; jdMessage: string | null; status: SalesOrderStatus; eclpSoNo: string | null; failureReason: string | null } | undefined> {
  const request = await db('cancel_requests').where({ request_id: requestId, order_no: orderNo }).whereNotNull('verdict').first();
  if (!request?.verdict) return undefined;
  const order = await db('sales_orders').where({ order_no: orderNo }).first();
  if (!order) throw new NotFoundError(`No sales order "${orderNo}"`, 'not-found');
  return { verdict: request.verdict, jdMessage: request.jd_message, status: order.status, eclpSoNo: order.eclp_so_no, failureReason: order.failure_reason };
}

// ---------------------------------------------------------------- what the attention list reads

export interface FailedGoLiveCheck {
  id: string;
  warehouseCode: string;
  carrierCode: string;
  summary: string | null;
  workflowId: string | null;
  finishedAt: Date;
}

/**
 * FAILED checks no later check of the same warehouse and carrier has made good (PASSED for at least the
 * same SKUs): once the operator fixed the cause and a check passed, the old failure needs nobody.
 */
export async function listOpenFailedGoLiveChecks(db: Knex): Promise<FailedGoLiveCheck[]> {
  const rows = (await db(`${CHECKS} as f`)
    .where('f.status', 'FAILED')
    .whereNotExists((later) =>
      later
        .select(db.raw('1'))
        .from(`${CHECKS} as p`)
        .where('p.status', 'PASSED')
        .whereRaw('p.warehouse_code = f.warehouse_code AND p.carrier_code = f.carrier_code AND p.created_at > f.created_at AND p.skus @> f.skus'),
    )
    .select('f.id', 'f.warehouse_code', 'f.carrier_code', 'f.summary', 'f.workflow_id', 'f.finished_at', 'f.updated_at')
    .orderBy('f.finished_at')) as Array<{ id: string; warehouse_code: string; carrier_code: string; summary: string | null; workflow_id: string | null; finished_at: Date | null; updated_at: Date }>;
  return rows.map((r) => ({ id: r.id, warehouseCode: r.warehouse_code, carrierCode: r.carrier_code, summary: r.summary, workflowId: r.workflow_id, finishedAt: r.finished_at ?? r.updated_at }));
}

export interface ShippingTestOrder {
  orderNo: string;
  checkId: string;
  status: SalesOrderStatus;
  eclpSoNo: string | null;
  workflowId: string | null;
  warehouseCode: string;
  jdMessage: string | null;
  refusedAt: Date;
}

/** Test orders whose cancel JD refused and that are not cancelled (they will ship, or have shipped). */
export async function listShippingGoLiveTestOrders(db: Knex): Promise<ShippingTestOrder[]> {
  const rows = (await db('sales_orders')
    .whereNotNull('sales_orders.go_live_check_id')
    .whereNot('sales_orders.status', 'CANCELLED')
    .join('cancel_requests', 'cancel_requests.order_no', 'sales_orders.order_no')
    .where('cancel_requests.verdict', 'REFUSED_BY_JD')
    .select(
      'sales_orders.order_no',
      'sales_orders.go_live_check_id',
      'sales_orders.status',
      'sales_orders.eclp_so_no',
      'sales_orders.workflow_id',
      'sales_orders.warehouse_code',
      db.raw('max(cancel_requests.decided_at) as refused_at'),
      db.raw("(array_agg(cancel_requests.jd_message ORDER BY cancel_requests.decided_at DESC))[1] as jd_message"),
    )
    .groupBy('sales_orders.order_no')
    .orderBy('refused_at')) as Array<{
    order_no: string;
    go_live_check_id: string;
    status: SalesOrderStatus;
    eclp_so_no: string | null;
    workflow_id: string | null;
    warehouse_code: string;
    refused_at: Date;
    jd_message: string | null;
  }>;
  return rows.map((r) => ({
    orderNo: r.order_no,
    checkId: r.go_live_check_id,
    status: r.status,
    eclpSoNo: r.eclp_so_no,
    workflowId: r.workflow_id,
    warehouseCode: r.warehouse_code,
    jdMessage: r.jd_message,
    refusedAt: r.refused_at,
  }));
}
