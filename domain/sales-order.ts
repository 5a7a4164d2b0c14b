// 销售订单: request shapes and the rules shared by the API (what may be asked in which status) and the
// push activities (the pre-flight that decides whether JD can be asked at all).
import { z } from 'zod';
import { codeSchema } from './master-data';
import { freeText } from './text-schema';
import type { CancelVerdict } from './cancel';
import type { SalesOrderStatus } from './statuses';

/** Two decimals at most: JD prints the price on the waybill and sums to the fen. */
const priceSchema = z
  .number()
  .min(0)
  .max(99_999_999)
  .refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-6, 'must have at most two decimals');

const phoneSchema = z.string().trim().regex(/^[0-9+() -]{5,30}$/, 'must be 5–30 digits, spaces, "+", "-" or brackets');

// Limits are JD's field sizes (eclp-api.md §3.7): a longer value would be cut or refused at push time.
export const consigneeSchema = z
  .strictObject({
    name: freeText({ max: 20, maxMessage: "must fit JD's consigneeName (20 characters)" }),
    mobile: phoneSchema.optional(),
    phone: phoneSchema.optional(),
    province: freeText({ max: 100 }),
    city: freeText({ max: 100 }),
    county: freeText({ max: 100 }),
    town: freeText({ max: 100 }).optional(),
    address: freeText({ max: 100, maxMessage: "must fit JD's consigneeAddress (100 characters)" }),
  })
  .refine((c) => c.mobile !== undefined || c.phone !== undefined, {
    path: ['mobile'],
    message: 'give mobile or phone: JD needs one to reach the consignee',
  })
  .meta({ id: 'Consignee' });

export const salesOrderLineSchema = z
  .strictObject({
    sku: codeSchema,
    quantity: z.number().int().min(1).max(99_999),
    price: priceSchema,
  })
  .meta({ id: 'SalesOrderLine' });

export const salesOrderBody = z
  .strictObject({
    orderNo: codeSchema,
    shopOrderNo: freeText({ max: 200 }).optional(),
    warehouseCode: codeSchema,
    carrierCode: codeSchema,
    consignee: consigneeSchema,
    lines: z
      .array(salesOrderLineSchema)
      .min(1)
      .max(200)
      // One ledger row per SKU and document: two lines of one SKU would book as one anyway.
      .refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, 'must not repeat a SKU (merge the quantities into one line)'),
    // JD's sellerRemark: the one field people write paragraphs in, so line breaks are kept.
    remark: freeText({ max: 500, lineBreaks: true }).optional(),
  })
  .meta({ id: 'SalesOrderBody' });

export type SalesOrderBody = z.infer<typeof salesOrderBody>;
export type Consignee = SalesOrderBody['consignee'];

export const cancelRequestBody = z
  .strictObject({
    reason: freeText({ max: 200 }),
    /** Lets a caller retry the request safely and find its verdict later; generated when absent. */
    requestId: z.uuid().optional(),
  })
  .meta({ id: 'CancelRequestBody' });
export type CancelRequestBody = z.infer<typeof cancelRequestBody>;

/** 挂起: `until` is when the operator means to look at it again (shown; past it the order is on the attention list; no automatic release). */
export const holdRequestBody = z
  .strictObject({
    reason: freeText({ max: 200 }),
    until: z.iso
      .datetime({ offset: true })
      .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
      .optional(),
    requestId: z.uuid().optional(),
  })
  .meta({ id: 'HoldRequestBody' });
export type HoldRequestBody = z.infer<typeof holdRequestBody>;

export const releaseRequestBody = z.strictObject({ reason: freeText({ max: 200 }).optional() }).meta({ id: 'ReleaseRequestBody' });
export type ReleaseRequestBody = z.infer<typeof releaseRequestBody>;

/**
 * What a hold did, in the answer's `outcome`:
 * - HELD_BEFORE_APPROVAL: the order was in review; it is held from approval (no JD call).
 * - HELD_WITHOUT_JD: the order was FAILED (JD had no live order); held without a JD call.
 * - CANCELLED_AT_JD_HELD: JD cancelled its order; the release re-pushes it under the next revision.
 * - REFUSED_BY_JD: JD refused (picking began); the order stays in WMS配货 and will ship.
 */
export type HoldOutcome = 'HELD_BEFORE_APPROVAL' | 'HELD_WITHOUT_JD' | 'CANCELLED_AT_JD_HELD' | 'REFUSED_BY_JD' | 'ALREADY_HELD';

export function holdOutcomeOf(verdict: CancelVerdict, statusAtRequest: SalesOrderStatus | null): HoldOutcome | undefined {
  switch (verdict) {
    case 'HELD_IN_ERP':
      return statusAtRequest === 'REVIEW' ? 'HELD_BEFORE_APPROVAL' : statusAtRequest === 'HELD' ? 'ALREADY_HELD' : 'HELD_WITHOUT_JD';
    case 'CANCELLED_AT_JD':
      return 'CANCELLED_AT_JD_HELD';
    case 'REFUSED_BY_JD':
      return 'REFUSED_BY_JD';
    default:
      return undefined;
  }
}

