// Master data and purchase orders for the purchase-order repository and activity tests, written straight
// into a test database (no API, no Temporal): warehouses BJ (ECLP, JD 110000001) and LOCAL (not ECLP),
// supplier SUP (JD SUP001), category OTHER mapped to JD, category RAW with no mapping.
import type { Knex } from 'knex';
import { CATEGORY, SUPPLIER, WAREHOUSE, upsertGoods, upsertSimple } from '../../db/master-data';
import { createPurchaseOrder, recordPurchaseOrderPushed, type PurchaseOrderRecord } from '../../db/purchase-orders';
import type { PurchaseOrderBody } from '../../domain/purchase-order';

export async function seedPurchaseOrderMasterData(db: Knex): Promise<void> {
  await upsertSimple(db, WAREHOUSE, 'BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true }, 'erp');
  await upsertSimple(db, WAREHOUSE, 'LOCAL', { name: '自营仓', eclpConnected: false }, 'erp');
  await upsertSimple(db, SUPPLIER, 'SUP', { name: '供应商', jdSupplierNo: 'SUP001' }, 'erp');
  await upsertSimple(db, CATEGORY, 'OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' }, 'erp');
}

/** Goods in category `categoryCode` (OTHER unless given), at JD as `jdGoodsNo` when given. */
export async function seedGoods(db: Knex, sku: string, options: { jdGoodsNo?: string; categoryCode?: string; barcode?: string } = {}): Promise<void> {
  await upsertGoods(db, sku, { name: `商品 ${sku}`, barcodes: [options.barcode ?? `BC-${sku}`], categoryCode: options.categoryCode ?? 'OTHER' }, 'erp');
  if (options.jdGoodsNo) await db('goods').where({ sku }).update({ jd_goods_no: options.jdGoodsNo, sync_status: 'SYNCED' });
}

export function poBody(poNo: string, lines: Array<[sku: string, quantity: number]>, rest: Partial<PurchaseOrderBody> = {}): PurchaseOrderBody {
  return { poNo, supplierCode: 'SUP', warehouseCode: 'BJ', lines: lines.map(([sku, quantity]) => ({ sku, quantity })), ...rest };
}

/** A PO at BJ that JD holds (WAITING_INBOUND as `EPL{poNo}`), revision 1. */
export async function pushedPurchaseOrder(db: Knex, poNo: string, lines: Array<[sku: string, quantity: number]>): Promise<PurchaseOrderRecord> {
  await createPurchaseOrder(db, poBody(poNo, lines), { actorRole: 'erp' });
  await recordPurchaseOrderPushed(db, { poNo, revision: 1, poOrderNo: jdNumberOf(poNo), spPoOrderNo: `${poNo}-1`, jdWarehouseNo: '110000001', recovered: false, idempotencyKey: `test/${poNo}/pushed` });
  return (await createPurchaseOrder(db, poBody(poNo, lines), { actorRole: 'erp' })).po;
}

export function jdNumberOf(poNo: string): string {
  return `EPL${poNo.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** JD's report as the poll hands it over: `[sku, received, short?, defective?, excess?]` per line. */
export function progress(poNo: string, jdStatus: string, lines: Array<[sku: string, received: number, short?: number, defective?: number, excess?: number]>) {
  return {
    poOrderNo: jdNumberOf(poNo),
    jdStatus,
    finished: jdStatus === '70' || jdStatus === '91',
    lines: lines.map(([sku, receivedQty, shortQty = 0, defectiveQty = 0, excessQty = 0]) => ({ sku, goodsNo: `EMG-${sku}`, receivedQty, shortQty, defectiveQty, excessQty })),
    fingerprint: `${jdStatus}|${lines.map((l) => l.join(':')).join(',')}`,
  };
}
