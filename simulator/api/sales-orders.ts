// jingdong.eclp.order.addOrder / cancelOrder / queryOrder / queryOrderStatus (eclp-api.md §3.7–3.9) and
// jingdong.eclp.order.ext.queryOrder, the lookup by the merchant's own numbers (§3.15a).
import { decodeList, parseTimestamp } from '../../eclp/protocol';
import { duplicateIsvUuidText } from '../behaviour';
import { BusinessError } from '../errors';
import { NumberFormat } from '../ids';
import type { Catalogue } from '../model/catalogue';
import { currentStatus, type SalesOrder } from '../model/sales-orders';
import { parseAmount, parseQuantity, type BusinessParams } from '../params';
import type { ApiHandler } from './context';

const DEFAULT_SHIPPER = 'CYS0000010';

/**
 * Creates a sales outbound order (status 10010). isvUUID is JD's uniqueness key: the same isvUUID again
 * creates nothing and, by the behaviour setting, answers the existing eclpSoNo (our assumption [G]) or
 * refuses with code 1000 and an "already exists" text (what eclp-api.md §3.7 leans towards [I]; JD's code
 * for it is unknown, so it is our business-rule code).
 */
export const addOrder: ApiHandler = (p, { state, ops }) => {
  const isvUUID = p.required('isvUUID', 125);
  const isvSource = p.required('isvSource');
  const departmentNo = p.required('departmentNo');
  state.catalogue.requireIsvSource(isvSource);
  state.catalogue.requireDepartment('departmentNo', departmentNo);

  const existing = state.salesOrders.findByIsvUUID(isvUUID);
  if (existing) {
    if (state.behaviour.duplicateIsvUuid === 'reject') throw BusinessError.rejected(duplicateIsvUuidText(isvUUID), `isvUUID ${isvUUID} already exists`);
    return { eclpSoNo: existing.eclpSoNo };
  }

  const soType = p.optional('soType') ?? '1';
  if (soType !== '1' && soType !== '2') throw BusinessError.invalid('soType', '只能为1（B2C）或2（B2B）', 'must be 1 (B2C) or 2 (B2B)');
  const shopNo = p.optional('shopNo');
  if (shopNo === undefined && soType === '1') throw BusinessError.missing('shopNo');
  if (shopNo !== undefined) state.catalogue.requireShop(shopNo);
  const salePlatformSource = p.required('salePlatformSource');
  const salesPlatformOrderNo = p.optional('salesPlatformOrderNo', 200);
  if (salePlatformSource === '1' && salesPlatformOrderNo === undefined) throw BusinessError.missing('salesPlatformOrderNo');
  const salesPlatformCreateTime = p.optional('salesPlatformCreateTime');
  if (salesPlatformCreateTime !== undefined && !parseTimestamp(salesPlatformCreateTime)) {
    throw BusinessError.invalid('salesPlatformCreateTime', '格式应为yyyy-MM-dd HH:mm:ss', 'expected yyyy-MM-dd HH:mm:ss');
  }
  const orderMark = p.required('orderMark', 50);
  const consignee = readConsignee(p);
  const receivable = p.optional('receivable');
  if (receivable !== undefined) parseAmount('receivable', receivable, 1);

  const warehouseNo = p.required('warehouseNo');
  state.catalogue.requireWarehouse(warehouseNo);
  const shipperNo = p.optional('shipperNo') ?? DEFAULT_SHIPPER;
  state.catalogue.requireShipper(shipperNo);

  if (p.optional('goodsNo') === undefined && p.optional('isvGoodsNo') === undefined) throw BusinessError.missing('goodsNo');
  if (p.optional('quantity') === undefined) throw BusinessError.missing('quantity');
  const lines = p.lines(['goodsNo', 'isvGoodsNo', 'quantity', 'price', 'orderLine'] as const).map((line, i) => {
    const goods = state.goods.resolveLine('goodsNo', line.goodsNo, line.isvGoodsNo, i + 1);
    return {
      orderLine: line.orderLine ?? String(i + 1),
      goodsNo: goods.goodsNo,
      isvGoodsNo: goods.isvGoodsNo,
      goodsName: goods.goodsName,
      quantity: parseQuantity('quantity', line.quantity, i + 1),
      price: parseAmount('price', line.price, i + 1),
    };
  });

  const createTime = ops.stamp();
  const order: SalesOrder = {
    eclpSoNo: state.numbers.next(...NumberFormat.salesOrder),
    isvUUID,
    isvSource,
    shopNo,
    departmentNo,
    warehouseNo,
    shipperNo,
    salePlatformSource,
    salesPlatformOrderNo,
    salesPlatformCreateTime,
    soType,
    orderMark,
    receivable,
    sellerRemark: p.optional('sellerRemark', 500),
    consignee,
    lines,
    history: [],
    createTime,
    acceptedAt: Date.now(),
  };
  ops.acceptSalesOrder(order);
  return { eclpSoNo: order.eclpSoNo };
};

/** Name and address are required, and at least one of mobile/phone (eclp-api.md §3.7). */
function readConsignee(p: BusinessParams): SalesOrder['consignee'] {
  const name = p.required('consigneeName', 20);
  const address = p.required('consigneeAddress', 100);
  const mobile = p.optional('consigneeMobile', 30);
  const phone = p.optional('consigneePhone', 30);
  if (mobile === undefined && phone === undefined) {
    throw BusinessError.invalid('consigneeMobile', '收货人手机(consigneeMobile)和电话(consigneePhone)至少填写一个', 'consigneeMobile or consigneePhone is required');
  }
  return {
    name,
    address,
    mobile,
    phone,
    email: p.optional('consigneeEmail'),
    province: p.optional('addressProvince', 100),
    city: p.optional('addressCity', 100),
    county: p.optional('addressCounty', 100),
    town: p.optional('addressTown', 100),
    postcode: p.optional('consigneePostcode'),
  };
}