/**
 * What a release did: RELEASED_TO_REVIEW (held before approval or after a failure: the ERP approves it
 * again as usual, or the re-push could not start), REPUSHED (held at JD: pushed again at once under the
 * next revision).
 */
export type ReleaseOutcome = 'RELEASED_TO_REVIEW' | 'REPUSHED';

/** A hold at JD is released by pushing again at once; any other hold goes back to review. */
export function releaseRepushes(heldFrom: SalesOrderStatus | null): boolean {
  return heldFrom === 'PUSHING' || heldFrom === 'WMS_PICKING';
}

// ---- what may be asked in which status ------------------------------------------------------------

/** 打回审核, a buyer refund, or a hold (挂起, emulated: ECLP has none — an order at JD is cancelled there). */
export type CancelKind = 'sendBack' | 'buyerRefund' | 'hold';

/** Where each kind of request ends when JD (or nobody) has the order any more. */
export function cancelTarget(kind: CancelKind): 'REVIEW' | 'CANCELLED' | 'HELD' {
  return kind === 'sendBack' ? 'REVIEW' : kind === 'buyerRefund' ? 'CANCELLED' : 'HELD';
}

/** Why a push revision ended in FAILED: the pre-flight, JD refusing the order, or the warehouse cancelling it. */
export type FailureStage = 'preflight' | 'push_rejected' | 'cancelled_by_warehouse';

/** Approval starts a push; only an order in review may be approved (a repeat must not push twice). */
export function canApprove(status: SalesOrderStatus): boolean {
  return status === 'REVIEW';
}

export type CancelRoute =
  /** The order's workflow decides (it may have to ask JD). */
  | { action: 'signal' }
  /** Nothing was ever pushed for this revision: the ERP cancels on its own. */
  | { action: 'cancel-in-erp' }
  /** A hold of an order in review: the ERP holds it on its own (no run exists in REVIEW). */
  | { action: 'hold-in-erp' }
  | { action: 'refuse'; reason: string; message: string };

/**
 * Where a cancel request goes, judged from the ERP's state. Shipped orders are refused here without
 * bothering the workflow: the goods are gone and only a return brings them back.
 */
export function routeCancelRequest(order: { orderNo: string; status: SalesOrderStatus; wayBill: string | null }, kind: CancelKind): CancelRoute {
  switch (order.status) {
    case 'PUSHING':
    case 'WMS_PICKING':
    case 'FAILED':
      return { action: 'signal' };
    case 'SHIPPED':
      return { action: 'refuse', reason: 'already-shipped', message: alreadyShippedMessage(order.wayBill) };
    case 'CANCELLED':
      return { action: 'refuse', reason: 'already-cancelled', message: `Sales order ${order.orderNo} is already cancelled` };
    case 'REVIEW':
      if (kind === 'buyerRefund') return { action: 'cancel-in-erp' };
      if (kind === 'hold') return { action: 'hold-in-erp' };
      return { action: 'refuse', reason: 'in-review', message: `Sales order ${order.orderNo} is in review already: there is nothing to send back` };
    case 'HELD':
      // Nothing is at JD while the order is held: a refund cancels it in the ERP.
      if (kind === 'buyerRefund') return { action: 'cancel-in-erp' };
      if (kind === 'hold') return { action: 'refuse', reason: 'already-held', message: `Sales order ${order.orderNo} is already held (挂起); release it with POST /v1/sales-orders/${order.orderNo}/release` };
      return { action: 'refuse', reason: 'held', message: `Sales order ${order.orderNo} is held (挂起): release it with POST /v1/sales-orders/${order.orderNo}/release, there is nothing to send back` };
  }
}

export function alreadyShippedMessage(wayBill: string | null | undefined): string {
  return `already shipped (waybill ${wayBill ?? 'unknown'}): create a return`;
}

/** What an operator reads with a cancel verdict (the API's answer and the order's cancel requests). */
export function cancelVerdictMessage(
  verdict: CancelVerdict,
  request: { orderNo: string; resultingStatus: SalesOrderStatus | null; jdMessage: string | null },
  wayBill: string | null,
): string {
  const where =
    request.resultingStatus === 'REVIEW'
      ? 'it is back in review'
      : request.resultingStatus === 'HELD'
        ? `it is held (挂起); POST /v1/sales-orders/${request.orderNo}/release pushes it again under a new revision`
        : 'it is cancelled';
  switch (verdict) {
    case 'CANCELLED_AT_JD':
      return `JD cancelled the order; ${where}`;
    case 'BACK_TO_REVIEW':
      return 'The order is back in review; JD had no live order for it';
    case 'CANCELLED_IN_ERP':
      return 'The order is cancelled; JD had no live order for it';
    case 'HELD_IN_ERP':
      return `The order is held (挂起); JD had no live order for it. POST /v1/sales-orders/${request.orderNo}/release brings it back to review`;
    case 'REFUSED_BY_JD':
      return `JD refused to cancel (${request.jdMessage ?? 'no reason given'}); the order stays in WMS配货 and will ship`;
    case 'ALREADY_SHIPPED':
      return alreadyShippedMessage(wayBill);
    case 'ALREADY_CANCELLED':
      return `Sales order ${request.orderNo} is already cancelled`;
  }
}

