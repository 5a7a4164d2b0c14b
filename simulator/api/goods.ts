// jingdong.eclp.goods.transportGoodsInfo (eclp-api.md §3.1).
import { decodeList } from '../../eclp/protocol';
import { BusinessError } from '../errors';
import { NumberFormat } from '../ids';
import type { ApiHandler } from './context';

/**
 * Creates master goods and answers its EMG number. The same isvGoodsNo again answers the number it already
 * has, so a retried create is safe (our assumption [G]; JD's answer to a repeat is undocumented).
 */
export const transportGoodsInfo: ApiHandler = (p, { state, ops }) => {
  const deptNo = p.required('deptNo', 50);
  const isvGoodsNo = p.required('isvGoodsNo', 60);
  const barcodesText = p.required('barcodes', 100);
  const thirdCategoryNo = p.required('thirdCategoryNo', 20);
  const goodsName = p.required('goodsName', 500);
  const safeDays = p.requiredInteger('safeDays', 0);
  const serial = p.optional('serial') ?? '1';
  if (serial !== '1' && serial !== '2') throw BusinessError.invalid('serial', '只能为1（否）或2（是）', 'must be 1 (no) or 2 (yes)');
  state.catalogue.requireDepartment('deptNo', deptNo);

  const existing = state.goods.findByIsvGoodsNo(isvGoodsNo);
  if (existing) return { goodsNo: existing.goodsNo };

  state.catalogue.requireThirdCategory(thirdCategoryNo);
  const barcodes = [...new Set(decodeList(barcodesText).map((b) => b.trim()).filter((b) => b !== ''))];
  if (barcodes.length === 0) throw BusinessError.missing('barcodes');
  for (const barcode of barcodes) {
    const owner = state.goods.barcodeOwner(barcode, isvGoodsNo);
    if (owner) {
      throw BusinessError.rejected(`条码${barcode}已被商品${owner.isvGoodsNo}使用，条码不能重复`, `Barcode ${barcode} is already used by ${owner.isvGoodsNo}`);
    }
  }

  const goodsNo = state.numbers.next(...NumberFormat.goods);
  state.goods.add({ goodsNo, isvGoodsNo, deptNo, goodsName, barcodes, thirdCategoryNo, safeDays, serial, createTime: ops.stamp() });
  return { goodsNo };
};
