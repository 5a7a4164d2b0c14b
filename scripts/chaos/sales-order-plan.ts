// The seeded plan of the sales-order chaos load: what happens to each order, and when. Cancels land at
// random moments after approval so that, across the run, they meet every state of the saga.
import { CHAOS_SKUS, CHAOS_WAREHOUSES } from './master-data';
import { byStart, documentNo } from './plan';
import type { Random } from './random';
import { CHAOS_MISMAPPED_WAREHOUSE } from './sales-order-master-data';

/**
 * What happens to one order. Cancels land at a random moment after approval, so across the run they
 * meet every state: still pushing (held until JD answers), at JD before picking (cancelled at JD),
 * picked (JD refuses: it ships), shipped (409). `rejected-then-send-back` goes to a warehouse JD does not
 * know: JD refuses the push, the order is FAILED and an operator sends it back (no JD call).
 */
export type SalesOrderFate = 'ship' | 'never-approved' | 'refund-in-review' | 'send-back' | 'refund' | 'send-back-and-refund' | 'rejected-then-send-back';

const FATES: Record<SalesOrderFate, number> = { ship: 48, 'never-approved': 4, 'refund-in-review': 4, 'send-back': 20, refund: 17, 'send-back-and-refund': 5, 'rejected-then-send-back': 2 };

export interface SalesOrderPlan {
  orderNo: string;
  /** Offset from the start of the load at which the order is created. */
  startMs: number;
  warehouseCode: string;
  lines: Array<{ sku: string; quantity: number; price: number }>;
  fate: SalesOrderFate;
  /** After approval is answered. */
  cancelAfterMs: number;
  /** After a send-back put the order back in review: approve again (a new push revision), maybe refund that one. */
  reapprove?: { afterMs: number; refundAfterMs?: number };
}

export function planSalesOrders(random: Random, count: number, loadMs: number): SalesOrderPlan[] {
  const plans = Array.from({ length: count }, (_, i): SalesOrderPlan => {
    const fate = random.weighted(FATES);
    const reapprove =
      fate === 'send-back' && random.chance(0.6)
        ? { afterMs: random.int(0, 3_000), ...(random.chance(0.3) && { refundAfterMs: random.int(0, 10_000) }) }
        : undefined;
    return {
      orderNo: documentNo('CHAOS', i, count),
      startMs: Math.round(random.between(0, loadMs)),
      warehouseCode: fate === 'rejected-then-send-back' ? CHAOS_MISMAPPED_WAREHOUSE.code : random.pick(CHAOS_WAREHOUSES).code,
      lines: random.sample(CHAOS_SKUS, random.int(1, 3)).map((sku) => ({ sku, quantity: random.int(1, 5), price: random.int(100, 9_999) / 100 })),
      fate,
      cancelAfterMs: random.int(0, 10_000),
      ...(reapprove && { reapprove }),
    };
  });
  return byStart(plans);
}
