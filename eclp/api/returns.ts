// Customer-return inbounds (eclp-api.md §3.10, §3.11, §3.15e): create, query, cancel.
import { EclpBusinessError } from '../errors';
import { compact, goodsColumns, lineColumn, numeric, objects, requireObject, requireText, text } from '../fields';
import { EclpMethod } from '../methods';
import { describeRtwStatus, GoodsLevel, type GoodsLevelCode, type RtwStatusName, type StatusInfo } from '../status';
import { type JdCancelResult, readCancelResult } from './cancel';
import type { ApiContext } from './context';

export type OrderChannel = 'b2c' | 'b2b';
const ORDER_IN_TYPE: Record<OrderChannel, number> = { b2c: 1, b2b: 2 };

export interface TransportRtwInput {
  /** The shipped sales outbound the goods come back from. */
  eclpSoNo: string;
  /** The merchant's return number; JD's key for this return. */
  isvRtwNum: string;
  warehouseNo?: string;
  reason?: string;
  channel?: OrderChannel;
  /**
   * What comes back, per goods. transportRtw documents no line fields (eclp-api.md §3.10); these are sent
   * as addRtwOrder's parallel lists `isvGoodsNo`/`planQty`/`goodsLevel` (§3.15e "Related") on the
   * assumption that JD reads them on transportRtw too [G]. Without lines JD takes the whole outbound.
   */
  lines?: ReadonlyArray<RtwLineInput>;
}

export interface RtwLineInput {
  /** The merchant's goods code, as registered with transportGoodsInfo. */
  isvGoodsNo: string;
  quantity: number;
  /** The level the goods are expected back in; defaults to good (100). */
  goodsLevel?: GoodsLevelCode;
}

export interface TransportRtwResult {
  /** ECLP return number, `ESR…`/`EBR…`. */
  eclpRtwNo: string;
  status?: StatusInfo<RtwStatusName>;
}

/** `transportrtw_result.resultCode` 1 = accepted (eclp-api.md §4.4). */
const RTW_ACCEPTED = '1';

export async function transportRtw(context: ApiContext, input: TransportRtwInput): Promise<TransportRtwResult> {
  const method = EclpMethod.TRANSPORT_RTW;
  const envelope = await context.gateway.call(method, {
    eclpSoNo: input.eclpSoNo,
    isvRtwNum: input.isvRtwNum,
    warehouseNo: input.warehouseNo,
    reson: input.reason,
    orderInType: input.channel === undefined ? undefined : ORDER_IN_TYPE[input.channel],
    ...(input.lines !== undefined && rtwLineColumns(method, input.lines)),
  });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  const result = requireObject(envelope, 'transportrtw_result', resultContext);
  // JD can refuse inside a successful envelope: resultCode other than 1 with the reason in msg.
  const resultCode = text(result['resultCode']);
  if (resultCode !== undefined && resultCode !== '' && resultCode !== RTW_ACCEPTED) {
    const zhDesc = text(result['msg']);
    throw new EclpBusinessError(`JD rejected ${method} (resultCode ${resultCode}): ${zhDesc ?? 'no description'}`, {
      method,
      code: resultCode,
      ...(zhDesc !== undefined && { zhDesc }),
    });
  }
  const status = text(result['status']);
  return compact({
    eclpRtwNo: requireText(result, 'eclpRtwNo', resultContext),
    status: status === undefined || status === '' ? undefined : describeRtwStatus(status),
  });
}

function rtwLineColumns(method: string, lines: ReadonlyArray<RtwLineInput>): Record<string, string> {
  return {
    // Refuses an empty list and a line without a goods code, naming the line.
    ...goodsColumns(method, lines.map((line) => ({ isvGoodsNo: line.isvGoodsNo })), { goodsNo: 'isvGoodsNo', isvGoodsNo: 'isvGoodsNo' }),
    planQty: lineColumn(method, 'quantity', lines.map((line) => line.quantity)),
    goodsLevel: lineColumn(method, 'goodsLevel', lines.map((line) => line.goodsLevel ?? GoodsLevel.GOOD)),
  };
}

