// Customer-return inbound orders (退货入库单) with JD's status codes (eclp-api.md §4.3): 0 新建 on
// acceptance → 100 初始 (the timeline's `initialiseAfterMs`, 0 = at once) → 200 已完成 (received), or 500
// 超期拒收 / 600 整单拒收 (rejected by the warehouse), 400 取消成功 (by the merchant's cancelRtwOrder, or by
// the warehouse through 300 取消中), 700 已反馈商家. JD documents the codes, not who moves them or what
// follows 700: here 700 is a warehouse remark that leaves the return open (received, rejected or
// cancelled later) [G].
import { MoveRefused } from '../errors';
import type { SerialRegistry } from './serials';

export const RtwStatus = {
  NEW: '0',
  INITIALISED: '100',
  COMPLETED: '200',
  CANCELLING: '300',
  CANCELLED: '400',
  REJECTED_OVERDUE: '500',
  REJECTED: '600',
  REPORTED_TO_MERCHANT: '700',
} as const;
export type RtwStatus = (typeof RtwStatus)[keyof typeof RtwStatus];

/** Goods levels of a return line (addRtwOrder's `goodsLevel`, queryRtw's `goodsLevelNo`; eclp-api.md §3.15e). */
export const GoodsLevel = { GOOD: '100', DEFECTIVE: '200', DIRTY: '400' } as const;
export const GOODS_LEVELS: readonly string[] = Object.values(GoodsLevel);

/** 100–199 is good stock (queryStock's goodsLevel, eclp-api.md §3.6): only that is sellable. */
export function isGoodLevel(level: string | undefined): boolean {
  const code = Number(level ?? GoodsLevel.GOOD);
  return code >= 100 && code < 200;
}

export interface ReturnLine {
  goodsNo: string;
  isvGoodsNo: string;
  planQty: number;
  realQty: number;
  /**
   * The level asked for on creation, replaced by the level the goods came back in once received. Absent
   * in state files written before it existed (= good).
   */
  goodsLevel?: string;
}

export interface ReturnOrder {
  eclpRtwNo: string;
  isvRtwNum: string;
  eclpSoNo: string;
  spSoNo?: string;
  deptNo: string;
  warehouseNo: string;
  reason?: string;
  orderInType: string;
  status: RtwStatus;
  createTime: string;
  updateTime: string;
  finishTime?: string;
  rejectReason?: string;
  /** Who cancelled and why (the merchant's `cancelReson`, or the warehouse's reason). */
  cancelReason?: string;
  lines: ReturnLine[];
  acceptedAt: number;
}

/** Statuses that no longer count against the outbound's quantities: the goods did not come back. */
const RELEASED: ReadonlySet<string> = new Set([RtwStatus.CANCELLED, RtwStatus.REJECTED_OVERDUE, RtwStatus.REJECTED]);

/** Whether a return still claims its planned quantities of the outbound (open or received). */
export function claimsQuantities(rtw: ReturnOrder): boolean {
  return !RELEASED.has(rtw.status);
}

/** The warehouse has the return and still handles it: it may be received, rejected or reported. */
const AT_WAREHOUSE: ReadonlySet<string> = new Set([RtwStatus.INITIALISED, RtwStatus.REPORTED_TO_MERCHANT]);

export function isAtWarehouse(rtw: ReturnOrder): boolean {
  return AT_WAREHOUSE.has(rtw.status);
}

export interface ReturnedQuantity {
  goodsNo: string;
  quantity: number;
  /** The level the goods came back in; defaults to the level asked for. */
  goodsLevel?: string;
}

function refuse(rtw: ReturnOrder, move: string): never {
  throw new MoveRefused(`cannot ${move} return ${rtw.eclpRtwNo} in status ${rtw.status}`);
}

/** Statuses a return never leaves; entering one stamps `finishTime`. */
const FINAL: ReadonlySet<string> = new Set([RtwStatus.COMPLETED, RtwStatus.CANCELLED, RtwStatus.REJECTED_OVERDUE, RtwStatus.REJECTED]);

