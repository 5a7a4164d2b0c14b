// Purchase inbound orders (采购入库单) with JD's status codes (eclp-api.md §4.2): 10 new → 20 sent to the
// warehouse (both on acceptance) → 70 completed, or 91 cancelled. JD has no documented "partly received"
// status, so a partial receipt keeps 20 and only the line quantities move [I].
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
  /** Filled when the PO completes: what the warehouse did not receive. */
  shortQty: number;
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
  lines: PurchaseOrderLine[];
  acceptedAt: number;
}

export interface ReceivedQuantity {
  goodsNo: string;
  quantity: number;
}

export function received(po: PurchaseOrder): number {
  return po.lines.reduce((sum, line) => sum + line.realInstoreQty, 0);
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
  const wanted = lines ?? po.lines.map((line) => ({ goodsNo: line.goodsNo, quantity: Math.max(0, line.numApplication - line.realInstoreQty) }));
  for (const want of wanted) {
    if (!po.lines.some((line) => line.goodsNo === want.goodsNo)) {
      throw new MoveRefused(`goods ${want.goodsNo} is not on purchase order ${po.poOrderNo}`);
    }
  }
  const added: ReceivedQuantity[] = [];
  for (const want of wanted) {
    const candidates = po.lines.filter((line) => line.goodsNo === want.goodsNo);
    let remaining = want.quantity;
    for (const [index, line] of candidates.entries()) {
      const isLast = index === candidates.length - 1;
      const take = isLast ? remaining : Math.min(remaining, Math.max(0, line.numApplication - line.realInstoreQty));
      line.realInstoreQty += take;
      remaining -= take;
    }
    if (want.quantity > 0) added.push({ goodsNo: want.goodsNo, quantity: want.quantity });
  }
  po.operTime = at;
  if (complete) {
    po.status = PoStatus.COMPLETED;
    po.completeTime = at;
    for (const line of po.lines) line.shortQty = Math.max(0, line.numApplication - line.realInstoreQty);
  }
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
