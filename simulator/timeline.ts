// When the simulated warehouse moves documents on its own. Every delay is counted from the acceptance of
// the document; `null` means "never automatically, only by hand through /_sim/".
import { TimerSet } from './timers';

export type Delay = number | null;

export interface Timeline {
  salesOrder: { pickAfterMs: Delay; packAfterMs: Delay; shipAfterMs: Delay; deliverAfterMs: Delay };
  purchaseOrder: { receiveAfterMs: Delay };
  returnOrder: { receiveAfterMs: Delay };
}

export interface TimelinePatch {
  salesOrder?: Partial<Timeline['salesOrder']>;
  purchaseOrder?: Partial<Timeline['purchaseOrder']>;
  returnOrder?: Partial<Timeline['returnOrder']>;
}

/**
 * DESIGN.md §6: a demo order starts picking 5 s after acceptance and ships 15 s after; POs and returns are
 * received 10 s after. Packing sits between (10 s); delivery only happens by hand, so a demo order ends
 * in "shipped", the state the ERP cares about.
 */
export const DEMO_TIMELINE: Timeline = {
  salesOrder: { pickAfterMs: 5_000, packAfterMs: 10_000, shipAfterMs: 15_000, deliverAfterMs: null },
  purchaseOrder: { receiveAfterMs: 10_000 },
  returnOrder: { receiveAfterMs: 10_000 },
};

/** Everything manual: for tests that move every document by hand. */
export const MANUAL_TIMELINE: Timeline = {
  salesOrder: { pickAfterMs: null, packAfterMs: null, shipAfterMs: null, deliverAfterMs: null },
  purchaseOrder: { receiveAfterMs: null },
  returnOrder: { receiveAfterMs: null },
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