function settle(rtw: ReturnOrder, status: RtwStatus, at: string): void {
  rtw.status = status;
  rtw.updateTime = at;
  if (FINAL.has(status)) rtw.finishTime = at;
}

/** 0 → 100: the warehouse has the return (the timeline's `initialiseAfterMs`). */
export function initialise(rtw: ReturnOrder, at: string): void {
  if (rtw.status !== RtwStatus.NEW) refuse(rtw, 'initialise');
  settle(rtw, RtwStatus.INITIALISED, at);
}

/**
 * Completes the return (200). Without `lines` every planned unit comes back at the level asked for; with
 * lines, goods not named come back with 0. Returns what came back, with its level, for stock.
 */
export function receive(rtw: ReturnOrder, lines: ReturnedQuantity[] | undefined, at: string): ReturnedQuantity[] {
  if (!isAtWarehouse(rtw)) refuse(rtw, 'receive');
  const levels = new Map<string, string>();
  for (const line of lines ?? []) {
    if (!rtw.lines.some((l) => l.goodsNo === line.goodsNo)) throw new MoveRefused(`goods ${line.goodsNo} is not on return ${rtw.eclpRtwNo}`);
    if (line.goodsLevel === undefined) continue;
    const known = levels.get(line.goodsNo);
    if (known !== undefined && known !== line.goodsLevel) throw new MoveRefused(`goods ${line.goodsNo} is named with two goods levels (${known}, ${line.goodsLevel})`);
    levels.set(line.goodsNo, line.goodsLevel);
  }
  for (const line of rtw.lines) {
    line.realQty = lines ? lines.filter((l) => l.goodsNo === line.goodsNo).reduce((sum, l) => sum + l.quantity, 0) : line.planQty;
    const level = levels.get(line.goodsNo);
    if (level !== undefined) line.goodsLevel = level;
  }
  settle(rtw, RtwStatus.COMPLETED, at);
  return rtw.lines
    .filter((line) => line.realQty > 0)
    .map((line) => ({ goodsNo: line.goodsNo, quantity: line.realQty, goodsLevel: line.goodsLevel ?? GoodsLevel.GOOD }));
}

/**
 * Serial hook of a receipt (after `receive`, with what it returned): the serials that left on the original
 * order come back onto the return's bill (12, billNo = eclpRtwNo), up to the units returned; only a
 * good-level return puts them back in stock (see model/serials.ts).
 */
export function returnSerials(rtw: ReturnOrder, returned: readonly ReturnedQuantity[], serials: SerialRegistry, at: string): void {
  for (const { goodsNo, quantity, goodsLevel } of returned) {
    const isvGoodsNo = rtw.lines.find((line) => line.goodsNo === goodsNo)?.isvGoodsNo ?? '';
    serials.returnOnReturn(rtw.eclpRtwNo, rtw.eclpSoNo, goodsNo, isvGoodsNo, quantity, rtw.warehouseNo, at, isGoodLevel(goodsLevel));
  }
}

/** The timeline's receipt: ⌊planned × (1 − shortRatio)⌋ of every line, at the level asked for. */
export function timelineReceipt(rtw: ReturnOrder, arriving: (planned: number) => number): ReturnedQuantity[] {
  return rtw.lines.map((line) => ({ goodsNo: line.goodsNo, quantity: arriving(line.planQty) }));
}

/** The warehouse refuses the parcel: 600 整单拒收, or 500 超期拒收 when it came too late. */
export function reject(rtw: ReturnOrder, reason: string, overdue: boolean, at: string): void {
  if (!isAtWarehouse(rtw)) refuse(rtw, 'reject');
  rtw.rejectReason = reason;
  settle(rtw, overdue ? RtwStatus.REJECTED_OVERDUE : RtwStatus.REJECTED, at);
}

/** 100 → 700 已反馈商家: the warehouse tells the merchant something about the return; it stays open [G]. */
export function reportToMerchant(rtw: ReturnOrder, at: string): void {
  if (rtw.status !== RtwStatus.INITIALISED) refuse(rtw, 'report');
  settle(rtw, RtwStatus.REPORTED_TO_MERCHANT, at);
}

