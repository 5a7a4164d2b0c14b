// When the simulated warehouse moves documents on its own. Every delay is counted from the acceptance of
// the document; `null` means "never automatically, only by hand through /_sim/".
import { TimerSet } from './timers';

export type Delay = number | null;

export interface PurchaseOrderTimeline {
  /** 10 新建 → 20 初始化; 0 = accepted straight in 20 (JD's usual answer), null = only by hand. */
  initialiseAfterMs: Delay;
  /** The first receipt batch (null = receipts only by hand). */
  receiveAfterMs: Delay;
  /** The PO arrives in this many batches, the last one completing it (70); 1 = everything at once. */
  receiptBatches: number;
  /** Between two batches: batch k is due at acceptance + receiveAfterMs + (k − 1) × this. */
  receiptIntervalMs: number;
  /**
   * The part of each line that never arrives (0 ≤ ratio < 1): received are ⌊quantity × (1 − ratio)⌋
   * units, spread over the batches; completion books the rest as `shortQty`.
   */
  shortRatio: number;
}

export interface ReturnOrderTimeline {
  /** 0 新建 → 100 初始; 0 = accepted straight in 100, null = only by hand. */
  initialiseAfterMs: Delay;
  /** The receipt (200); null = only by hand. */
  receiveAfterMs: Delay;
  /** The part of each line that never comes back (0 ≤ ratio < 1): ⌊planned × (1 − ratio)⌋ units arrive. */
  shortRatio: number;
}

export interface Timeline {
  salesOrder: { pickAfterMs: Delay; packAfterMs: Delay; shipAfterMs: Delay; deliverAfterMs: Delay };
  purchaseOrder: PurchaseOrderTimeline;
  returnOrder: ReturnOrderTimeline;
}

/** What arrives of `quantity` when the part `shortRatio` never does. */
export function arrivingQuantity(quantity: number, shortRatio: number): number {
  // The epsilon keeps 10 × 0.8 from flooring to 7 through float rounding.
  return Math.floor(quantity * (1 - shortRatio) + 1e-9);
}

export interface TimelinePatch {
  salesOrder?: Partial<Timeline['salesOrder']>;
  purchaseOrder?: Partial<Timeline['purchaseOrder']>;
  returnOrder?: Partial<Timeline['returnOrder']>;
}

/** A PO goes straight to 20 and arrives in full in one batch unless a timeline says otherwise. */
const ONE_FULL_RECEIPT = { initialiseAfterMs: 0, receiptBatches: 1, receiptIntervalMs: 5_000, shortRatio: 0 } as const;
/** A return goes straight to 100 and comes back in full unless a timeline says otherwise. */
const FULL_RETURN = { initialiseAfterMs: 0, shortRatio: 0 } as const;

/**
 * DESIGN.md §6: a demo order starts picking 5 s after acceptance and ships 15 s after; POs and returns are
 * received 10 s after. Packing sits between (10 s); delivery only happens by hand, so a demo order ends
 * in "shipped", the state the ERP cares about.
 */
export const DEMO_TIMELINE: Timeline = {
  salesOrder: { pickAfterMs: 5_000, packAfterMs: 10_000, shipAfterMs: 15_000, deliverAfterMs: null },
  purchaseOrder: { ...ONE_FULL_RECEIPT, receiveAfterMs: 10_000 },
  returnOrder: { ...FULL_RETURN, receiveAfterMs: 10_000 },
};

/** Everything manual: for tests that move every document by hand (a new PO is still in 20 at once, a return in 100). */
export const MANUAL_TIMELINE: Timeline = {
  salesOrder: { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null },
  purchaseOrder: { ...ONE_FULL_RECEIPT, receiveAfterMs: null },
  returnOrder: { ...FULL_RETURN, receiveAfterMs: null },
};

export function applyTimeline(base: Timeline, patch: TimelinePatch = {}): Timeline {
  return {
    salesOrder: { ...base.salesOrder, ...patch.salesOrder },
    purchaseOrder: { ...base.purchaseOrder, ...patch.purchaseOrder },
    returnOrder: { ...base.returnOrder, ...patch.returnOrder },
  };
}

/**
 * One pending stage timer per document. Planning a document again replaces its timer, which is how a
 * manual move or a timeline change re-times the next stage.
 */
export class StageScheduler {
  private readonly timers = new TimerSet();
  private readonly pending = new Map<string, () => void>();

  /** Runs `stage` at `dueAt` (epoch ms, or at once when already past); `delay` null only cancels. */
  plan(documentNo: string, acceptedAt: number, delay: Delay, stage: () => void): void {
    this.cancel(documentNo);
    if (delay === null) return;
    const cancel = this.timers.after(acceptedAt + delay - Date.now(), () => {
      this.pending.delete(documentNo);
      stage();
    });
    this.pending.set(documentNo, cancel);
  }

  cancel(documentNo: string): void {
    this.pending.get(documentNo)?.();
    this.pending.delete(documentNo);
  }

  get size(): number {
    return this.pending.size;
  }

  clear(): void {
    this.timers.clear();
    this.pending.clear();
  }
}
