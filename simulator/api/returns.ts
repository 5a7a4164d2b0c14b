// jingdong.eclp.rtw.transportRtw / queryRtw (eclp-api.md §3.10, §3.11).
import { BusinessError } from '../errors';
import { NumberFormat } from '../ids';
import { RtwStatus, type ReturnLine, type ReturnOrder } from '../model/returns';
import { hasShipped } from '../model/sales-orders';
import type { ApiHandler } from './context';

/**
 * Registers a customer return against a shipped sales outbound; it comes back with the original order's
 * lines. The same isvRtwNum again answers the existing return (our assumption [G]).
 */
export const transportRtw: ApiHandler = (p, { state, ops }) => {
  const eclpSoNo = p.required('eclpSoNo');
  const isvRtwNum = p.optional('isvRtwNum', 50);
  const eclpRtwNo = p.optional('eclpRtwNo');
  const reason = p.optional('reson', 400);
  const orderInType = p.optional('orderInType') ?? '1';
  if (orderInType !== '1' && orderInType !== '2') throw BusinessError.invalid('orderInType', '只能为1（B2C）或2（B2B）', 'must be 1 (B2C) or 2 (B2B)');
  const warehouseNo = p.optional('warehouseNo');

  if (isvRtwNum === undefined) {
    if (eclpRtwNo === undefined) throw BusinessError.missing('isvRtwNum');
    const known = state.returns.find(eclpRtwNo);
    if (!known) throw BusinessError.rejected(`退货入库单${eclpRtwNo}不存在`, `Unknown return ${eclpRtwNo}`);
    return { transportrtw_result: rtwResult(known) };
  }
  const existing = state.returns.findByIsvRtwNum(isvRtwNum);
  if (existing) return { transportrtw_result: rtwResult(existing) };

  const order = state.salesOrders.find(eclpSoNo);
  if (!order) throw BusinessError.rejected(`原销售出库单${eclpSoNo}不存在`, `Unknown sales order ${eclpSoNo}`);
  if (!hasShipped(order)) throw BusinessError.rejected(`原销售出库单${eclpSoNo}尚未发货，不能创建退货入库单`, `Sales order ${eclpSoNo} has not shipped`);
  const targetWarehouse = warehouseNo ?? order.warehouseNo;
  state.catalogue.requireWarehouse(targetWarehouse);

  const lines = new Map<string, ReturnLine>();
  for (const line of order.lines) {
    const known = lines.get(line.goodsNo);
    if (known) known.planQty += line.quantity;
    else lines.set(line.goodsNo, { goodsNo: line.goodsNo, isvGoodsNo: line.isvGoodsNo, planQty: line.quantity, realQty: 0 });
  }
  const now = ops.stamp();
  const rtw: ReturnOrder = {
    eclpRtwNo: state.numbers.next(...NumberFormat.returnOrder),
    isvRtwNum,
    eclpSoNo,
    spSoNo: order.salesPlatformOrderNo,
    deptNo: order.departmentNo,
    warehouseNo: targetWarehouse,
    reason,
    orderInType,
    status: RtwStatus.INITIALISED,
    createTime: now,
    updateTime: now,
    lines: [...lines.values()],
    acceptedAt: Date.now(),
  };
  ops.acceptReturn(rtw);
  return { transportrtw_result: rtwResult(rtw) };
};

/** Exactly one of eclpSoNo / eclpRtwNo; an empty list means "no return registered at the warehouse". */
export const queryRtw: ApiHandler = (p, { state }) => {
  const eclpSoNo = p.optional('eclpSoNo');
  const eclpRtwNo = p.optional('eclpRtwNo');
  if (eclpSoNo !== undefined && eclpRtwNo !== undefined) {
    throw BusinessError.invalid('eclpRtwNo', 'eclpSoNo与eclpRtwNo只能填写一个', 'give either eclpSoNo or eclpRtwNo, not both');
  }
  if (eclpSoNo === undefined && eclpRtwNo === undefined) throw BusinessError.missing('eclpSoNo');
  const isvRtwNum = p.optional('isvRtwNum');
  const warehouseNo = p.optional('warehouseNo');
  const found = eclpRtwNo !== undefined ? [state.returns.find(eclpRtwNo)].filter((r): r is ReturnOrder => r !== undefined) : state.returns.forSalesOrder(eclpSoNo ?? '');
  const rows = found.filter((r) => (isvRtwNum === undefined || r.isvRtwNum === isvRtwNum) && (warehouseNo === undefined || r.warehouseNo === warehouseNo));
  return {
    queryrtw_result: rows.map((r) => ({
      ...rtwResult(r),
      updateTime: r.updateTime,
      finishTime: r.finishTime ?? '',
      spSoNo: r.spSoNo ?? '',
      rtwDetailsModelList: r.lines.map((line) => ({
        goodsNo: line.goodsNo,
        isvGoodsNo: line.isvGoodsNo,
        goodsLevelNo: '100',
        planQty: line.planQty,
        realQty: line.realQty,
        detailEclpSoNo: r.eclpSoNo,
      })),
    })),
  };
};

/** RtwResult; scalars although the Java SDK declares arrays, as ERPs read them (eclp-api.md §3.11 [I]). */
function rtwResult(r: ReturnOrder) {
  return {
    eclpRtwNo: r.eclpRtwNo,
    isvRtwNum: r.isvRtwNum,
    eclpSoNo: r.eclpSoNo,
    deptNo: r.deptNo,
    warehouseNo: r.warehouseNo,
    reason: r.reason ?? '',
    createTime: r.createTime,
    createUser: 'isv',
    status: r.status,
    resultCode: 1,
    // The warehouse's reason for a rejection travels in msg; JD's field for it is unknown [G].
    msg: r.rejectReason ?? '成功',
  };
}