/** What the warehouse's own cancel comes to (the /_sim/ move): 300 cancelling, or 400 cancelled. */
export const WAREHOUSE_CANCEL_OUTCOMES = ['cancelling', 'cancelled'] as const;
export type WarehouseCancelOutcome = (typeof WAREHOUSE_CANCEL_OUTCOMES)[number];

const WAREHOUSE_CANCEL_FROM: Record<WarehouseCancelOutcome, ReadonlySet<string>> = {
  cancelling: new Set([RtwStatus.NEW, RtwStatus.INITIALISED, RtwStatus.REPORTED_TO_MERCHANT]),
  cancelled: new Set([RtwStatus.NEW, RtwStatus.INITIALISED, RtwStatus.REPORTED_TO_MERCHANT, RtwStatus.CANCELLING]),
};

export function cancelByWarehouse(rtw: ReturnOrder, outcome: WarehouseCancelOutcome, reason: string, at: string): void {
  if (!WAREHOUSE_CANCEL_FROM[outcome].has(rtw.status)) refuse(rtw, outcome === 'cancelling' ? 'start cancelling' : 'cancel');
  rtw.cancelReason = reason;
  settle(rtw, outcome === 'cancelling' ? RtwStatus.CANCELLING : RtwStatus.CANCELLED, at);
}

export type RtwCancelResult = { code: 1; msg: string } | { code: 2; msg: string };

const STATUS_NAMES: Readonly<Record<string, string>> = {
  [RtwStatus.COMPLETED]: '已完成',
  [RtwStatus.REJECTED_OVERDUE]: '超期拒收',
  [RtwStatus.REJECTED]: '整单拒收',
  [RtwStatus.REPORTED_TO_MERCHANT]: '已反馈商家',
};

/**
 * cancelRtwOrder: before the warehouse has handled the return (0, 100) → 400 and code 1; while the
 * warehouse cancels it anyway (300) too [G]; cancelling a cancelled return again answers 1, so a retried
 * cancel after a lost answer is harmless [G]. Received, rejected or reported (200/500/600/700) → code 2
 * with the reason in Chinese, unchanged [I: code values as for the other cancels, eclp-api.md §4.4].
 */
export function cancelByMerchant(rtw: ReturnOrder, reason: string | undefined, at: string): RtwCancelResult {
  if (rtw.status === RtwStatus.CANCELLED) return { code: 1, msg: '取消成功' };
  const name = STATUS_NAMES[rtw.status];
  if (name !== undefined) return { code: 2, msg: `退货入库单${rtw.eclpRtwNo}当前状态为${name}，不允许取消` };
  rtw.cancelReason = reason ?? '商家取消';
  settle(rtw, RtwStatus.CANCELLED, at);
  return { code: 1, msg: '取消成功' };
}

export class ReturnBook {
  private readonly byEclpRtwNo = new Map<string, ReturnOrder>();
  private readonly byIsvRtwNum = new Map<string, ReturnOrder>();

  add(rtw: ReturnOrder): void {
    this.byEclpRtwNo.set(rtw.eclpRtwNo, rtw);
    this.byIsvRtwNum.set(rtw.isvRtwNum, rtw);
  }

  find(eclpRtwNo: string): ReturnOrder | undefined {
    return this.byEclpRtwNo.get(eclpRtwNo);
  }

  findByIsvRtwNum(isvRtwNum: string): ReturnOrder | undefined {
    return this.byIsvRtwNum.get(isvRtwNum);
  }

  forSalesOrder(eclpSoNo: string): ReturnOrder[] {
    return this.list().filter((rtw) => rtw.eclpSoNo === eclpSoNo);
  }

  list(): ReturnOrder[] {
    return [...this.byEclpRtwNo.values()];
  }

  clear(): void {
    this.byEclpRtwNo.clear();
    this.byIsvRtwNum.clear();
  }
}
