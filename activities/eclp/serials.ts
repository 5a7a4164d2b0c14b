// Serial-number lookups (序列号, eclp-api.md §3.12–§3.14) for the jdLookup workflow, on the rate-limited
// `eclp` queue. Each reads every page JD has (up to the lookup's limits, so the answer stays well inside
// Temporal's payload limit) and maps between our numbers and JD's from Postgres: a SKU to its JD goods
// number, our SO/PO/return number to JD's eclpSoNo/poOrderNo/eclpRtwNo, JD's goods numbers back to SKUs.
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { findGoods, skusOfJdGoodsNumbers } from '../../db/master-data';
import { findPurchaseOrder } from '../../db/purchase-orders';
import { findReturn } from '../../db/returns';
import { findSalesOrder } from '../../db/sales-orders';
import type { SerialBillType } from '../../eclp';
import {
  JD_LOOKUP_NOT_AT_JD,
  type BillSerialItem,
  type DocumentSerialItem,
  type JdLookupAnswer,
  type JdLookupLimits,
  type SerialBillTypeCode,
  type SerialDocumentType,
} from '../../messages/jd-lookup';
import { jdCaller } from './failures';
import type { EclpActivityDeps } from './index';

const BILL_TYPE_NAMES: Readonly<Record<SerialBillTypeCode, string>> = { '11': '采购入库', '12': '销售退货入库', '24': '销售出库', '32': '退供应商出库' };

/** Nothing to ask JD with: the API answers 422 with this message. */
const notAtJd = (message: string) => ApplicationFailure.create({ type: JD_LOOKUP_NOT_AT_JD, message, nonRetryable: true });

/** Collects items until the count or the (JSON) size limit is reached; one more item read means truncated. */
class Capped<T> {
  readonly items: T[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly limits: JdLookupLimits) {}

  /** False once full: the caller stops reading. */
  add(item: T): boolean {
    const size = JSON.stringify(item).length + 1;
    if (this.items.length >= this.limits.maxItems || this.bytes + size > this.limits.maxBytes) {
      this.truncated = true;
      return false;
    }
    this.items.push(item);
    this.bytes += size;
    return true;
  }
}

async function skusOf(db: Knex, goodsNos: readonly string[]): Promise<Map<string, string>> {
  return skusOfJdGoodsNumbers(db, [...new Set(goodsNos)]);
}

/** JD's number of one of our documents, or undefined when the document is unknown or not at JD yet. */
async function jdNumberOf(db: Knex, type: SerialDocumentType, docNo: string): Promise<string | null | undefined> {
  if (type === 'sales-order') return (await findSalesOrder(db, docNo))?.eclpSoNo;
  if (type === 'purchase-order') return (await findPurchaseOrder(db, docNo))?.poOrderNo;
  return (await findReturn(db, docNo))?.eclpRtwNo;
}

export function createEclpSerialActivities(deps: EclpActivityDeps) {
  const { eclp, db } = deps;
  const jd = jdCaller(deps.options);

  return {
    /** queryPageSerialByBillNo, every page: the serials JD scanned on one bill (ours or any JD number). */
    async lookupSerialsByBill(billNo: string, billType: SerialBillTypeCode, limits: JdLookupLimits): Promise<JdLookupAnswer> {
      const capped = new Capped<Omit<BillSerialItem, 'sku'> & { isvGoodsNo?: string }>(limits);
      let total: number | undefined;
      await jd(async () => {
        for (let page = 1; ; page += 1) {
          const result = await eclp.queryPageSerialByBillNo({ billNo, billType: Number(billType) as SerialBillType, page, pageSize: limits.pageSize });
          total ??= result.total;
          for (const s of result.items) {
            const kept = capped.add({
              serialNo: s.serialNo,
              goodsNo: s.goodsNo,
              ...(s.isvGoodsNo !== undefined && { isvGoodsNo: s.isvGoodsNo }),
              billNo: s.bizNo ?? billNo,
              billType: s.bizType ?? billType,
              billTypeName: s.bizTypeName ?? BILL_TYPE_NAMES[billType],
              scannedAt: s.createdAt ?? null,
              warehouseNo: s.warehouseNo ?? null,
            });
            if (!kept) return;
          }
          const read = (page - 1) * limits.pageSize + result.items.length;
          if (result.items.length < limits.pageSize || (result.total !== undefined && read >= result.total)) return;
        }
      });
      const skus = await skusOf(db, capped.items.map((s) => s.goodsNo));
      const items: BillSerialItem[] = capped.items.map(({ isvGoodsNo, ...s }) => ({ ...s, sku: skus.get(s.goodsNo) ?? isvGoodsNo ?? null }));
      return { kind: 'serialsByBill', billNo, billType, items, total: total ?? items.length, truncated: capped.truncated };
    },

    /** queryInStockSIDBySku, every page: the serials of one SKU in JD's stock now. */
    async lookupSerialsInStock(sku: string, limits: JdLookupLimits): Promise<JdLookupAnswer> {
      const goods = await findGoods(db, sku);
      if (!goods) throw notAtJd(`SKU ${sku} is not in master data`);
      const { jdGoodsNo } = goods;
      if (jdGoodsNo === null) throw notAtJd(`SKU ${sku} is not synced to JD yet (no JD goods number)`);
      const capped = new Capped<string>(limits);
      let total: number | undefined;
      await jd(async () => {
        for (let page = 1; ; page += 1) {
          const result = await eclp.queryInStockSIDBySku({ goodsNo: jdGoodsNo, page, pageSize: limits.pageSize });
          total ??= result.total;
          for (const serial of result.items) if (!capped.add(serial)) return;
          const read = (page - 1) * limits.pageSize + result.items.length;
          if (result.items.length < limits.pageSize || (result.total !== undefined && read >= result.total)) return;
        }
      });
      return { kind: 'serialsInStock', sku, jdGoodsNo, items: capped.items, total: total ?? capped.items.length, truncated: capped.truncated };
    },

    /** queryGoodsSerial: the serials on one of our documents, under JD's number for it (JD does not page it). */
    async lookupSerialsOfDocument(type: SerialDocumentType, docNo: string, limits: JdLookupLimits): Promise<JdLookupAnswer> {
      const jdDocNo = await jdNumberOf(db, type, docNo);
      if (jdDocNo === undefined) throw notAtJd(`No ${type} ${docNo}`);
      if (jdDocNo === null) throw notAtJd(`The ${type} ${docNo} has no JD number yet (not accepted by JD)`);
      const serials = await jd(() => eclp.queryGoodsSerial(jdDocNo));
      const capped = new Capped<Omit<DocumentSerialItem, 'sku'>>(limits);
      for (const s of serials) {
        if (!capped.add({ serialNo: s.serialNo, goodsNo: s.goodsNo, businessNo: s.businessNo, businessType: s.businessType ?? null })) break;
      }
      const skus = await skusOf(db, capped.items.map((s) => s.goodsNo));
      const items: DocumentSerialItem[] = capped.items.map((s) => ({ ...s, sku: skus.get(s.goodsNo) ?? null }));
      return { kind: 'serialsOfDocument', type, docNo, jdDocNo, items, total: serials.length, truncated: capped.truncated };
    },
  };
}
