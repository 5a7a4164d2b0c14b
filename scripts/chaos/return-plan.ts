// The seeded plan of the returns chaos load: each return (售后单) gets a sales order of its own, shipped
// through the API first, and a fate — what the customer returns, what the warehouse does with the parcel,
// whether the operator cancels, and for an exchange when its replacement order is approved. The simulated
// warehouse has every return at once (100) but receives, rejects or reports it only by hand, when the
// script says so: every fate then happens in the order its script needs, whatever the storm does to the
// saga's timing (a timer could receive a return before the hand move its fate is about).
import { CHAOS_SKUS, CHAOS_WAREHOUSES } from './master-data';
import { byStart, documentNo, fatesCoveringAll } from './plan';
import type { Random } from './random';
import { CHAOS_MISMAPPED_WAREHOUSE } from './sales-order-master-data';

/**
 * What happens to one return.
 * - `full`: everything the order shipped comes back; the warehouse receives it by hand, in full.
 * - `partial`: two returns of the order share its quantities, sent at the same instant as a third that
 *   asks for one unit more than they leave: exactly one of the three is refused (422 naming the line).
 *   The warehouse receives the first that stands in full, the second as `reported`.
 * - `short`: received one unit short on the first line, the other lines defective (goods level 200).
 * - `reported`: the warehouse first reports it to the merchant (700 已反馈商家, the return stays open),
 *   then receives ⌊¾⌋ of each line.
 * - `reject`: the warehouse rejects the parcel (a third of them overdue: 500, else 600).
 * - `cancel`: the operator cancels it 0–4 s after it is created (still pushing — held until JD holds it —
 *   or at JD before the warehouse received it). The run has JD refuse the first cancels (an injected
 *   business error on cancelRtwOrder); a return whose cancel JD refused is then received in full.
 * - `cancel-after-receipt`: received in full, then cancelled: 409 already-received.
 * - `exchange-ships`: an exchange whose replacement order is approved at once and ships; then the
 *   warehouse receives the return.
 * - `exchange-rejected`: an exchange rejected by the warehouse while its replacement is still in review:
 *   the replacement is cancelled in the ERP.
 * - `exchange-cancelled`: an exchange whose replacement is approved, and the return cancelled 0–3 s
 *   later: the replacement is refunded through its own saga (cancelled at JD, or too late and it ships).
 * - `exchange-shipped-rejected`: an exchange whose replacement ships, then the warehouse rejects the
 *   return: the return carries an attention item for the operator.
 * - `jd-refuses`: returned to a warehouse JD does not know: JD refuses the push, FAILED, the operator
 *   cancels it (in the ERP; an exchange's replacement in review is cancelled with it). Created only once
 *   the run's lost transportRtw answers are spent: one spent on a push JD refuses would prove nothing.
 */
export type ReturnFate =
  | 'full'
  | 'partial'
  | 'short'
  | 'reported'
  | 'reject'
  | 'cancel'
  | 'cancel-after-receipt'
  | 'exchange-ships'
  | 'exchange-rejected'
  | 'exchange-cancelled'
  | 'exchange-shipped-rejected'
  | 'jd-refuses';

const FATES: Record<ReturnFate, number> = {
  full: 14,
  partial: 10,
  short: 10,
  reported: 8,
  reject: 10,
  cancel: 12,
  'cancel-after-receipt': 4,
  'exchange-ships': 9,
  'exchange-rejected': 6,
  'exchange-cancelled': 7,
  'exchange-shipped-rejected': 5,
  'jd-refuses': 5,
};

export const EXCHANGE_FATES: ReadonlySet<ReturnFate> = new Set(['exchange-ships', 'exchange-rejected', 'exchange-cancelled', 'exchange-shipped-rejected']);

/** The simulated warehouse has a return at once (0 → 100) and receives, rejects or reports it only by hand. */
export const RETURN_CHAOS_TIMELINE = { returnOrder: { initialiseAfterMs: 0, receiveAfterMs: null, shortRatio: 0 } };

/** `reported` and the second return of `partial`: what comes back of a line of `quantity`. */
export const reportedQuantity = (quantity: number) => Math.floor((quantity * 3) / 4);

