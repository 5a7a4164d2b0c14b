// Purchase inbound orders (采购入库单) with JD's status codes (eclp-api.md §4.2): 10 new → 20 sent to the
// warehouse → 70 completed, or 91 cancelled; the warehouse's own cancel goes through 90 cancelling and
// ends in 91 cancelled or 92 cancel failed. 10 lasts as long as the timeline's `initialiseAfterMs` (0 =
// straight to 20). JD has no documented "partly received" status, so a partial receipt keeps 20 and only
// the line quantities move [I]. JD documents no "closed" status either: po.closePo (采购关单) ends a PO in
// 70, the documented closing status [G], and `closeTime` remembers that it was closed rather than fully
// received. A PO whose cancel failed (92) is still open: it is received and completed like one in 20 [G].
import { MoveRefused } from '../errors';
import { arrivingQuantity } from '../timeline';

export const PoStatus = { NEW: '10', INITIALISED: '20', COMPLETED: '70', CANCELLING: '90', CANCELLED: '91', CANCEL_FAILED: '92' } as const;
export type PoStatus = (typeof PoStatus)[keyof typeof PoStatus];

export interface PurchaseOrderLine {
  orderLine: string;
  goodsNo: string;
  isvGoodsNo: string;
  numApplication: number;
  goodsStatus: string;
  unitPrice?: number;
  realInstoreQty: number;
  /** Filled when the PO completes: what the warehouse did not receive (neither good nor defective). */
  shortQty: number;
  /**
   * Units that arrived defective (JD's `damagedQty` [C field; meaning G]): not put away as good stock, so
   * not in `realInstoreQty`. Absent in state files written before it existed.
   */
  damagedQty?: number;
}

export interface PurchaseOrder {
  poOrderNo: string;
  spPoOrderNo: string;
  deptNo: string;
  whNo: string;
  supplierNo: string;
  inboundRemark?: string;
  status: PoStatus;
  createTime: string;
  operTime: string;
  completeTime?: string;
  /** Set when po.closePo ended the PO (status 70 with whatever was received) [G]. */
  closeTime?: string;
  lines: PurchaseOrderLine[];
  acceptedAt: number;
  /**
   * Receipt batches the timeline has booked (`receiptBatches`): the next one is due at acceptance +
   * receiveAfterMs + this × receiptIntervalMs. Absent in state files written before it existed (= 0).
   */
  timelineBatches?: number;
}

/** Statuses in which the warehouse still receives goods. */
const RECEIVING: ReadonlySet<string> = new Set([PoStatus.INITIALISED, PoStatus.CANCEL_FAILED]);

export function isReceiving(po: PurchaseOrder): boolean {
  return RECEIVING.has(po.status);
}

export interface ReceivedQuantity {
  goodsNo: string;
  /** Good units put away (`realInstoreQty`, stock). */
  quantity: number;
  /** Units that arrived defective (`damagedQty`); they do not enter stock. */
  defectiveQty?: number;
}

export function received(po: PurchaseOrder): number {
  return po.lines.reduce((sum, line) => sum + line.realInstoreQty + (line.damagedQty ?? 0), 0);
}

export function outstanding(line: PurchaseOrderLine): number {
  return Math.max(0, line.numApplication - line.realInstoreQty - (line.damagedQty ?? 0));
}

/** Spreads `amount` over the lines of one goods in order; the excess lands on the last one. */
function fill(candidates: PurchaseOrderLine[], amount: number, add: (line: PurchaseOrderLine, take: number) => void): void {
  let remaining = amount;
  for (const [index, line] of candidates.entries()) {
    const take = index === candidates.length - 1 ? remaining : Math.min(remaining, outstanding(line));
    add(line, take);
    remaining -= take;
  }
}

function finish(po: PurchaseOrder, at: string): void {
  po.status = PoStatus.COMPLETED;
  po.completeTime = at;
  for (const line of po.lines) line.shortQty = outstanding(line);
}

