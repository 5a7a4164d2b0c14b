// Customer-return inbound orders (退货入库单), status codes of eclp-api.md §4.3: 100 initialised on
// acceptance → 200 completed (received) or 600 rejected by the warehouse.
import { MoveRefused } from '../errors';

export const RtwStatus = { INITIALISED: '100', COMPLETED: '200', REJECTED: '600' } as const;
export type RtwStatus = (typeof RtwStatus)[keyof typeof RtwStatus];

export interface ReturnLine {
  goodsNo: string;
  isvGoodsNo: string;
  planQty: number;
  realQty: number;
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
  lines: ReturnLine[];
  acceptedAt: number;
}

export interface ReturnedQuantity {
  goodsNo: string;
  quantity: number;
}

/** Without `lines` every planned unit comes back; with lines, goods not named come back with 0. */
export function receive(rtw: ReturnOrder, lines: ReturnedQuantity[] | undefined, at: string): ReturnedQuantity[] {
  if (rtw.status !== RtwStatus.INITIALISED) throw new MoveRefused(`cannot receive return ${rtw.eclpRtwNo} in status ${rtw.status}`);
  for (const line of lines ?? []) {
    if (!rtw.lines.some((l) => l.goodsNo === line.goodsNo)) throw new MoveRefused(`goods ${line.goodsNo} is not on return ${rtw.eclpRtwNo}`);
  }
  for (const line of rtw.lines) {
    line.realQty = lines
      ? lines.filter((l) => l.goodsNo === line.goodsNo).reduce((sum, l) => sum + l.quantity, 0)
      : line.planQty;
  }
  rtw.status = RtwStatus.COMPLETED;
  rtw.updateTime = at;
  rtw.finishTime = at;
  return rtw.lines.filter((line) => line.realQty > 0).map((line) => ({ goodsNo: line.goodsNo, quantity: line.realQty }));
}

export function reject(rtw: ReturnOrder, reason: string, at: string): void {
  if (rtw.status !== RtwStatus.INITIALISED) throw new MoveRefused(`cannot reject return ${rtw.eclpRtwNo} in status ${rtw.status}`);
  rtw.status = RtwStatus.REJECTED;
  rtw.rejectReason = reason;
  rtw.updateTime = at;
  rtw.finishTime = at;
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
