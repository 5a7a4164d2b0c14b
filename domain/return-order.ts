// 售后单 (returns and exchanges): request shapes and the rules shared by the API (what may be returned,
// what may be asked in which status), the activities and the saga.
import { z } from 'zod';
import { codeSchema } from './master-data';
import { freeText } from './text-schema';
import type { ReturnStatus } from './statuses';

export const RETURN_TYPES = ['RETURN', 'EXCHANGE'] as const;

/** The longest return number: JD's return number and an exchange's replacement order add a suffix to it. */
export const MAX_RETURN_NO = 45;
export type ReturnType = (typeof RETURN_TYPES)[number];

export const returnLineSchema = z.strictObject({ sku: codeSchema, quantity: z.number().int().min(1).max(99_999) }).meta({ id: 'ReturnLine' });

/** What goes out again for an exchange; the price defaults to the original order's price of the SKU. */
export const replacementLineSchema = z
  .strictObject({
    sku: codeSchema,
    quantity: z.number().int().min(1).max(99_999),
    price: z
      .number()
      .min(0)
      .max(99_999_999)
      .refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-6, 'must have at most two decimals')
      .optional(),
  })
  .meta({ id: 'ReplacementLine' });

const oneLinePerSku = (lines: ReadonlyArray<{ sku: string }>) => new Set(lines.map((l) => l.sku)).size === lines.length;

export const returnBody = z
  .strictObject({
    // JD's isvRtwNum ({returnNo}-{rev}) and the replacement order ({returnNo}-EX) add a suffix to it.
    returnNo: codeSchema.refine((v) => v.length <= MAX_RETURN_NO, 'must be at most 45 characters: JD\'s return number and an exchange\'s replacement order number add a suffix to it'),
    orderNo: codeSchema,
    type: z.enum(RETURN_TYPES),
    warehouseCode: codeSchema,
    // JD's `reson` (sic) is 400 characters; the ERP's after-sales reason.
    reason: freeText({ max: 400, lineBreaks: true }),
    lines: z.array(returnLineSchema).min(1).max(200).refine(oneLinePerSku, 'must not repeat a SKU (merge the quantities into one line)'),
    replacementLines: z.array(replacementLineSchema).min(1).max(200).refine(oneLinePerSku, 'must not repeat a SKU (merge the quantities into one line)').optional(),
  })
  // An exchange without replacement lines is well-formed but cannot be carried out: the create refuses it
  // with a 422 naming replacementLines, like the other business refusals.
  .superRefine((body, ctx) => {
    if (body.type === 'RETURN' && body.replacementLines !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['replacementLines'], message: 'only an exchange has replacement lines' });
    }
  })
  .meta({ id: 'ReturnBody' });
export type ReturnBody = z.infer<typeof returnBody>;

export const returnCancelBody = z
  .strictObject({
    reason: freeText({ max: 200 }),
    requestId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:#._-]{0,99}$/, 'must be 1–100 letters, digits or :#._-').optional(),
  })
  .meta({ id: 'ReturnCancelBody' });

/**
 * - CANCELLED_AT_JD: cancelRtwOrder answered 1; the return is CANCELLED.
 * - CANCELLED_IN_ERP: JD never held the return (pre-flight or push failed); cancelled without a JD call.
 * - REFUSED_BY_JD: JD said no; the return carries on, JD's words in `jdMessage`.
 * - ALREADY_RECEIVED / ALREADY_REJECTED / ALREADY_CANCELLED: the return had ended before the decision.
 */
export const RETURN_VERDICTS = ['CANCELLED_AT_JD', 'CANCELLED_IN_ERP', 'REFUSED_BY_JD', 'ALREADY_RECEIVED', 'ALREADY_REJECTED', 'ALREADY_CANCELLED'] as const;
export type ReturnVerdict = (typeof RETURN_VERDICTS)[number];

export type ReturnFailureStage = 'preflight' | 'push_rejected';

/** Statuses a return never leaves. */
export const RETURN_FINAL: ReadonlySet<ReturnStatus> = new Set(['RECEIVED', 'REJECTED', 'CANCELLED']);

/** The statuses of returns that still claim their quantities against the original order. */
export const RETURN_CLAIMING: ReadonlySet<ReturnStatus> = new Set(['PUSHING', 'WAITING_INBOUND', 'RECEIVED', 'FAILED']);

/** What happened to an exchange's replacement order when its return ended without goods. */
export type ReplacementCompensation =
  | { action: 'none'; reason: string }
  /** Still in review: cancelled in the ERP (nothing was at JD). */
  | { action: 'cancelled-in-erp'; orderNo: string }
  /** At JD: a buyer refund was sent to its run, which cancels at JD (or is refused and the order ships). */
  | { action: 'refund-requested'; orderNo: string; requestId: string }
  /** Shipped already (or JD will ship it): an operator must act; the return carries the attention item. */
  | { action: 'attention'; orderNo: string; status: string };

export type ReturnRoute = { action: 'signal' } | { action: 'refuse'; reason: string; message: string };

export function routeReturnCancel(r: { returnNo: string; status: ReturnStatus }): ReturnRoute {
  const refuse = (reason: string, message: string): ReturnRoute => ({ action: 'refuse', reason, message });
  if (r.status === 'RECEIVED') return refuse('already-received', `Return ${r.returnNo} is already received at the warehouse: create a sales order or adjust stock instead`);
  if (r.status === 'REJECTED') return refuse('already-rejected', `Return ${r.returnNo} was rejected by the warehouse`);
  if (r.status === 'CANCELLED') return refuse('already-cancelled', `Return ${r.returnNo} is already cancelled`);
  return { action: 'signal' };
}

export { isvRtwNumOf, replacementOrderNoOf, returnReceiptNoOf } from './return-order-numbers';

/**
 * The return draft of an order whose refund JD refused and which then shipped: `{orderNo}-RF`, or, for an
 * order number too long for that, its first characters and a hash of the whole (`{head}-{hash}-RF`), so
 * the number is the same on every retry and fits MAX_RETURN_NO.
 */
export function refundReturnDraftNoOf(orderNo: string): string {
  const plain = `${orderNo}-RF`;
  if (plain.length <= MAX_RETURN_NO) return plain;
  const hash = fnv1a32(orderNo).toString(16).padStart(8, '0');
  return `${orderNo.slice(0, MAX_RETURN_NO - hash.length - 4)}-${hash}-RF`;
}

/** FNV-1a (32 bit) over UTF-16 code units: short, stable, no dependency. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Statuses from which POST /v1/returns/{returnNo}/confirm starts a return. */
export function canConfirmReturn(status: ReturnStatus): boolean {
  return status === 'DRAFT';
}
