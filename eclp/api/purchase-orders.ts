// Purchase inbound orders (eclp-api.md §3.2–§3.5, §3.15d): create, cancel, close, batch status, serial lists.
import { EclpValidationError } from '../errors';
import { compact, goodsColumns, type GoodsReference, lineColumn, listField, numeric, objects, requireObject, requireText, text } from '../fields';
import { EclpMethod } from '../methods';
import { ClosePoResultCode, describePoStatus, type PoStatusName, type StatusInfo } from '../status';
import { type JdCancelResult, readCancelResult } from './cancel';
import type { ApiContext } from './context';

export type GoodsQuality = 'good' | 'defective' | 'sample';
/** JD's goodsStatus / stockStatus codes. */
export const GOODS_QUALITY_CODE: Record<GoodsQuality, number> = { good: 1, defective: 2, sample: 3 };

export interface PoLineInput extends GoodsReference {
  quantity: number;
  /** Defaults to good. */
  quality?: GoodsQuality;
  unitPrice?: number;
}

export interface AddPoOrderInput {
  /** The merchant's PO number (e.g. `{poNo}-{revision}`); JD's key for this inbound. */
  spPoOrderNo: string;
  warehouseNo: string;
  supplierNo: string;
  lines: ReadonlyArray<PoLineInput>;
  remark?: string;
  referenceOrder?: string;
}

export interface AddPoOrderResult {
  /** ECLP PO number, `EPL…`. */
  poOrderNo: string;
}

export async function addPoOrder(context: ApiContext, input: AddPoOrderInput): Promise<AddPoOrderResult> {
  const method = EclpMethod.ADD_PO_ORDER;
  const { lines } = input;
  const envelope = await context.gateway.call(method, {
    spPoOrderNo: input.spPoOrderNo,
    deptNo: context.merchant.deptNo,
    whNo: input.warehouseNo,
    supplierNo: input.supplierNo,
    inboundRemark: input.remark,
    referenceOrder: input.referenceOrder,
    ...goodsColumns(method, lines, { goodsNo: 'deptGoodsNo', isvGoodsNo: 'isvGoodsNo' }),
    numApplication: lineColumn(method, 'quantity', lines.map((line) => line.quantity)),
    goodsStatus: lineColumn(method, 'quality', lines.map((line) => GOODS_QUALITY_CODE[line.quality ?? 'good'])),
    unitPrice: optionalColumn(method, 'unitPrice', lines.map((line) => line.unitPrice)),
  });
  return { poOrderNo: requireText(envelope, 'poOrderNo', { method, reportedUrl: context.gateway.reportedUrl }) };
}

/** A column every line fills or none does: a partly filled parallel list would misalign. */
function optionalColumn(method: string, field: string, values: ReadonlyArray<number | undefined>): string | undefined {
  if (values.every((value) => value === undefined)) return undefined;
  const missing = values.findIndex((value) => value === undefined);
  if (missing >= 0) {
    throw new EclpValidationError(`${method} refused before sending: line ${missing + 1} has no ${field} while other lines have one`, {
      method,
      field: `lines.${field}`,
      line: missing + 1,
    });
  }
  return lineColumn(method, field, values as number[]);
}

/** JD's `cancalPoOrder`: cancels an inbound that nothing has been received for yet. */
export async function cancelPoOrder(context: ApiContext, poOrderNo: string): Promise<JdCancelResult> {
  const method = EclpMethod.CANCEL_PO_ORDER;
  const envelope = await context.gateway.call(method, { poOrderNo });
  return readCancelResult(envelope, 'poResult', { method, reportedUrl: context.gateway.reportedUrl });
}

export interface JdClosePoResult {
  /**
   * `closed`: JD ended the PO with what was received (it then reports status 70, the rest as short).
   * `unknown` = a code JD has not documented; queryPoOrder then tells what happened. A PO JD will not
   * close (completed, cancelled) usually comes back as an EclpBusinessError instead of `refused`.
   */
  result: 'closed' | 'refused' | 'unknown';
  /** JD's code verbatim. */
  code: string;
  /** JD's text, verbatim (Chinese). */
  message?: string;
}

