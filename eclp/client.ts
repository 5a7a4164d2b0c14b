// The ECLP client activities depend on: one method per JD API, typed in the ERP's terms. Being a
// plain object of functions, it can be replaced by a fake in tests.
import type { EclpConfig } from './config';
import { createGateway, type GatewayOptions } from './gateway';
import type { Page } from './paging';
import type { JdCancelResult } from './api/cancel';
import type { ApiContext } from './api/context';
import { type GoodsInfoInput, type GoodsInfoResult, transportGoodsInfo } from './api/goods';
import {
  type AddPoOrderInput,
  type AddPoOrderResult,
  addPoOrder,
  addPoSidDetail,
  cancelPoOrder,
  closePo,
  type JdClosePoResult,
  type PoSerialInput,
  type PoSerialResult,
  type PurchaseOrderState,
  queryPoOrder,
} from './api/purchase-orders';
import {
  type CancelRtwInput,
  cancelRtwOrder,
  type QueryRtwInput,
  queryRtw,
  type ReturnState,
  transportRtw,
  type TransportRtwInput,
  type TransportRtwResult,
} from './api/returns';
import {
  type AddOrderInput,
  type AddOrderResult,
  addOrder,
  cancelOrder,
  queryOrder,
  queryOrdersByIsvUuid,
  type SalesOrderDetail,
  type SubmittedSalesOrder,
} from './api/sales-orders';
import {
  type BillSerial,
  type BillSerialPageRequest,
  type BillSerialQuery,
  type DocumentSerial,
  type InStockSerialPageRequest,
  type InStockSerialQuery,
  iterateInStockSerials,
  iterateSerialsByBill,
  queryGoodsSerial,
  queryInStockSIDBySku,
  queryPageSerialByBillNo,
} from './api/serials';
import { iterateStock, queryStock, type StockPageRequest, type StockQuery, type StockRow } from './api/stock';

export interface EclpClient {
  // goods
  transportGoodsInfo(input: GoodsInfoInput): Promise<GoodsInfoResult>;
  // purchase orders
  addPoOrder(input: AddPoOrderInput): Promise<AddPoOrderResult>;
  /** JD's `cancalPoOrder`. */
  cancelPoOrder(poOrderNo: string): Promise<JdCancelResult>;
  /** JD's `po.closePo` (采购关单). */
  closePo(poOrderNo: string): Promise<JdClosePoResult>;
  /** Up to 100 numbers per call. */
  queryPoOrder(poOrderNos: ReadonlyArray<string>): Promise<PurchaseOrderState[]>;
  addPoSidDetail(input: PoSerialInput): Promise<PoSerialResult>;
  // stock
  queryStock(request: StockPageRequest): Promise<Page<StockRow>>;
  iterateStock(query: StockQuery, pageSize?: number): AsyncGenerator<StockRow, void, undefined>;
  // sales orders
  addOrder(input: AddOrderInput): Promise<AddOrderResult>;
  cancelOrder(eclpSoNo: string): Promise<JdCancelResult>;
  queryOrder(eclpSoNo: string): Promise<SalesOrderDetail>;
  /** JD's `order.ext.queryOrder`; up to 100 isvUUIDs per call. */
  queryOrdersByIsvUuid(isvUuids: ReadonlyArray<string>): Promise<SubmittedSalesOrder[]>;
  // returns
  transportRtw(input: TransportRtwInput): Promise<TransportRtwResult>;
  queryRtw(input: QueryRtwInput): Promise<ReturnState[]>;
  /** JD's `rtw.cancelRtwOrder`. */
  cancelRtwOrder(input: CancelRtwInput): Promise<JdCancelResult>;
  // serial numbers
  queryGoodsSerial(bizNo: string): Promise<DocumentSerial[]>;
  queryPageSerialByBillNo(request: BillSerialPageRequest): Promise<Page<BillSerial>>;
  iterateSerialsByBill(query: BillSerialQuery, pageSize?: number): AsyncGenerator<BillSerial, void, undefined>;
  queryInStockSIDBySku(request: InStockSerialPageRequest): Promise<Page<string>>;
  iterateInStockSerials(query: InStockSerialQuery, pageSize?: number): AsyncGenerator<string, void, undefined>;
}

export type EclpClientOptions = GatewayOptions;

export function createEclpClient(config: EclpConfig, options: EclpClientOptions = {}): EclpClient {
  const context: ApiContext = {
    gateway: createGateway(config, options),
    merchant: { deptNo: config.deptNo, shopNo: config.shopNo, isvSource: config.isvSource },
  };
  return {
    transportGoodsInfo: (input) => transportGoodsInfo(context, input),
    addPoOrder: (input) => addPoOrder(context, input),
    cancelPoOrder: (poOrderNo) => cancelPoOrder(context, poOrderNo),
    closePo: (poOrderNo) => closePo(context, poOrderNo),
    queryPoOrder: (poOrderNos) => queryPoOrder(context, poOrderNos),
    addPoSidDetail: (input) => addPoSidDetail(context, input),
    queryStock: (request) => queryStock(context, request),
    iterateStock: (query, pageSize) => iterateStock(context, query, pageSize),
    addOrder: (input) => addOrder(context, input),
    cancelOrder: (eclpSoNo) => cancelOrder(context, eclpSoNo),
    queryOrder: (eclpSoNo) => queryOrder(context, eclpSoNo),
    queryOrdersByIsvUuid: (isvUuids) => queryOrdersByIsvUuid(context, isvUuids),
    transportRtw: (input) => transportRtw(context, input),
    queryRtw: (input) => queryRtw(context, input),
    cancelRtwOrder: (input) => cancelRtwOrder(context, input),
    queryGoodsSerial: (bizNo) => queryGoodsSerial(context, bizNo),
    queryPageSerialByBillNo: (request) => queryPageSerialByBillNo(context, request),
    iterateSerialsByBill: (query, pageSize) => iterateSerialsByBill(context, query, pageSize),
    queryInStockSIDBySku: (request) => queryInStockSIDBySku(context, request),
    iterateInStockSerials: (query, pageSize) => iterateInStockSerials(context, query, pageSize),
  };
}
