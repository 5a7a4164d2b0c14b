// JD's method names for the APIs this project calls (eclp-api.md §3). Spelled exactly as JD spells
// them, `cancalPoOrder` included: the gateway routes on this string and the signature covers it.
export const EclpMethod = {
  TRANSPORT_GOODS_INFO: 'jingdong.eclp.goods.transportGoodsInfo',
  ADD_PO_ORDER: 'jingdong.eclp.po.addPoOrder',
  CANCEL_PO_ORDER: 'jingdong.eclp.po.cancalPoOrder',
  QUERY_PO_ORDER: 'jingdong.eclp.po.queryPoOrder',
  ADD_PO_SID_DETAIL: 'jingdong.eclp.po.addPoSidDetail',
  CLOSE_PO: 'jingdong.eclp.po.closePo',
  QUERY_STOCK: 'jingdong.eclp.stock.queryStock',
  ADD_ORDER: 'jingdong.eclp.order.addOrder',
  CANCEL_ORDER: 'jingdong.eclp.order.cancelOrder',
  QUERY_ORDER: 'jingdong.eclp.order.queryOrder',
  QUERY_ORDERS_BY_ISV_UUID: 'jingdong.eclp.order.ext.queryOrder',
  TRANSPORT_RTW: 'jingdong.eclp.rtw.transportRtw',
  QUERY_RTW: 'jingdong.eclp.rtw.queryRtw',
  CANCEL_RTW_ORDER: 'jingdong.eclp.rtw.cancelRtwOrder',
  QUERY_GOODS_SERIAL: 'jingdong.eclp.goods.queryGoodsSerial',
  QUERY_PAGE_SERIAL_BY_BILL_NO: 'jingdong.eclp.serial.queryPageSerialByBillNo',
  QUERY_IN_STOCK_SID_BY_SKU: 'jingdong.eclp.serial.queryInStockSIDBySku',
} as const;
export type EclpMethod = (typeof EclpMethod)[keyof typeof EclpMethod];
