// Goods at JD (商品同步): one JD call; JD keeps one goods number per merchant SKU, so a retry is harmless.
import type { EclpClient } from '../../eclp';
import type { GoodsForJd } from '../erp/goods';
import { jdCaller, type EclpActivityOptions } from './failures';

export function createEclpGoodsActivities(deps: { eclp: EclpClient; options?: EclpActivityOptions }) {
  const { eclp } = deps;
  const jd = jdCaller(deps.options);
  return {
    /** Creates the goods at JD and returns JD's goods number. */
    async transportGoodsInfo(goods: GoodsForJd): Promise<{ jdGoodsNo: string }> {
      const { goodsNo } = await jd(() =>
        eclp.transportGoodsInfo({
          isvGoodsNo: goods.sku,
          goodsName: goods.name,
          barcodes: goods.barcodes,
          thirdCategoryNo: goods.thirdCategoryNo,
          safeDays: goods.safeDays,
          serialManaged: goods.serialManaged,
        }),
      );
      return { jdGoodsNo: goodsNo };
    },
  };
}
