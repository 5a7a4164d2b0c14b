// The seeded plan of the purchase-order chaos load: what happens to each PO, and when. The warehouse
// receives every PO JD holds on the chaos timeline (three batches, a fifth of each line never arrives);
// cancels and closes land at random moments so that, across the run, they meet every state of the saga.
import { CHAOS_SKUS, CHAOS_WAREHOUSES } from './master-data';
import { byStart, documentNo, fatesCoveringAll } from './plan';
import { CHAOS_LOCAL_WAREHOUSE, CHAOS_SUPPLIER, CHAOS_SUPPLIER_UNKNOWN_AT_JD } from './purchase-order-master-data';
import type { Random } from './random';

/**
 * What happens to one PO.
 * - `receive`: the warehouse receives it on the timeline, in batches and short.
 * - `receive-by-hand`: the warehouse receives it by hand — one line over the ordered quantity, the others
 *   with a defective unit — and then completes it.
 * - `new-goods`: one line's goods are created in the ERP just before the PO; JD does not have them, so the
 *   saga syncs them first (a child goods-sync run); then received on the timeline.
 * - `cancel-early`: an operator cancels it 0–5 s after it is created: while it is still pushing (the cancel
 *   is held until JD answers) or at JD before anything arrived — JD cancels it.
 * - `cancel-late`: the same 10–35 s after: at JD (cancelled there), partly received (JD refuses, the PO
 *   carries on), or received (409).
 * - `close`: an operator closes it once it shows partly received (JD ends it with what arrived).
 * - `supplier-unmapped`: its supplier has no JD mapping: the pre-flight fails, an operator maps the
 *   supplier and pushes it again (a new revision).
 * - `jd-rejects`: its supplier is mapped to a number JD never issued: JD refuses the push, the PO is FAILED
 *   and an operator cancels it (no JD call).
 * - `not-pushed`: its warehouse is not ECLP-connected: stored NOT_PUSHED; a cancel is refused (409 not-at-jd).
 * Whatever the fate, a push JD answered "already exists" (after an answer JD lost) is resolved by the
 * operator: by linking JD's PO, or by having JD cancel it and pushing again.
 */
export type PurchaseOrderFate = 'receive' | 'receive-by-hand' | 'new-goods' | 'cancel-early' | 'cancel-late' | 'close' | 'supplier-unmapped' | 'jd-rejects' | 'not-pushed';

const FATES: Record<PurchaseOrderFate, number> = {
  receive: 30,
  'receive-by-hand': 10,
  'new-goods': 12,
  'cancel-early': 10,
  'cancel-late': 10,
  close: 16,
  'supplier-unmapped': 4,
  'jd-rejects': 4,
  'not-pushed': 4,
};

/**
 * The warehouse's timeline for the run: batches 15 s, 22 s and 29 s (completing) after JD accepts a PO.
 * The first is late enough for an early cancel — or an operator's answer to PUSH_UNCONFIRMED — to reach
 * JD before anything arrives even when a worker kill holds the run up for ten seconds; the gap before the
 * last leaves a close time to land.
 */
export const PURCHASE_ORDER_CHAOS_TIMELINE = {
  purchaseOrder: { initialiseAfterMs: 0, receiveAfterMs: 15_000, receiptBatches: 3, receiptIntervalMs: 7_000, shortRatio: 0.2 },
};

export interface PurchaseOrderPlan {
  poNo: string;
  /** Offset from the start of the load at which the PO is created. */
  startMs: number;
  warehouseCode: string;
  supplierCode: string;
  lines: Array<{ sku: string; quantity: number; unitPrice: number }>;
  /** Goods the ERP creates just before the PO (`new-goods`): JD does not have them yet. */
  newGoods: Array<{ sku: string; barcode: string }>;
  fate: PurchaseOrderFate;
  /** `cancel-early`, `cancel-late`: after the create is answered. */
  cancelAfterMs: number;
  /** `close`: after the PO shows PARTIALLY_RECEIVED. */
  closeAfterMs: number;
  /** `receive-by-hand`: after JD's PO number shows on the PO. */
  handAfterMs: number;
}

export function planPurchaseOrders(random: Random, count: number, loadMs: number): PurchaseOrderPlan[] {
  const fates = fatesCoveringAll(random, count, FATES);
  return byStart(
    fates.map((fate, i): PurchaseOrderPlan => {
      const poNo = documentNo('CHAOS-PO', i, count);
      const newGoods = fate === 'new-goods' ? [{ sku: `NEW-${poNo.slice('CHAOS-'.length)}`, barcode: `69510000${String(i + 1).padStart(5, '0')}` }] : [];
      const skus = [...newGoods.map((g) => g.sku), ...random.sample(CHAOS_SKUS, random.int(1, 3) - newGoods.length)];
      return {
        poNo,
        startMs: Math.round(random.between(0, loadMs)),
        warehouseCode: fate === 'not-pushed' ? CHAOS_LOCAL_WAREHOUSE.code : random.pick(CHAOS_WAREHOUSES).code,
        supplierCode: fate === 'supplier-unmapped' ? `LATE-${poNo}` : fate === 'jd-rejects' ? CHAOS_SUPPLIER_UNKNOWN_AT_JD.code : CHAOS_SUPPLIER.code,
        // Five units at least, so that each of the three timeline batches brings something.
        lines: skus.map((sku) => ({ sku, quantity: random.int(5, 24), unitPrice: random.int(100, 9_999) / 100 })),
        newGoods,
        fate,
        cancelAfterMs: fate === 'cancel-early' ? random.int(0, 5_000) : random.int(10_000, 35_000),
        closeAfterMs: random.int(0, 4_000),
        handAfterMs: random.int(0, 3_000),
      };
    }),
  );
}
