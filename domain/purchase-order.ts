// 采购订单: request shapes and the rules shared by the API (what may be asked in which status), the
// activities (pre-flight, receipts) and the saga (which status JD's answer means).
import { z } from 'zod';
import { codeSchema } from './master-data';
import { freeText } from './text-schema';
import type { PurchaseOrderStatus } from './statuses';

/** JD's unitPrice: two decimals at most (it sums to the fen). */
const unitPriceSchema = z
  .number()
  .min(0)
  .max(99_999_999)
  .refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-6, 'must have at most two decimals');

export const purchaseOrderLineSchema = z
  .strictObject({
    sku: codeSchema,
    quantity: z.number().int().min(1).max(999_999),
    unitPrice: unitPriceSchema.optional(),
  })
  .meta({ id: 'PurchaseOrderLine' });

export const purchaseOrderBody = z
  .strictObject({
    poNo: codeSchema,
    supplierCode: codeSchema,
    warehouseCode: codeSchema,
    lines: z
      .array(purchaseOrderLineSchema)
      .min(1)
      .max(200)
      // Receipts are booked per SKU (JD reports received quantities per goods): one line per SKU.
      .refine((lines) => new Set(lines.map((l) => l.sku)).size === lines.length, 'must not repeat a SKU (merge the quantities into one line)')
      // JD's unitPrice is a parallel list: every line has one or none does (eclp optionalColumn).
      .refine((lines) => lines.every((l) => l.unitPrice === undefined) || lines.every((l) => l.unitPrice !== undefined), 'give unitPrice on every line or on none'),
    // JD's inboundRemark is 200 characters.
    remark: freeText({ max: 200, maxMessage: "must fit JD's inboundRemark (200 characters)" }).optional(),
  })
  .meta({ id: 'PurchaseOrderBody' });
export type PurchaseOrderBody = z.infer<typeof purchaseOrderBody>;

/** Cancel or close: the operator's reason goes into the log. */
export const purchaseOrderRequestBody = z
  .strictObject({
    reason: freeText({ max: 200 }),
    requestId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:#._-]{0,99}$/, 'must be 1–100 letters, digits or :#._-').optional(),
  })
  .meta({ id: 'PurchaseOrderRequestBody' });

/** PUSH_UNCONFIRMED → the operator found JD's PO for our number. */
export const purchaseOrderLinkBody = purchaseOrderRequestBody
  .extend({
    poOrderNo: z.string().regex(/^[A-Za-z0-9]{1,50}$/, "must be JD's PO number (EPL…)"),
    reason: freeText({ max: 200 }).optional(),
  })
  .meta({ id: 'PurchaseOrderLinkBody' });

/** PUSH_UNCONFIRMED or FAILED → push again under a new revision; the operator confirms JD holds none. */
export const purchaseOrderRepushBody = purchaseOrderRequestBody
  .extend({ confirmNoJdOrder: z.literal(true, { message: 'must be true: confirm that JD holds no purchase order for this PO' }) })
  .meta({ id: 'PurchaseOrderRepushBody' });

export const purchaseOrderSerialsBody = z
  .strictObject({
    sku: codeSchema,
    serialNos: z
      .array(z.string().regex(/^[A-Za-z0-9._/-]{1,50}$/, 'must be 1–50 letters, digits or ._/-'))
      .min(1)
      .max(1000)
      .refine((serials) => new Set(serials).size === serials.length, 'must not repeat a serial number'),
  })
  .meta({ id: 'PurchaseOrderSerialsBody' });

/**
 * What an operator can ask of a PO's run. `cancel` and `close` wait in the saga's cancel inbox;
 * `link` and `repush` resolve a PUSH_UNCONFIRMED (repush also a FAILED) PO.
 */
export const PURCHASE_ORDER_REQUEST_KINDS = ['cancel', 'close', 'link', 'repush'] as const;
export type PurchaseOrderRequestKind = (typeof PURCHASE_ORDER_REQUEST_KINDS)[number];
/** The kinds the cancel inbox takes. */
export type PurchaseOrderInboxKind = Extract<PurchaseOrderRequestKind, 'cancel' | 'close'>;

