// Master goods as ECLP keeps them: one EMG number per merchant SKU (isvGoodsNo), barcodes unique across
// the merchant's goods.
import { BusinessError } from '../errors';

export interface Goods {
  goodsNo: string;
  isvGoodsNo: string;
  deptNo: string;
  goodsName: string;
  barcodes: string[];
  thirdCategoryNo: string;
  safeDays: number;
  /** JD's `serial` flag: 1 no, 2 yes. */
  serial: string;
  createTime: string;
}

export class GoodsRegistry {
  private readonly byGoodsNo = new Map<string, Goods>();
  private readonly byIsvGoodsNo = new Map<string, Goods>();
  private readonly ownerOfBarcode = new Map<string, Goods>();

  add(goods: Goods): void {
    this.byGoodsNo.set(goods.goodsNo, goods);
    this.byIsvGoodsNo.set(goods.isvGoodsNo, goods);
    for (const barcode of goods.barcodes) this.ownerOfBarcode.set(barcode, goods);
  }

  find(goodsNo: string): Goods | undefined {
    return this.byGoodsNo.get(goodsNo);
  }

  findByIsvGoodsNo(isvGoodsNo: string): Goods | undefined {
    return this.byIsvGoodsNo.get(isvGoodsNo);
  }

  /** The goods that already carry `barcode`, if it is not `isvGoodsNo` itself. */
  barcodeOwner(barcode: string, isvGoodsNo: string): Goods | undefined {
    const owner = this.ownerOfBarcode.get(barcode);
    return owner && owner.isvGoodsNo !== isvGoodsNo ? owner : undefined;
  }

  require(goodsNo: string): Goods {
    const goods = this.byGoodsNo.get(goodsNo);
    if (!goods) throw BusinessError.rejected(`商品编号${goodsNo}不存在`, `Unknown goods ${goodsNo}`);
    return goods;
  }

  /**
   * The goods of one order line given by ECLP number and/or merchant SKU; the ECLP number wins when both
   * are sent (eclp-api.md §3.7). `line` is 1-based for the message.
   */
  resolveLine(goodsNoField: string, goodsNo: string | undefined, isvGoodsNo: string | undefined, line: number): Goods {
    if (goodsNo !== undefined) {
      const goods = this.byGoodsNo.get(goodsNo);
      if (!goods) throw BusinessError.rejected(`第${line}行商品编号${goodsNo}不存在`, `Line ${line}: unknown goods ${goodsNo}`);
      return goods;
    }
    if (isvGoodsNo !== undefined) {
      const goods = this.byIsvGoodsNo.get(isvGoodsNo);
      if (!goods) {
        throw BusinessError.rejected(`第${line}行商家商品编码${isvGoodsNo}未在京东建档`, `Line ${line}: unknown isvGoodsNo ${isvGoodsNo}`);
      }
      return goods;
    }
    throw BusinessError.invalid(goodsNoField, `第${line}行缺少商品编号`, `line ${line} has no goods number`);
  }

  list(): Goods[] {
    return [...this.byGoodsNo.values()];
  }

  clear(): void {
    this.byGoodsNo.clear();
    this.byIsvGoodsNo.clear();
    this.ownerOfBarcode.clear();
  }
}