function requireOrder(p: BusinessParams, orders: { find(n: string): SalesOrder | undefined }): SalesOrder {
  const eclpSoNo = p.required('eclpSoNo');
  const order = orders.find(eclpSoNo);
  if (!order) throw BusinessError.rejected(`出库单${eclpSoNo}不存在`, `Unknown sales order ${eclpSoNo}`);
  return order;
}

export const cancelOrder: ApiHandler = (p, { state, ops }) => {
  const order = requireOrder(p, state.salesOrders);
  return { cancelorder_result: ops.cancelSalesOrderByMerchant(order.eclpSoNo) };
};

export const queryOrder: ApiHandler = (p, { state }) => {
  const order = requireOrder(p, state.salesOrders);
  return { queryorder_result: orderDetail(order, state.catalogue) };
};

export const queryOrderStatus: ApiHandler = (p, { state }) => {
  const order = requireOrder(p, state.salesOrders);
  return { queryorderstatus_result: { eclpSoNo: order.eclpSoNo, isvUUID: order.isvUUID, orderStatusList: order.history.map((e) => ({ ...e })) } };
};

/**
 * One row per known isvUUID (or sales-platform order no); numbers JD never accepted are absent, which tells
 * the caller after a timeout that the create did not land. resultCode 1 and mainStatus = current status
 * code are our reading of undocumented fields [G]. Orders younger than the behaviour's `lookupLagMs` are
 * absent too: JD's lookup may lag behind a create, so "absent" never proves "not created".
 */
export const extQueryOrder: ApiHandler = (p, { state }) => {
  const isvSource = p.optional('isvSource');
  const departmentNo = p.optional('departmentNo');
  if (isvSource !== undefined) state.catalogue.requireIsvSource(isvSource);
  if (departmentNo !== undefined) state.catalogue.requireDepartment('departmentNo', departmentNo);
  let orders: SalesOrder[];
  if (p.optional('isvUUID') !== undefined) {
    orders = p.numberList('isvUUID', 100).flatMap((uuid) => state.salesOrders.findByIsvUUID(uuid) ?? []);
  } else if (p.optional('spSoNos') !== undefined) {
    orders = p.numberList('spSoNos', 100).flatMap((spSoNo) => state.salesOrders.findBySalesPlatformOrderNo(spSoNo));
  } else {
    throw BusinessError.missing('isvUUID');
  }
  const visibleBefore = Date.now() - state.behaviour.lookupLagMs;
  orders = orders.filter((order) => order.acceptedAt <= visibleBefore);
  return {
    queryorder_result: orders.map((order) => ({
      isvUUID: order.isvUUID,
      spSoNo: order.salesPlatformOrderNo ?? '',
      eclpSoNo: order.eclpSoNo,
      wayBill: order.wayBill ?? '',
      mainStatus: Number(currentStatus(order)),
      resultCode: 1,
      resultMessage: '查询成功',
      operTime: order.history[order.history.length - 1]?.operateTime ?? order.createTime,
    })),
  };
};

/** OrderDetailResult (eclp-api.md §3.9): header, lines, packages and the full status history. */
function orderDetail(order: SalesOrder, catalogue: Catalogue) {
  const shipped = order.wayBill !== undefined;
  return {
    eclpSoNo: order.eclpSoNo,
    isvUUID: order.isvUUID,
    isvSource: order.isvSource,
    shopNo: order.shopNo ?? '',
    departmentNo: order.departmentNo,
    warehouseNo: order.warehouseNo,
    shipperNo: order.shipperNo,
    shipperName: catalogue.shipperName(order.shipperNo),
    salesPlatformOrderNo: order.salesPlatformOrderNo ?? '',
    salePlatformSource: order.salePlatformSource,
    salesPlatformCreateTime: order.salesPlatformCreateTime ?? '',
    soType: order.soType,
    orderMark: order.orderMark,
    receivable: order.receivable ?? '',
    consigneeName: order.consignee.name,
    consigneeMobile: order.consignee.mobile ?? '',
    consigneePhone: order.consignee.phone ?? '',
    consigneeAddress: order.consignee.address,
    addressProvince: order.consignee.province ?? '',
    addressCity: order.consignee.city ?? '',
    addressCounty: order.consignee.county ?? '',
    addressTown: order.consignee.town ?? '',
    currentStatus: currentStatus(order),
    wayBill: order.wayBill ?? '',
    orderDetailList: order.lines.map((line) => ({
      orderLine: line.orderLine,
      goodsNo: line.goodsNo,
      isvGoodsNo: line.isvGoodsNo,
      goodsName: line.goodsName,
      price: line.price ?? 0,
      quantity: line.quantity,
      realOutQty: shipped ? (line.realOutQty ?? line.quantity) : 0,
    })),
    // One parcel per waybill of a multi-parcel "a,b" shipment.
    orderPackageList: decodeList(order.wayBill).map((wayBill) => ({ packageNo: `${wayBill}-1-1-`, wayBill, packWeight: 0.5 })),
    orderStatusList: order.history.map((entry) => ({ ...entry })),
  };
}
