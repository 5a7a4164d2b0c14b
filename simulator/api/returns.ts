// jingdong.eclp.rtw.transportRtw / queryRtw / cancelRtwOrder (eclp-api.md §3.10, §3.11, §3.15e).
import { BusinessError } from '../errors';
import { NumberFormat } from '../ids';
import { claimsQuantities, GOODS_LEVELS, GoodsLevel, RtwStatus, type ReturnLine, type ReturnOrder } from '../model/returns';
import { hasShipped, type SalesOrder } from '../model/sales-orders';
import { parseQuantity, type BusinessParams } from '../params';
import type { ApiContext, ApiHandler } from './context';

function orderInTypeOf(p: BusinessParams): string {
  const orderInType = p.optional('orderInType') ?? '1';
  if (orderInType !== '1' && orderInType !== '2') throw BusinessError.invalid('orderInType', '只能为1（B2C）或2（B2B）', 'must be 1 (B2C) or 2 (B2B)');
  return orderInType;
}

/**
 * Registers a customer return against a shipped sales outbound: status 0 then (timeline
 * `initialiseAfterMs`, 0 by default) 100. The same isvRtwNum again answers the existing return (our
 * assumption [G]). Lines come as addRtwOrder's lists `isvGoodsNo`/`planQty`/`goodsLevel` (transportRtw
 * documents none, eclp-api.md §3.10 [G]); without them the return takes everything the outbound shipped,
 * as older callers expect. Either way a return may not claim goods the outbound did not ship, or more
 * than it shipped less what its other returns (open or received) claim.
 */
export const transportRtw: ApiHandler = (p, { state, ops }) => {
  const eclpSoNo = p.required('eclpSoNo');
  const isvRtwNum = p.optional('isvRtwNum', 50);
  const eclpRtwNo = p.optional('eclpRtwNo');
  const reason = p.optional('reson', 400);
  const orderInType = orderInTypeOf(p);
  const warehouseNo = p.optional('warehouseNo');
  const asked = p.lines(['isvGoodsNo', 'planQty', 'goodsLevel'] as const);

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

  const shipped = shippedGoods(order);
  const lines =
    asked.length === 0
      ? [...shipped.values()].filter((line) => line.planQty > 0)
      : asked.map((line, index) => {
          const n = index + 1;
          if (line.isvGoodsNo === undefined) throw BusinessError.invalid('isvGoodsNo', `第${n}行商品编码为空`, `line ${n} has no isvGoodsNo`);
          const goodsLevel = line.goodsLevel ?? GoodsLevel.GOOD;
          if (!GOODS_LEVELS.includes(goodsLevel)) {
            throw BusinessError.invalid('goodsLevel', `第${n}行商品等级"${goodsLevel}"只能为${GOODS_LEVELS.join('、')}`, `line ${n} goods level must be one of ${GOODS_LEVELS.join(', ')}`);
          }
          const onOrder = shipped.get(line.isvGoodsNo);
          if (!onOrder) throw BusinessError.rejected(`商品${line.isvGoodsNo}不在原销售出库单${eclpSoNo}中，不能退货`, `Goods ${line.isvGoodsNo} is not on sales order ${eclpSoNo}`);
          if (asked.findIndex((other) => other.isvGoodsNo === line.isvGoodsNo) !== index) {
            throw BusinessError.invalid('isvGoodsNo', `第${n}行商品${line.isvGoodsNo}重复`, `line ${n} repeats goods ${line.isvGoodsNo}`);
          }
          return { ...onOrder, planQty: parseQuantity('planQty', line.planQty, n), goodsLevel };
        });
  requireReturnable(state, order, shipped, lines);

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
    status: RtwStatus.NEW,
    createTime: now,
    updateTime: now,
    lines,
    acceptedAt: Date.now(),
  };
  ops.acceptReturn(rtw);
  return { transportrtw_result: rtwResult(rtw) };
};

/** What the outbound shipped per merchant goods code (`realOutQty`, the ordered quantity if not recorded). */
function shippedGoods(order: SalesOrder): Map<string, ReturnLine> {
  const lines = new Map<string, ReturnLine>();
  for (const line of order.lines) {
    const quantity = line.realOutQty ?? line.quantity;
    const known = lines.get(line.isvGoodsNo);
    if (known) known.planQty += quantity;
    else lines.set(line.isvGoodsNo, { goodsNo: line.goodsNo, isvGoodsNo: line.isvGoodsNo, planQty: quantity, realQty: 0, goodsLevel: GoodsLevel.GOOD });
  }
  return lines;
}

/** More than shipped less what the outbound's other returns still claim is refused, naming the goods. */
function requireReturnable(state: ApiContext['state'], order: SalesOrder, shipped: Map<string, ReturnLine>, lines: readonly ReturnLine[]): void {
  const claimed = new Map<string, number>();
  for (const other of state.returns.forSalesOrder(order.eclpSoNo).filter(claimsQuantities)) {
    for (const line of other.lines) claimed.set(line.isvGoodsNo, (claimed.get(line.isvGoodsNo) ?? 0) + line.planQty);
  }
  for (const line of lines) {
    const total = shipped.get(line.isvGoodsNo)?.planQty ?? 0;
    const taken = claimed.get(line.isvGoodsNo) ?? 0;
    const available = Math.max(0, total - taken);
    if (line.planQty > available) {
      throw BusinessError.rejected(
        `商品${line.isvGoodsNo}退货数量${line.planQty}超过可退数量${available}（原单发货${total}，其他退货单已退${taken}）`,
        `Goods ${line.isvGoodsNo}: return of ${line.planQty} exceeds the ${available} returnable (shipped ${total}, claimed by other returns ${taken})`,
      );
    }
  }
}

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
        goodsLevelNo: line.goodsLevel ?? GoodsLevel.GOOD,
        planQty: line.planQty,
        realQty: line.realQty,
        detailEclpSoNo: r.eclpSoNo,
      })),
    })),
  };
};

/**
 * 取消退货入库单, by the merchant's return number (`isvRtwNum`, required) and optionally JD's (`eclpRtwNum`,
 * this API's spelling): `rtwResult {code, msg}` — 1 cancelled (400), 2 refused with the reason; see
 * model/returns.ts for which statuses allow it. An unknown return is a business error.
 */
export const cancelRtwOrder: ApiHandler = (p, { state, ops }) => {
  const isvRtwNum = p.required('isvRtwNum', 50);
  const eclpRtwNum = p.optional('eclpRtwNum');
  const reason = p.optional('cancelReson', 200);
  state.catalogue.requireDepartment('ownerNo', p.required('ownerNo'));
  orderInTypeOf(p);
  const rtw = state.returns.findByIsvRtwNum(isvRtwNum);
  if (!rtw) throw BusinessError.rejected(`商家退货单${isvRtwNum}不存在`, `Unknown return ${isvRtwNum}`);
  if (eclpRtwNum !== undefined && eclpRtwNum !== rtw.eclpRtwNo) {
    throw BusinessError.rejected(`退货入库单号${eclpRtwNum}与商家退货单${isvRtwNum}不匹配`, `Return ${eclpRtwNum} is not the one registered under ${isvRtwNum}`);
  }
  return { rtwResult: ops.cancelReturnByMerchant(rtw.eclpRtwNo, reason) };
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
    // The warehouse's reason for a rejection or a cancel travels in msg; JD's field for it is unknown [G].
    msg: r.rejectReason ?? r.cancelReason ?? '成功',
  };
}