/**
 * - CANCELLED_AT_JD: cancalPoOrder answered 1; the PO is CANCELLED.
 * - CANCELLED_IN_ERP: JD never had a live PO (pre-flight or push failed); cancelled without a JD call.
 * - REFUSED_BY_JD: JD said no (goods received, …); the PO carries on, JD's words in `jdMessage`.
 * - CLOSED_AT_JD: po.closePo succeeded; the PO ended RECEIVED with what arrived, the rest short.
 * - LINKED / LINK_REFUSED: JD's PO was (not) confirmed as ours by queryPoOrder.
 * - REPUSHED: pushed again under a new revision.
 * - ALREADY_RECEIVED / ALREADY_CANCELLED: the PO had ended before the request was decided.
 * - NOT_APPLICABLE: the request does not fit the PO's state (a close of a PO JD never held, a link of a
 *   PO that is not PUSH_UNCONFIRMED); only a sender that bypasses the API's routing gets it.
 */
export const PURCHASE_ORDER_VERDICTS = [
  'CANCELLED_AT_JD',
  'CANCELLED_IN_ERP',
  'REFUSED_BY_JD',
  'CLOSED_AT_JD',
  'LINKED',
  'LINK_REFUSED',
  'REPUSHED',
  'ALREADY_RECEIVED',
  'ALREADY_CANCELLED',
  'NOT_APPLICABLE',
] as const;
export type PurchaseOrderVerdict = (typeof PURCHASE_ORDER_VERDICTS)[number];

/** Where a failed PO stopped (the operator's first question). */
export type PurchaseOrderFailureStage = 'preflight' | 'goods_sync' | 'push_rejected';

/** Statuses in which JD holds a live PO of ours. */
export const PURCHASE_ORDER_AT_JD: ReadonlySet<PurchaseOrderStatus> = new Set(['WAITING_INBOUND', 'PARTIALLY_RECEIVED']);
/** Statuses a PO never leaves. */
export const PURCHASE_ORDER_FINAL: ReadonlySet<PurchaseOrderStatus> = new Set(['RECEIVED', 'CANCELLED', 'NOT_PUSHED']);

export { receiptNoOf, spPoOrderNoOf } from './purchase-order-numbers';

/** Where the API routes a request, judged on the PO as Postgres has it. */
export type PurchaseOrderRoute = { action: 'signal' } | { action: 'refuse'; reason: string; message: string };

export function routePurchaseOrderRequest(po: { poNo: string; status: PurchaseOrderStatus; receivedTotal: number }, kind: PurchaseOrderRequestKind): PurchaseOrderRoute {
  const { poNo, status } = po;
  const refuse = (reason: string, message: string): PurchaseOrderRoute => ({ action: 'refuse', reason, message });
  if (status === 'NOT_PUSHED') return refuse('not-at-jd', `Purchase order ${poNo} is not pushed to JD (its warehouse is not ECLP-connected); change it in the ERP`);
  if (status === 'RECEIVED') return refuse('already-received', `Purchase order ${poNo} is already received`);
  if (status === 'CANCELLED') return refuse('already-cancelled', `Purchase order ${poNo} is already cancelled`);
  switch (kind) {
    case 'cancel':
      if (status === 'PUSH_UNCONFIRMED') return refuse('push-unconfirmed', `Purchase order ${poNo} may exist at JD under an unknown number: link JD's PO (POST …/link) or confirm JD has none (POST …/repush) first`);
      return { action: 'signal' };
    case 'close':
      if (status === 'PARTIALLY_RECEIVED') return { action: 'signal' };
      return refuse('not-partially-received', `Only a partly received purchase order can be closed; ${poNo} is ${status}${status === 'WAITING_INBOUND' ? ' (nothing received yet: cancel it instead)' : ''}`);
    case 'link':
      if (status === 'PUSH_UNCONFIRMED') return { action: 'signal' };
      return refuse('not-unconfirmed', `Purchase order ${poNo} is ${status}: only a PUSH_UNCONFIRMED purchase order is linked`);
    case 'repush':
      if (status === 'PUSH_UNCONFIRMED' || status === 'FAILED') return { action: 'signal' };
      return refuse('not-repushable', `Purchase order ${poNo} is ${status}: only a PUSH_UNCONFIRMED or FAILED purchase order is pushed again`);
  }
}
