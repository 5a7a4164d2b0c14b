// Serial numbers: jingdong.eclp.po.addPoSidDetail, jingdong.eclp.goods.queryGoodsSerial,
// jingdong.eclp.serial.queryPageSerialByBillNo and queryInStockSIDBySku (eclp-api.md §3.5, §3.12–3.14).
// The serials of shipments (bill 24) and received returns (bill 12) are recorded by the warehouse moves
// (model/serials.ts); the queries answer for every bill alike.
import { BusinessError } from '../errors';
import { isReceiving, PoStatus } from '../model/purchase-orders';
import { BILL_TYPE_NAMES } from '../model/serials';
import { paginate } from '../params';
import type { ApiHandler } from './context';

/**
 * Uploads the serial list of a PO as parallel comma-joined deptGoodsNo/serialNo lists (the multi-value
 * format and the result text are our assumption [G]). Serials come into stock when the PO is received.
 * JD's doc marks `pin` required, but it names the authorising account the access token already
 * identifies and a merchant has no documented way to learn it, so its absence is tolerated [G].
 */
export const addPoSidDetail: ApiHandler = (p, { state }) => {
  const poNo = p.required('poNo');
  p.required('version');
  p.optional('pin');
  p.required('deptGoodsNo');
  p.required('serialNo');
  const po = state.purchaseOrders.find(poNo);
  if (!po) throw BusinessError.rejected(`采购单${poNo}不存在`, `Unknown purchase order ${poNo}`);
  // Open POs only: new (10), at the warehouse (20) or still receiving after a failed cancel (92).
  if (po.status !== PoStatus.NEW && !isReceiving(po)) {
    throw BusinessError.rejected(`采购单${poNo}状态为${po.status}，不能再上传序列号`, `Purchase order ${poNo} is in status ${po.status}`);
  }
  const serials = p.lines(['deptGoodsNo', 'serialNo'] as const).map((line, i) => {
    if (line.deptGoodsNo === undefined) throw BusinessError.invalid('deptGoodsNo', `第${i + 1}行商品编号为空`, `line ${i + 1} has no goods`);
    if (line.serialNo === undefined) throw BusinessError.invalid('serialNo', `第${i + 1}行序列号为空`, `line ${i + 1} has no serial`);
    if (!po.lines.some((l) => l.goodsNo === line.deptGoodsNo)) {
      throw BusinessError.rejected(`商品${line.deptGoodsNo}不在采购单${poNo}中`, `Goods ${line.deptGoodsNo} is not on purchase order ${poNo}`);
    }
    return { goodsNo: line.deptGoodsNo, serialNumber: line.serialNo };
  });
  state.serials.upload(poNo, serials);
  return { addPoSidResult: '1' };
};

export const queryGoodsSerial: ApiHandler = (p, { state }) => {
  const bizNo = p.required('bizNo');
  return {
    goodsSerialList: state.serials.onBill(bizNo).map((r) => ({
      businessNo: r.billNo,
      businessType: r.billType,
      departmentNo: state.catalogue.merchant.deptNo,
      goodsNo: r.goodsNo,
      serialNumber: r.serialNumber,
    })),
  };
};

export const queryPageSerialByBillNo: ApiHandler = (p, { state }) => {
  const billNo = p.required('billNo', 50);
  const billType = p.required('billType');
  if (!(billType in BILL_TYPE_NAMES)) throw BusinessError.invalid('billType', '只能为11、12、24或32', 'must be 11, 12, 24 or 32');
  const pageNo = p.requiredInteger('pageNo', 1);
  const pageSize = p.requiredInteger('pageSize', 1);
  const page = paginate(state.serials.onBill(billNo, billType), pageNo, pageSize);
  const warehouseNo = page.rows[0]?.warehouseNo ?? '';
  return {
    querypageserialbybillno_result: {
      serialNumbers: page.rows.map((r) => ({
        goodsNo: r.goodsNo,
        isvGoodsNo: r.isvGoodsNo,
        serialNumber: r.serialNumber,
        bizType: r.billType,
        bizTypeName: BILL_TYPE_NAMES[r.billType] ?? '',
        bizNo: r.billNo,
        createTimeStr: r.createTime,
        warehouseNo: r.warehouseNo,
        warehouseName: state.catalogue.warehouseName(r.warehouseNo),
      })),
      totalRecords: page.total,
      pageSize: page.pageSize,
      pageNo: page.pageNo,
      storeId: warehouseNo,
      storeName: state.catalogue.warehouseName(warehouseNo),
    },
  };
};

export const queryInStockSIDBySku: ApiHandler = (p, { state }) => {
  const goodsNo = p.required('goodsNo');
  const pageNo = p.requiredInteger('pageNo', 1);
  const pageSize = p.requiredInteger('pageSize', 1);
  state.goods.require(goodsNo);
  const page = paginate(state.serials.inStockFor(goodsNo), pageNo, pageSize);
  return { queryinstocksidbysku_result: { total: page.total, pageSize: page.pageSize, pageNo: page.pageNo, serialNos: page.rows } };
};