export interface ReturnLinePlan {
  sku: string;
  quantity: number;
}

/** One return as created; `partial` has three (two that share the order, one asking too much). */
export interface ReturnDocumentPlan {
  returnNo: string;
  lines: ReturnLinePlan[];
}

export interface ReturnPlan {
  /** The return's number (`partial`: the stem of its three). */
  returnNo: string;
  /** The sales order shipped for it (`CHAOS-RSO-…`). */
  orderNo: string;
  /** Offset from the start of the load at which the sales order is created. */
  startMs: number;
  /** Where the order ships from (and the replacement with it). */
  orderWarehouseCode: string;
  orderLines: Array<{ sku: string; quantity: number; price: number }>;
  /** Where the return goes: mostly where the order shipped from, sometimes the other JD warehouse. */
  warehouseCode: string;
  type: 'RETURN' | 'EXCHANGE';
  fate: ReturnFate;
  returns: ReturnDocumentPlan[];
  /** Exchange: what goes out again (the returned SKUs, at the order's prices). */
  replacementLines?: ReturnLinePlan[];
  /** The warehouse's hand move, after JD holds the return. */
  handAfterMs: number;
  /** `cancel`: after the create is answered; `exchange-cancelled`: after the replacement's approval. */
  cancelAfterMs: number;
  /** `reject`: 500 超期拒收 rather than 600 整单拒收. */
  overdue: boolean;
}

/** `partial`: the first return takes ⌈half⌉ of each line, the second the rest, the third one unit more than that leaves. */
function partialReturns(returnNo: string, lines: ReadonlyArray<{ sku: string; quantity: number }>): ReturnDocumentPlan[] {
  return [
    { returnNo: `${returnNo}A`, lines: lines.map((l) => ({ sku: l.sku, quantity: Math.ceil(l.quantity / 2) })) },
    { returnNo: `${returnNo}B`, lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity - Math.ceil(l.quantity / 2) })) },
    { returnNo: `${returnNo}C`, lines: [{ sku: lines[0]!.sku, quantity: 1 }] },
  ];
}

/** Returns start over the first 70 % of the load: each needs its order shipped first, and ends after the others' scripts. */
const START_SHARE = 0.7;

export function planReturns(random: Random, count: number, loadMs: number): ReturnPlan[] {
  const fates = fatesCoveringAll(random, count, FATES);
  return byStart(
    fates.map((fate, i): ReturnPlan => {
      const returnNo = documentNo('CHAOS-RTN', i, count);
      const orderWarehouseCode = random.pick(CHAOS_WAREHOUSES).code;
      // Two units at least, so that a return can be short by one and two returns can share a line.
      const orderLines = random.sample(CHAOS_SKUS, random.int(1, 3)).map((sku) => ({ sku, quantity: random.int(2, 5), price: random.int(100, 9_999) / 100 }));
      const returned = orderLines.map(({ sku, quantity }) => ({ sku, quantity }));
      const type = EXCHANGE_FATES.has(fate) || (fate === 'jd-refuses' && random.chance(0.5)) ? 'EXCHANGE' : 'RETURN';
      const otherWarehouse = CHAOS_WAREHOUSES.find((w) => w.code !== orderWarehouseCode)!.code;
      return {
        returnNo,
        orderNo: documentNo('CHAOS-RSO', i, count),
        startMs: Math.round(random.between(0, loadMs * START_SHARE)),
        orderWarehouseCode,
        orderLines,
        warehouseCode: fate === 'jd-refuses' ? CHAOS_MISMAPPED_WAREHOUSE.code : random.chance(0.2) ? otherWarehouse : orderWarehouseCode,
        type,
        fate,
        returns: fate === 'partial' ? partialReturns(returnNo, returned) : [{ returnNo, lines: returned }],
        ...(type === 'EXCHANGE' && { replacementLines: returned }),
        handAfterMs: random.int(500, 4_000),
        cancelAfterMs: fate === 'exchange-cancelled' ? random.int(0, 3_000) : random.int(0, 4_000),
        overdue: random.chance(1 / 3),
      };
    }),
  );
}
