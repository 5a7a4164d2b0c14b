// Master goods (eclp-api.md §3.1): registers a merchant SKU at JD and gets its ECLP goods number.
import { listField, requireText } from '../fields';
import { EclpMethod } from '../methods';
import type { ApiContext } from './context';

export interface GoodsInfoInput {
  /** The merchant's SKU; JD keeps it immutable and maps it to one goodsNo. */
  isvGoodsNo: string;
  goodsName: string;
  /** Every barcode of the goods; JD refuses a barcode that belongs to another goods. */
  barcodes: ReadonlyArray<string>;
  /** JD's third-level category code (from the ERP's category mapping). */
  thirdCategoryNo: string;
  /** Shelf life in days; 0 = not shelf-life managed. */
  safeDays?: number;
  serialManaged?: boolean;
  batchManaged?: boolean;
  spGoodsNo?: string;
  brandName?: string;
  goodsUnit?: string;
  price?: number;
  grossWeight?: number;
  netWeight?: number;
  length?: number;
  width?: number;
  height?: number;
}

export interface GoodsInfoResult {
  /** ECLP goods number, `EMG…`. */
  goodsNo: string;
}

/** JD's 1 = no / 2 = yes flags. */
const yesNo = (flag: boolean | undefined) => (flag === undefined ? undefined : flag ? 2 : 1);

export async function transportGoodsInfo(context: ApiContext, input: GoodsInfoInput): Promise<GoodsInfoResult> {
  const method = EclpMethod.TRANSPORT_GOODS_INFO;
  const envelope = await context.gateway.call(method, {
    deptNo: context.merchant.deptNo,
    isvGoodsNo: input.isvGoodsNo,
    goodsName: input.goodsName,
    barcodes: listField(method, 'barcodes', input.barcodes),
    thirdCategoryNo: input.thirdCategoryNo,
    safeDays: input.safeDays ?? 0,
    serial: yesNo(input.serialManaged),
    batch: yesNo(input.batchManaged),
    spGoodsNo: input.spGoodsNo,
    brandName: input.brandName,
    goodsUnit: input.goodsUnit,
    price: input.price,
    grossWeight: input.grossWeight,
    netWeight: input.netWeight,
    length: input.length,
    width: input.width,
    height: input.height,
  });
  return { goodsNo: requireText(envelope, 'goodsNo', { method, reportedUrl: context.gateway.reportedUrl }) };
}
