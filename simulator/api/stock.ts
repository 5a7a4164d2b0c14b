// jingdong.eclp.stock.queryStock (eclp-api.md §3.6). The simulator only keeps good, sellable stock
// (stockStatus 1, stockType 1, goods level 100), so asking for any other kind finds nothing.
import { BusinessError } from '../errors';
import { paginate } from '../params';
import type { ApiHandler } from './context';

export const queryStock: ApiHandler = (p, { state }) => {
  const deptNo = p.required('deptNo');
  const warehouseNo = p.required('warehouseNo');
  const stockStatus = p.optional('stockStatus');
  const stockType = p.optional('stockType');
  const goodsNo = p.optional('goodsNo');
  const isvSku = p.optional('isvSku');
  const currentPage = p.integer('currentPage', { min: 1, fallback: 1 });
  const pageSize = p.integer('pageSize', { min: 1, fallback: 100 });
  const returnZeroStock = p.optional('returnZeroStock') ?? '1';
  if (returnZeroStock !== '1' && returnZeroStock !== '2') {
    throw BusinessError.invalid('returnZeroStock', '只能为1（不返回零库存）或2（返回零库存）', 'must be 1 or 2');
  }
  state.catalogue.requireDepartment('deptNo', deptNo);
  const warehouse = state.catalogue.requireWarehouse(warehouseNo);

  if ((stockStatus !== undefined && stockStatus !== '1') || (stockType !== undefined && stockType !== '1')) {
    return { querystock_result: [] };
  }
  const quantities = new Map(state.stock.levelsIn(warehouseNo).map((level) => [level.goodsNo, level.totalNum]));
  const rows = state.goods
    .list()
    .map((goods) => ({ goods, totalNum: quantities.get(goods.goodsNo) ?? 0 }))
    .filter(({ totalNum }) => returnZeroStock === '2' || totalNum !== 0)
    .filter(({ goods }) => (goodsNo === undefined || goods.goodsNo === goodsNo) && (isvSku === undefined || goods.isvGoodsNo === isvSku))
    .sort((a, b) => a.goods.goodsNo.localeCompare(b.goods.goodsNo));
  const page = paginate(rows, currentPage, pageSize);
  return {
    querystock_result: page.rows.map(({ goods, totalNum }) => ({
      deptNo,
      deptName: state.catalogue.deptName,
      warehouseNo,
      warehouseName: warehouse.name,
      goodsNo: goods.goodsNo,
      goodsName: goods.goodsName,
      isvSku: goods.isvGoodsNo,
      stockStatus: '1',
      stockType: '1',
      goodsLevel: '100',
      totalNum,
      usableNum: totalNum,
      recordCount: page.total,
    })),
  };
};