/**
 * Books a receipt. Without `lines` everything outstanding arrives. A goods number on several lines fills
 * them in order; whatever exceeds the outstanding quantity lands on its last line (over-receipt).
 * Returns what was actually added, for stock and serials.
 */
export function receive(po: PurchaseOrder, lines: ReceivedQuantity[] | undefined, complete: boolean, at: string): ReceivedQuantity[] {
  if (!isReceiving(po)) {
    throw new MoveRefused(`cannot receive purchase order ${po.poOrderNo} in status ${po.status}`);
  }
  const wanted: ReceivedQuantity[] = lines ?? po.lines.map((line) => ({ goodsNo: line.goodsNo, quantity: outstanding(line) }));
  for (const want of wanted) {
    if (!po.lines.some((line) => line.goodsNo === want.goodsNo)) {
      throw new MoveRefused(`goods ${want.goodsNo} is not on purchase order ${po.poOrderNo}`);
    }
  }
  const added: ReceivedQuantity[] = [];
  for (const want of wanted) {
    const candidates = po.lines.filter((line) => line.goodsNo === want.goodsNo);
    fill(candidates, want.quantity, (line, take) => (line.realInstoreQty += take));
    const defective = want.defectiveQty ?? 0;
    if (defective > 0) fill(candidates, defective, (line, take) => (line.damagedQty = (line.damagedQty ?? 0) + take));
    if (want.quantity > 0) added.push({ goodsNo: want.goodsNo, quantity: want.quantity });
  }
  po.operTime = at;
  if (complete) finish(po, at);
  return added;
}

/**
 * What timeline batch `batch` of `batches` brings: per goods, the cumulative share batch/batches of what
 * will arrive (⌊ordered × (1 − shortRatio)⌋), less what has arrived already (also by hand). Goods with
 * nothing due are left out; the last batch brings everything still due.
 */
export function timelineReceipt(po: PurchaseOrder, batch: number, batches: number, shortRatio: number): ReceivedQuantity[] {
  const byGoods = new Map<string, { ordered: number; arrived: number }>();
  for (const line of po.lines) {
    const sums = byGoods.get(line.goodsNo) ?? { ordered: 0, arrived: 0 };
    sums.ordered += line.numApplication;
    sums.arrived += line.realInstoreQty + (line.damagedQty ?? 0);
    byGoods.set(line.goodsNo, sums);
  }
  const share = Math.min(batch, batches) / batches;
  return [...byGoods].flatMap(([goodsNo, { ordered, arrived }]) => {
    const quantity = arrivingQuantity(ordered * share, shortRatio) - arrived;
    return quantity > 0 ? [{ goodsNo, quantity }] : [];
  });
}

export type PoCancelResult = { code: 1; msg: string } | { code: 2; msg: string };

/**
 * cancalPoOrder: possible while nothing has been received, also while the warehouse is cancelling (90)
 * or after its cancel failed (92). Cancelling a cancelled PO again answers success so that a retried
 * cancel after a lost answer is harmless [I].
 */
export function cancel(po: PurchaseOrder, at: string): PoCancelResult {
  if (po.status === PoStatus.CANCELLED) return { code: 1, msg: '取消成功' };
  if (po.status === PoStatus.COMPLETED) return { code: 2, msg: '采购单已完成入库，不允许取消' };
  if (received(po) > 0) return { code: 2, msg: '采购单已开始收货，不允许取消' };
  po.status = PoStatus.CANCELLED;
  po.operTime = at;
  return { code: 1, msg: '取消成功' };
}

/** 10 → 20: the warehouse has the PO (the timeline's `initialiseAfterMs`, or by hand). */
export function initialise(po: PurchaseOrder, at: string): void {
  if (po.status !== PoStatus.NEW) throw new MoveRefused(`cannot initialise purchase order ${po.poOrderNo} in status ${po.status}`);
  po.status = PoStatus.INITIALISED;
  po.operTime = at;
}

