// Customer-return inbounds (eclp-api.md §3.10, §3.11).
import { EclpBusinessError } from '../errors';
import { compact, numeric, objects, requireObject, requireText, text } from '../fields';
import { EclpMethod } from '../methods';
import { describeRtwStatus, type RtwStatusName, type StatusInfo } from '../status';
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
}

export interface ReturnState {
  eclpRtwNo: string;
  isvRtwNum?: string;
  eclpSoNo?: string;
  warehouseNo?: string;
  status: StatusInfo<RtwStatusName>;
  reason?: string;
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
      createdAt: text(rtw['createTime']),
      finishedAt: text(rtw['finishTime']),
      lines: objects(rtw['rtwDetailsModelList']).map((line) =>
        compact({
          goodsNo: text(line['goodsNo']),
          isvGoodsNo: text(line['isvGoodsNo']),
          plannedQty: numeric(line['planQty']),
          receivedQty: numeric(line['realQty']) ?? 0,
        }),
      ),
    }),
  );
}
