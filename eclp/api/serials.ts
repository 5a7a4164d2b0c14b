// Serial-number queries (eclp-api.md §3.12–§3.14).
import { compact, numeric, objects, requireObject, requireText, strings, text } from '../fields';
import { EclpMethod } from '../methods';
import { DEFAULT_PAGE_SIZE, iteratePages, type Page } from '../paging';
import type { SerialBillType } from '../status';
import type { ApiContext } from './context';

export interface DocumentSerial {
  businessNo: string;
  /** JD's businessType code, verbatim (values undocumented). */
  businessType?: string;
  deptNo?: string;
  goodsNo: string;
  serialNo: string;
}

/** Serial numbers booked on one in/outbound document. */
export async function queryGoodsSerial(context: ApiContext, bizNo: string): Promise<DocumentSerial[]> {
  const method = EclpMethod.QUERY_GOODS_SERIAL;
  const envelope = await context.gateway.call(method, { bizNo });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  return objects(envelope['goodsSerialList']).map((row) =>
    compact({
      businessNo: text(row['businessNo']) ?? bizNo,
      businessType: text(row['businessType']),
      deptNo: text(row['departmentNo']),
      goodsNo: requireText(row, 'goodsNo', resultContext),
      serialNo: requireText(row, 'serialNumber', resultContext),
    }),
  );
}

/** JD's queryType: 1 small/medium parcels (JD's default), 2 bulky goods. */
const queryType = (bulky: boolean | undefined) => (bulky === undefined ? undefined : bulky ? 2 : 1);

export interface BillSerialQuery {
  billNo: string;
  billType: SerialBillType;
  bulky?: boolean;
}

export interface BillSerialPageRequest extends BillSerialQuery {
  page?: number;
  pageSize?: number;
}

export interface BillSerial {
  goodsNo: string;
  isvGoodsNo?: string;
  serialNo: string;
  bizType?: string;
  bizTypeName?: string;
  bizNo?: string;
  createdAt?: string;
  warehouseNo?: string;
  warehouseName?: string;
}

export async function queryPageSerialByBillNo(context: ApiContext, request: BillSerialPageRequest): Promise<Page<BillSerial>> {
  const method = EclpMethod.QUERY_PAGE_SERIAL_BY_BILL_NO;
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  const envelope = await context.gateway.call(method, {
    billNo: request.billNo,
    billType: request.billType,
    pageNo: page,
    pageSize,
    queryType: queryType(request.bulky),
  });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  const result = requireObject(envelope, 'querypageserialbybillno_result', resultContext);
  const items = objects(result['serialNumbers']).map((row) =>
    compact({
      goodsNo: requireText(row, 'goodsNo', resultContext),
      isvGoodsNo: text(row['isvGoodsNo']),
      serialNo: requireText(row, 'serialNumber', resultContext),
      bizType: text(row['bizType']),
      bizTypeName: text(row['bizTypeName']),
      bizNo: text(row['bizNo']),
      createdAt: text(row['createTimeStr']),
      warehouseNo: text(row['warehouseNo']),
      warehouseName: text(row['warehouseName']),
    }),
  );
  return compact({ items, page, pageSize, total: numeric(result['totalRecords']) });
}

export function iterateSerialsByBill(context: ApiContext, query: BillSerialQuery, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<BillSerial, void, undefined> {
  return iteratePages((page, size) => queryPageSerialByBillNo(context, { ...query, page, pageSize: size }), pageSize);
}

export interface InStockSerialQuery {
  goodsNo: string;
  bulky?: boolean;
}

export interface InStockSerialPageRequest extends InStockSerialQuery {
  page?: number;
  pageSize?: number;
}

/** Serial numbers of one goods currently in stock. */
export async function queryInStockSIDBySku(context: ApiContext, request: InStockSerialPageRequest): Promise<Page<string>> {
  const method = EclpMethod.QUERY_IN_STOCK_SID_BY_SKU;
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  const envelope = await context.gateway.call(method, {
    goodsNo: request.goodsNo,
    pageNo: page,
    pageSize,
    queryType: queryType(request.bulky),
  });
  const result = requireObject(envelope, 'queryinstocksidbysku_result', { method, reportedUrl: context.gateway.reportedUrl });
  return compact({ items: strings(result['serialNos']).filter((no) => no !== ''), page, pageSize, total: numeric(result['total']) });
}

export function iterateInStockSerials(context: ApiContext, query: InStockSerialQuery, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<string, void, undefined> {
  return iteratePages((page, size) => queryInStockSIDBySku(context, { ...query, page, pageSize: size }), pageSize);
}