/** What the warehouse's own cancel comes to (the /_sim/ move): 90 cancelling, 91 cancelled, 92 cancel failed. */
export const WAREHOUSE_CANCEL_OUTCOMES = ['cancelling', 'cancelled', 'cancel-failed'] as const;
export type WarehouseCancelOutcome = (typeof WAREHOUSE_CANCEL_OUTCOMES)[number];

const WAREHOUSE_CANCEL_FROM: Record<WarehouseCancelOutcome, ReadonlySet<string>> = {
  cancelling: new Set([PoStatus.NEW, PoStatus.INITIALISED, PoStatus.CANCEL_FAILED]),
  cancelled: new Set([PoStatus.NEW, PoStatus.INITIALISED, PoStatus.CANCELLING, PoStatus.CANCEL_FAILED]),
  'cancel-failed': new Set([PoStatus.NEW, PoStatus.INITIALISED, PoStatus.CANCELLING]),
};

/**
 * The warehouse cancels on its own [G: JD documents the codes, not who moves them]. 91 after goods were
 * received ends the PO with what arrived: the rest is booked short, as a close would, and nothing more
 * arrives. 92 leaves the PO open for receipts.
 */
export function cancelByWarehouse(po: PurchaseOrder, outcome: WarehouseCancelOutcome, at: string): void {
  if (!WAREHOUSE_CANCEL_FROM[outcome].has(po.status)) {
    throw new MoveRefused(`cannot move purchase order ${po.poOrderNo} to ${outcome} in status ${po.status}`);
  }
  po.operTime = at;
  if (outcome === 'cancelling') po.status = PoStatus.CANCELLING;
  else if (outcome === 'cancel-failed') po.status = PoStatus.CANCEL_FAILED;
  else {
    po.status = PoStatus.CANCELLED;
    if (received(po) > 0) for (const line of po.lines) line.shortQty = outstanding(line);
  }
}

export type PoCloseOutcome = { closed: true; msg: string } | { closed: false; zhDesc: string; enDesc: string };

/**
 * po.closePo (采购关单): ends an open PO with what has been received so far — status 70 [G], the rest
 * booked as short. A PO already closed answers success again (a retried close is harmless [G]); a PO
 * completed by receipt, cancelled or being cancelled (90) is refused.
 */
export function close(po: PurchaseOrder, at: string): PoCloseOutcome {
  if (po.closeTime !== undefined) return { closed: true, msg: '关单成功' };
  if (po.status === PoStatus.COMPLETED) {
    return { closed: false, zhDesc: `采购单${po.poOrderNo}已完成入库，不允许关单`, enDesc: `Purchase order ${po.poOrderNo} is already completed` };
  }
  if (po.status === PoStatus.CANCELLED) {
    return { closed: false, zhDesc: `采购单${po.poOrderNo}已取消，不允许关单`, enDesc: `Purchase order ${po.poOrderNo} is cancelled` };
  }
  if (po.status === PoStatus.CANCELLING) {
    return { closed: false, zhDesc: `采购单${po.poOrderNo}取消中，不允许关单`, enDesc: `Purchase order ${po.poOrderNo} is being cancelled` };
  }
  po.operTime = at;
  po.closeTime = at;
  finish(po, at);
  return { closed: true, msg: '关单成功' };
}

export class PurchaseOrderBook {
  private readonly byPoOrderNo = new Map<string, PurchaseOrder>();
  private readonly bySpPoOrderNo = new Map<string, PurchaseOrder>();

  add(po: PurchaseOrder): void {
    this.byPoOrderNo.set(po.poOrderNo, po);
    this.bySpPoOrderNo.set(po.spPoOrderNo, po);
  }

  find(poOrderNo: string): PurchaseOrder | undefined {
    return this.byPoOrderNo.get(poOrderNo);
  }

  findBySpPoOrderNo(spPoOrderNo: string): PurchaseOrder | undefined {
    return this.bySpPoOrderNo.get(spPoOrderNo);
  }

  list(): PurchaseOrder[] {
    return [...this.byPoOrderNo.values()];
  }

  clear(): void {
    this.byPoOrderNo.clear();
    this.bySpPoOrderNo.clear();
  }
}
