// jingdong.eclp.po.addPoOrder / cancalPoOrder (sic) / queryPoOrder / closePo (eclp-api.md §3.2–3.4, §3.15d).
import { duplicateSpPoOrderNoText } from '../behaviour';
import { BusinessError } from '../errors';
import { NumberFormat } from '../ids';
import { PoStatus, type PurchaseOrder } from '../model/purchase-orders';
import { parseAmount, parseQuantity } from '../params';
import type { ApiHandler } from './context';

/**
 * Creates a purchase inbound order: status 10, then 20 (sent to the warehouse) at once or after the
 * timeline's `initialiseAfterMs`. The same
 * spPoOrderNo again answers the existing poOrderNo (our assumption [G]), or under behaviour
 * `duplicateSpPoOrderNo: reject` a business error saying it already exists; either way no second PO.
 */
export const addPoOrder: ApiHandler = (p, { state, ops }) => {
  const spPoOrderNo = p.required('spPoOrderNo', 50);
  const deptNo = p.required('deptNo', 50);
  const whNo = p.required('whNo');
  const supplierNo = p.required('supplierNo');
  const inboundRemark = p.optional('inboundRemark', 200);
  state.catalogue.requireDepartment('deptNo', deptNo);

  const existing = state.purchaseOrders.findBySpPoOrderNo(spPoOrderNo);
  if (existing) {
    if (state.behaviour.duplicateSpPoOrderNo === 'reject') {
      throw BusinessError.rejected(duplicateSpPoOrderNoText(spPoOrderNo), `spPoOrderNo ${spPoOrderNo} already exists`);
    }
    return { poOrderNo: existing.poOrderNo };
  }

  state.catalogue.requireWarehouse(whNo);
  state.catalogue.requireSupplier(supplierNo);
  if (p.optional('deptGoodsNo') === undefined && p.optional('isvGoodsNo') === undefined) throw BusinessError.missing('deptGoodsNo');
  if (p.optional('numApplication') === undefined) throw BusinessError.missing('numApplication');
  if (p.optional('goodsStatus') === undefined) throw BusinessError.missing('goodsStatus');
  const lines = p.lines(['deptGoodsNo', 'isvGoodsNo', 'numApplication', 'goodsStatus', 'orderLine', 'unitPrice'] as const).map((line, i) => {
    const goods = state.goods.resolveLine('deptGoodsNo', line.deptGoodsNo, line.isvGoodsNo, i + 1);
    if (line.goodsStatus === undefined) throw BusinessError.invalid('goodsStatus', `第${i + 1}行商品状态为空`, `line ${i + 1} has no goodsStatus`);
    return {
      orderLine: line.orderLine ?? String(i + 1),
      goodsNo: goods.goodsNo,
      isvGoodsNo: goods.isvGoodsNo,
      numApplication: parseQuantity('numApplication', line.numApplication, i + 1),
      goodsStatus: line.goodsStatus,
      unitPrice: parseAmount('unitPrice', line.unitPrice, i + 1),
      realInstoreQty: 0,
      shortQty: 0,
    };
  });

  const now = ops.stamp();
  const order: PurchaseOrder = {
    poOrderNo: state.numbers.next(...NumberFormat.purchaseOrder),
    spPoOrderNo,
    deptNo,
    whNo,
    supplierNo,
    inboundRemark,
    status: PoStatus.NEW,
    createTime: now,
    operTime: now,
    lines,
    acceptedAt: Date.now(),
  };
  ops.acceptPurchaseOrder(order);
  return { poOrderNo: order.poOrderNo };
};

export const cancalPoOrder: ApiHandler = (p, { state, ops }) => {
  const poOrderNo = p.required('poOrderNo', 50);
  if (!state.purchaseOrders.find(poOrderNo)) throw BusinessError.rejected(`采购单${poOrderNo}不存在`, `Unknown purchase order ${poOrderNo}`);
  return { poResult: ops.cancelPurchaseOrder(poOrderNo) };
};

/**
 * 采购关单: `poCloseJosResponse {code: 1, msg}` when the PO is (or already was) closed [G: code values];
 * a completed or cancelled PO is refused with a business error.
 */
export const closePo: ApiHandler = (p, { state, ops }) => {
  const poOrderNo = p.required('poOrderNo', 50);
  if (!state.purchaseOrders.find(poOrderNo)) throw BusinessError.rejected(`采购单${poOrderNo}不存在`, `Unknown purchase order ${poOrderNo}`);
  const outcome = ops.closePurchaseOrder(poOrderNo);
  if (!outcome.closed) throw BusinessError.rejected(outcome.zhDesc, outcome.enDesc);
  return { poCloseJosResponse: { code: 1, msg: outcome.msg } };
};

/** Up to 100 numbers per call; numbers JD does not know are simply absent from the list. */
export const queryPoOrder: ApiHandler = (p, { state }) => {
  const numbers = p.numberList('poOrderNo', 100);
  const orders = numbers.map((n) => state.purchaseOrders.find(n)).filter((o): o is PurchaseOrder => o !== undefined);
  return { queryPoModelList: orders.map(poModel) };
};

/** QueryPoModel; JD types every quantity as a string (eclp-api.md §3.4 [C]). */
function poModel(order: PurchaseOrder) {
  return {
    poOrderNo: order.poOrderNo,
    isvPoOrderNo: order.spPoOrderNo,
    deptNo: order.deptNo,
    whNo: order.whNo,
    supplierNo: order.supplierNo,
    createUser: 'isv',
    poOrderStatus: order.status,
    createTime: order.createTime,
    completeTime: order.completeTime ?? '',
    operTime: order.operTime,
    poItemModelList: order.lines.map((line) => ({
      orderLine: line.orderLine,
      goodsNo: line.goodsNo,
      isvGoodsNo: line.isvGoodsNo,
      numApplication: String(line.numApplication),
      goodsStatus: line.goodsStatus,
      realGoodsStatus: line.goodsStatus,
      realInstoreQty: String(line.realInstoreQty),
      shortQty: String(line.shortQty),
      damagedQty: String(line.damagedQty ?? 0),
      expiredQty: '0',
      otherQty: '0',
      excessQty: String(Math.max(0, line.realInstoreQty - line.numApplication)),
    })),
  };
}