export type QueryRtwInput = ({ eclpSoNo: string; eclpRtwNo?: never } | { eclpRtwNo: string; eclpSoNo?: never }) & {
  isvRtwNum?: string;
  warehouseNo?: string;
};

export interface ReturnLineState {
  goodsNo?: string;
  isvGoodsNo?: string;
  plannedQty?: number;
  /** Put away by the warehouse; 0 until received. */
  receivedQty: number;
  /** JD's `goodsLevelNo` verbatim (100–199 good, 200–299 defective, 400 dirty). */
  goodsLevel?: string;
}

export interface ReturnState {
  eclpRtwNo: string;
  isvRtwNum?: string;
  eclpSoNo?: string;
  warehouseNo?: string;
  status: StatusInfo<RtwStatusName>;
  /** The return's reason as sent (`reason`). */
  reason?: string;
  /**
   * JD's `msg`: its words on the return, e.g. why the warehouse rejected it (500/600). JD names no
   * field for the rejection reason; `msg` is the closest documented one [G].
   */
  message?: string;
  createdAt?: string;
  finishedAt?: string;
  lines: ReturnLineState[];
}

/** Returns registered for an outbound or under one return number; empty = none at the warehouse. */
export async function queryRtw(context: ApiContext, input: QueryRtwInput): Promise<ReturnState[]> {
  const method = EclpMethod.QUERY_RTW;
  const envelope = await context.gateway.call(method, {
    // JD allows only one of the two numbers.
    ...(input.eclpRtwNo !== undefined ? { eclpRtwNo: input.eclpRtwNo } : { eclpSoNo: input.eclpSoNo }),
    isvRtwNum: input.isvRtwNum,
    warehouseNo: input.warehouseNo,
  });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  return objects(envelope['queryrtw_result']).map((rtw) =>
    compact({
      eclpRtwNo: requireText(rtw, 'eclpRtwNo', resultContext),
      isvRtwNum: text(rtw['isvRtwNum']),
      eclpSoNo: text(rtw['eclpSoNo']),
      warehouseNo: text(rtw['warehouseNo']),
      status: describeRtwStatus(requireText(rtw, 'status', resultContext)),
      reason: text(rtw['reason']),
      message: text(rtw['msg']),
      createdAt: text(rtw['createTime']),
      finishedAt: text(rtw['finishTime']),
      lines: objects(rtw['rtwDetailsModelList']).map((line) =>
        compact({
          goodsNo: text(line['goodsNo']),
          isvGoodsNo: text(line['isvGoodsNo']),
          plannedQty: numeric(line['planQty']),
          receivedQty: numeric(line['realQty']) ?? 0,
          goodsLevel: text(line['goodsLevelNo']),
        }),
      ),
    }),
  );
}

export interface CancelRtwInput {
  /** The merchant's return number (JD requires it). */
  isvRtwNum: string;
  /** JD's return number, sent as `eclpRtwNum` (this API's spelling). */
  eclpRtwNo?: string;
  reason?: string;
  /** Defaults to b2c. */
  channel?: OrderChannel;
}

/**
 * JD's `rtw.cancelRtwOrder` (取消退货入库单): `rtwResult {code, msg}` read like the other cancels (1
 * cancelled, 2 refused [I]); the department goes as `ownerNo`, which JD describes as required.
 */
export async function cancelRtwOrder(context: ApiContext, input: CancelRtwInput): Promise<JdCancelResult> {
  const method = EclpMethod.CANCEL_RTW_ORDER;
  const envelope = await context.gateway.call(method, {
    isvRtwNum: input.isvRtwNum,
    eclpRtwNum: input.eclpRtwNo,
    cancelReson: input.reason,
    ownerNo: context.merchant.deptNo,
    orderInType: ORDER_IN_TYPE[input.channel ?? 'b2c'],
  });
  return readCancelResult(envelope, 'rtwResult', { method, reportedUrl: context.gateway.reportedUrl });
}
