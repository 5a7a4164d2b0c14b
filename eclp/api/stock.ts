// Physical stock per warehouse (eclp-api.md §3.6), paged.
import { compact, numeric, objects, requireText, text } from '../fields';
import { EclpMethod } from '../methods';
import { DEFAULT_PAGE_SIZE, iteratePages, type Page } from '../paging';
import type { ApiContext } from './context';
import { GOODS_QUALITY_CODE, type GoodsQuality } from './purchase-orders';

export type StockType =
  | 'sellable'
  | 'pendingReturn'
  | 'merchantReserved'
  | 'warehouseLocked'
  | 'nearExpiryLocked'
  | 'stockTakeLocked'
  | 'isolated';
const STOCK_TYPE_CODE: Record<StockType, number> = {
  sellable: 1,
  pendingReturn: 2,
  merchantReserved: 3,
  warehouseLocked: 4,
  nearExpiryLocked: 5,
  stockTakeLocked: 6,
  isolated: 7,
};

export interface StockQuery {
  warehouseNo: string;
  goodsNo?: string;
  /** The merchant's SKU as JD stores it. */
  isvSku?: string;
  quality?: GoodsQuality;
  stockType?: StockType;
  /** JD leaves zero rows out unless asked. */
  includeZeroStock?: boolean;
}

export interface StockPageRequest extends StockQuery {
  /** 1-based, default 1. */
  page?: number;
  pageSize?: number;
}

export interface StockRow {
  warehouseNo: string;
  warehouseName?: string;
  goodsNo: string;
  goodsName?: string;
  isvSku?: string;
  /** JD codes as received: stockStatus 1 good / 2 defective / 3 sample, stockType 1..7. */
  stockStatus?: string;
  stockType?: string;
  goodsLevel?: string;
  totalQty: number;
  usableQty: number;
}

export async function queryStock(context: ApiContext, request: StockPageRequest): Promise<Page<StockRow>> {
  const method = EclpMethod.QUERY_STOCK;
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  const envelope = await context.gateway.call(method, {
    deptNo: context.merchant.deptNo,
    warehouseNo: request.warehouseNo,
    goodsNo: request.goodsNo,
    isvSku: request.isvSku,
    stockStatus: request.quality === undefined ? undefined : GOODS_QUALITY_CODE[request.quality],
    stockType: request.stockType === undefined ? undefined : STOCK_TYPE_CODE[request.stockType],
    returnZeroStock: request.includeZeroStock === undefined ? undefined : request.includeZeroStock ? 2 : 1,
    currentPage: page,
    pageSize,
  });
  const resultContext = { method, reportedUrl: context.gateway.reportedUrl };
  const rows = objects(envelope['querystock_result']);
  const items = rows.map((row) =>
    compact({
      warehouseNo: text(row['warehouseNo']) ?? request.warehouseNo,
      warehouseName: text(row['warehouseName']),
      goodsNo: requireText(row, 'goodsNo', resultContext),
      goodsName: text(row['goodsName']),
      isvSku: text(row['isvSku']),
      stockStatus: text(row['stockStatus']),
      stockType: text(row['stockType']),
      goodsLevel: text(row['goodsLevel']),
      totalQty: numeric(row['totalNum']) ?? 0,
      usableQty: numeric(row['usableNum']) ?? 0,
    }),
  );
  // recordCount rides on every row; it is presumably the total across pages (eclp-api.md §3.6 [I]).
  const total = rows.length > 0 ? numeric(rows[0]?.['recordCount']) : undefined;
  return compact({ items, page, pageSize, total });
}

/** Every stock row of the query, page after page. */
export function iterateStock(context: ApiContext, query: StockQuery, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<StockRow, void, undefined> {
  return iteratePages((page, size) => queryStock(context, { ...query, page, pageSize: size }), pageSize);
}