/**
 * Approval pushes to JD, so the order's warehouse must be one JD runs (ECLP-connected, with JD's
 * number). Returns that number, or why the order cannot be approved for JD.
 */
export function jdWarehouseForApproval(
  warehouseCode: string,
  warehouse: { eclpConnected: boolean; jdWarehouseNo: string | null } | undefined,
): { ok: true; jdWarehouseNo: string } | { ok: false; problem: string } {
  if (warehouse?.eclpConnected && warehouse.jdWarehouseNo) return { ok: true, jdWarehouseNo: warehouse.jdWarehouseNo };
  return { ok: false, problem: `warehouse ${warehouseCode} is not a JD (ECLP) warehouse; orders for it are not pushed to JD` };
}

// ---- pre-flight -------------------------------------------------------------------------------------

/** What the pre-flight reads: the order and the master data it refers to, as they are now. */
export interface PushMaterial {
  orderNo: string;
  revision: number;
  shopOrderNo: string | null;
  remark: string | null;
  consignee: { name: string; mobile: string | null; phone: string | null; province: string | null; city: string | null; county: string | null; town: string | null; address: string };
  lines: Array<{ sku: string; quantity: number; price: number }>;
  warehouse: { code: string; eclpConnected: boolean; jdWarehouseNo: string | null } | undefined;
  carrier: { code: string; jdShipperNo: string } | undefined;
  /** By SKU; absent = unknown SKU. */
  goods: ReadonlyMap<string, { jdGoodsNo: string | null; barcodes: readonly string[] }>;
}

/** The order in JD's terms (structurally eclp's AddOrderInput), without anything JD would not need. */
export interface JdSalesOrder {
  isvUuid: string;
  shopOrderNo?: string;
  warehouseNo: string;
  shipperNo: string;
  consignee: { name: string; mobile?: string; phone?: string; province?: string; city?: string; county?: string; town?: string; address: string };
  lines: Array<{ goodsNo: string; isvGoodsNo: string; quantity: number; price: number }>;
  remark?: string;
}

export type PreflightResult = { ok: true; order: JdSalesOrder } | { ok: false; problems: string[] };

/** JD's uniqueness key for one push of one order (DESIGN.md §3): a re-approval pushes a new one. */
export function isvUuidOf(orderNo: string, revision: number): string {
  return `${orderNo}-${revision}`;
}

/**
 * Everything that can be known to fail before JD is asked, each problem worded so an operator knows
 * what to fix (seed: 失败 … 根据提示做相应调整后，打回审核环节再重新推送即可).
 */
export function preflightSalesOrder(m: PushMaterial): PreflightResult {
  const problems: string[] = [];
  const { warehouse, carrier } = m;
  if (!warehouse) problems.push('the warehouse does not exist in master data');
  else if (!warehouse.eclpConnected || !warehouse.jdWarehouseNo) {
    problems.push(`warehouse ${warehouse.code} is not a JD (ECLP) warehouse; set eclpConnected and its jdWarehouseNo with PUT /v1/warehouses/${warehouse.code}`);
  }
  if (!carrier) problems.push('the carrier does not exist in master data; create it with PUT /v1/carriers/{code} and the jdShipperNo JD gave you');
  for (const line of m.lines) {
    const goods = m.goods.get(line.sku);
    if (!goods) problems.push(`SKU ${line.sku} does not exist in master data`);
    else if (!goods.jdGoodsNo) problems.push(`SKU ${line.sku} is not at JD yet; sync it with POST /v1/goods/${line.sku}/sync first`);
    else if (goods.barcodes.length === 0) problems.push(`SKU ${line.sku} has no barcode; JD matches goods by barcode`);
  }
  const c = m.consignee;
  if (!c.name.trim() || !c.address.trim()) problems.push('the consignee needs a name and an address');
  if (!c.mobile && !c.phone) problems.push('the consignee needs a mobile or phone number');
  if (!c.province || !c.city || !c.county) problems.push('the consignee address needs province, city and county');
  if (problems.length > 0 || !warehouse?.jdWarehouseNo || !carrier) return { ok: false, problems };

  const consignee: JdSalesOrder['consignee'] = { name: c.name, address: c.address };
  for (const key of ['mobile', 'phone', 'province', 'city', 'county', 'town'] as const) {
    const value = c[key];
    if (value) consignee[key] = value;
  }
  const order: JdSalesOrder = {
    isvUuid: isvUuidOf(m.orderNo, m.revision),
    warehouseNo: warehouse.jdWarehouseNo,
    shipperNo: carrier.jdShipperNo,
    consignee,
    lines: m.lines.map((line) => ({ goodsNo: m.goods.get(line.sku)!.jdGoodsNo!, isvGoodsNo: line.sku, quantity: line.quantity, price: line.price })),
  };
  if (m.shopOrderNo) order.shopOrderNo = m.shopOrderNo;
  if (m.remark) order.remark = m.remark;
  return { ok: true, order };
}