/** JD's `po.closePo` (采购关单): ends an inbound that is partly received; the rest is not expected any more. */
export async function closePo(context: ApiContext, poOrderNo: string): Promise<JdClosePoResult> {
  const method = EclpMethod.CLOSE_PO;
  const envelope = await context.gateway.call(method, { poOrderNo });
  const verdict = requireObject(envelope, 'poCloseJosResponse', { method, reportedUrl: context.gateway.reportedUrl });
  const code = text(verdict['code']) ?? '';
  const message = text(verdict['msg']);
  const result = code === ClosePoResultCode.CLOSED ? 'closed' : code === ClosePoResultCode.REFUSED ? 'refused' : 'unknown';
  return message === undefined ? { result, code } : { result, code, message };
}

export interface PoLineState {
  goodsNo: string;
  isvGoodsNo?: string;
  orderedQty?: number;
  /** What the warehouse has put away so far; 0 until the first receipt. */
  receivedQty: number;
  shortQty?: number;
  /** Units that arrived defective (JD's `damagedQty`). */
  damagedQty?: number;
  /** Units received beyond the ordered quantity (JD's `excessQty`). */
  excessQty?: number;
  /** JD's goodsStatus code as received. */
  goodsStatus?: string;
}

export interface PurchaseOrderState {
  poOrderNo: string;
  spPoOrderNo?: string;
  warehouseNo?: string;
  supplierNo?: string;
  status: StatusInfo<PoStatusName>;
  /** JD's timestamps as sent (`yyyy-MM-dd HH:mm:ss`, Beijing time). */
  createdAt?: string;
  completedAt?: string;
  lines: PoLineState[];
}

/**
 * Status and received quantities of up to 100 POs in one call. Numbers JD does not know are simply
 * missing from the answer; an empty list asks nothing and returns nothing.
 */
export async function queryPoOrder(context: ApiContext, poOrderNos: ReadonlyArray<string>): Promise<PurchaseOrderState[]> {
  const method = EclpMethod.QUERY_PO_ORDER;
  if (poOrderNos.length === 0) return [];
  const envelope = await context.gateway.call(method, { poOrderNo: listField(method, 'poOrderNos', poOrderNos) });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  return objects(envelope['queryPoModelList']).map((po) =>
    compact({
      poOrderNo: requireText(po, 'poOrderNo', resultContext),
      spPoOrderNo: text(po['isvPoOrderNo']),
      warehouseNo: text(po['whNo']),
      supplierNo: text(po['supplierNo']),
      status: describePoStatus(requireText(po, 'poOrderStatus', resultContext)),
      createdAt: text(po['createTime']),
      completedAt: text(po['completeTime']),
      lines: objects(po['poItemModelList']).map((line) =>
        compact({
          goodsNo: requireText(line, 'goodsNo', resultContext),
          isvGoodsNo: text(line['isvGoodsNo']),
          orderedQty: numeric(line['numApplication']),
          receivedQty: numeric(line['realInstoreQty']) ?? 0,
          shortQty: numeric(line['shortQty']),
          damagedQty: numeric(line['damagedQty']),
          excessQty: numeric(line['excessQty']),
          goodsStatus: text(line['goodsStatus']),
        }),
      ),
    }),
  );
}

export interface PoSerialInput {
  poOrderNo: string;
  serials: ReadonlyArray<{ goodsNo: string; serialNo: string }>;
  /** Version of the serial list for this PO; raise it when re-uploading a corrected list. */
  version?: number;
  /**
   * The merchant's JD account pin (the account that authorised the app). JD requires it on this call
   * only (eclp-api.md §3.5) and documents no way to learn it; unset, the merchant's deptNo is sent in its
   * place [G] (the worker sets it from JD_ACCOUNT_PIN).
   */
  pin?: string;
}

export interface PoSerialResult {
  /** JD's `addPoSidResult`, verbatim: its meaning is not documented. */
  result: string;
}

export async function addPoSidDetail(context: ApiContext, input: PoSerialInput): Promise<PoSerialResult> {
  const method = EclpMethod.ADD_PO_SID_DETAIL;
  if (input.serials.length === 0) {
    throw new EclpValidationError(`${method} refused before sending: no serial numbers`, { method, field: 'serials' });
  }
  const envelope = await context.gateway.call(method, {
    poNo: input.poOrderNo,
    version: input.version ?? 1,
    deptGoodsNo: lineColumn(method, 'goodsNo', input.serials.map((serial) => serial.goodsNo), 'serials'),
    serialNo: lineColumn(method, 'serialNo', input.serials.map((serial) => serial.serialNo), 'serials'),
    pin: input.pin ?? context.merchant.deptNo,
  });
  const raw = envelope['addPoSidResult'];
  return { result: typeof raw === 'string' ? raw : JSON.stringify(raw ?? null) };
}
