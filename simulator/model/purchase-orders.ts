// Purchase inbound orders (采购入库单) with JD's status codes (eclp-api.md §4.2): 10 new → 20 sent to the
// warehouse (both on acceptance) → 70 completed, or 91 cancelled. JD has no documented "partly received"
// status, so a partial receipt keeps 20 and only the line quantities move [I]. JD documents no "closed"
// status either: po.closePo (采购关单) ends a PO in 70, the documented closing status [G], and `closeTime`
// remembers that it was closed rather than fully received.
import { MoveRefused } from '../errors';

export const PoStatus = { NEW: '10', INITIALISED: '20', COMPLETED: '70', CANCELLED: '91' } as const;
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

function outstanding(line: PurchaseOrderLine): number {
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
  if (po.status !== PoStatus.INITIALISED) {
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

export type PoCancelResult = { code: 1; msg: string } | { code: 2; msg: string };

/**
 * cancalPoOrder: possible while nothing has been received. Cancelling a cancelled PO again answers
 * success so that a retried cancel after a lost answer is harmless [I].
 */
export function cancel(po: PurchaseOrder, at: string): PoCancelResult {
  if (po.status === PoStatus.CANCELLED) return { code: 1, msg: '取消成功' };
  if (po.status === PoStatus.COMPLETED) return { code: 2, msg: '采购单已完成入库，不允许取消' };
  if (received(po) > 0) return { code: 2, msg: '采购单已开始收货，不允许取消' };
  po.status = PoStatus.CANCELLED;
  po.operTime = at;
  return { code: 1, msg: '取消成功' };
}

export type PoCloseOutcome = { closed: true; msg: string } | { closed: false; zhDesc: string; enDesc: string };

/**
 * po.closePo (采购关单): ends an open PO with what has been received so far — status 70 [G], the rest
 * booked as short. A PO already closed answers success again (a retried close is harmless [G]); a PO
 * completed by receipt or cancelled is refused.
 */
export function close(po: PurchaseOrder, at: string): PoCloseOutcome {
  if (po.closeTime !== undefined) return { closed: true, msg: '关单成功' };
  if (po.status === PoStatus.COMPLETED) {
    return { closed: false, zhDesc: `采购单${po.poOrderNo}已完成入库，不允许关单`, enDesc: `Purchase order ${po.poOrderNo} is already completed` };
  }
  if (po.status === PoStatus.CANCELLED) {
    return { closed: false, zhDesc: `采购单${po.poOrderNo}已取消，不允许关单`, enDesc: `Purchase order ${po.poOrderNo} is cancelled` };
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
