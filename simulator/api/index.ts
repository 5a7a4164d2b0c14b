// The JD methods the simulator answers, by their full JOS method name.
import type { ApiHandler } from './context';
import { transportGoodsInfo } from './goods';
import { addPoOrder, cancalPoOrder, closePo, queryPoOrder } from './purchase-orders';
import { cancelRtwOrder, queryRtw, transportRtw } from './returns';
import { addOrder, cancelOrder, extQueryOrder, queryOrder, queryOrderStatus } from './sales-orders';
import { addPoSidDetail, queryGoodsSerial, queryInStockSIDBySku, queryPageSerialByBillNo } from './serials';
import { queryStock } from './stock';

export type { ApiContext, ApiHandler, ApiResult } from './context';

export const ECLP_METHODS: Readonly<Record<string, ApiHandler>> = {
  'jingdong.eclp.goods.transportGoodsInfo': transportGoodsInfo,
  'jingdong.eclp.po.addPoOrder': addPoOrder,
  'jingdong.eclp.po.cancalPoOrder': cancalPoOrder,
  'jingdong.eclp.po.queryPoOrder': queryPoOrder,
  'jingdong.eclp.po.addPoSidDetail': addPoSidDetail,
  'jingdong.eclp.po.closePo': closePo,
  'jingdong.eclp.stock.queryStock': queryStock,
  'jingdong.eclp.order.addOrder': addOrder,
  'jingdong.eclp.order.cancelOrder': cancelOrder,
  'jingdong.eclp.order.queryOrder': queryOrder,
  'jingdong.eclp.order.queryOrderStatus': queryOrderStatus,
  'jingdong.eclp.order.ext.queryOrder': extQueryOrder,
  'jingdong.eclp.rtw.transportRtw': transportRtw,
  'jingdong.eclp.rtw.queryRtw': queryRtw,
  'jingdong.eclp.rtw.cancelRtwOrder': cancelRtwOrder,
  'jingdong.eclp.goods.queryGoodsSerial': queryGoodsSerial,
  'jingdong.eclp.serial.queryPageSerialByBillNo': queryPageSerialByBillNo,
  'jingdong.eclp.serial.queryInStockSIDBySku': queryInStockSIDBySku,
};
