// Master data and shipped sales orders for the return repository and activity tests, written straight into
// a test database (no API, no Temporal): warehouses BJ (ECLP, JD 110000001), SH (ECLP, JD 120000001) and
// LOCAL (not ECLP), carrier JDEX, category OTHER; goods as each file seeds them.
import type { Knex } from 'knex';
import { CARRIER, CATEGORY, WAREHOUSE, upsertGoods, upsertSimple } from '../../db/master-data';
import { createReturn, recordReturnPushed, type ReturnRecord } from '../../db/returns';
import { createSalesOrder } from '../../db/sales-orders';
import type { ReturnBody } from '../../domain/return-order';

export async function seedReturnMasterData(db: Knex): Promise<void> {
  await upsertSimple(db, WAREHOUSE, 'BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true }, 'erp');
  await upsertSimple(db, WAREHOUSE, 'SH', { name: '上海仓', jdWarehouseNo: '120000001', eclpConnected: true }, 'erp');
  await upsertSimple(db, WAREHOUSE, 'LOCAL', { name: '自营仓', eclpConnected: false }, 'erp');
  await upsertSimple(db, CARRIER, 'JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' }, 'erp');
  await upsertSimple(db, CATEGORY, 'OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' }, 'erp');
}

/** Goods at JD as `EMG-{sku}` unless `jdGoodsNo: null`. */
export async function seedGoods(db: Knex, sku: string, options: { jdGoodsNo?: string | null } = {}): Promise<void> {
  await upsertGoods(db, sku, { name: `商品 ${sku}`, barcodes: [`BC-${sku}`], categoryCode: 'OTHER' }, 'erp');
  const jdGoodsNo = options.jdGoodsNo === undefined ? `EMG-${sku}` : options.jdGoodsNo;
  if (jdGoodsNo !== null) await db('goods').where({ sku }).update({ jd_goods_no: jdGoodsNo, sync_status: 'SYNCED' });
}

export const CONSIGNEE = { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' };

/** Per line: [sku, ordered, price, shipped?] (shipped defaults to ordered). */
type OrderLine = [sku: string, quantity: number, price: number, shipped?: number];

/** A sales order at BJ in REVIEW, or moved to `status` with JD's outbound number and what each line shipped. */
export async function salesOrder(db: Knex, orderNo: string, lines: OrderLine[], status: 'REVIEW' | 'WMS_PICKING' | 'SHIPPED' = 'SHIPPED'): Promise<void> {
  await createSalesOrder(
    db,
    { orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: lines.map(([sku, quantity, price]) => ({ sku, quantity, price })), remark: '原订单备注' },
    'erp',
  );
  if (status === 'REVIEW') return;
  await db('sales_orders').where({ order_no: orderNo }).update({ status, eclp_so_no: eclpSoNoOf(orderNo), jd_warehouse_no: '110000001', ...(status === 'SHIPPED' && { shipped_at: new Date().toISOString(), way_bill: `JDV${orderNo}` }) });
  if (status !== 'SHIPPED') return;
  for (const [sku, quantity, , shipped = quantity] of lines) {
    await db('sales_order_lines').where({ order_no: orderNo, sku }).update({ shipped_quantity: shipped, short_quantity: quantity - shipped });
  }
}

export function eclpSoNoOf(orderNo: string): string {
  return `ESL${orderNo.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function eclpRtwNoOf(returnNo: string): string {
  return `ERW${returnNo.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function returnBody(returnNo: string, orderNo: string, lines: Array<[sku: string, quantity: number]>, rest: Partial<ReturnBody> = {}): ReturnBody {
  return { returnNo, orderNo, type: 'RETURN', warehouseCode: 'BJ', reason: '七天无理由退货', lines: lines.map(([sku, quantity]) => ({ sku, quantity })), ...rest };
}

/** A return JD holds (WAITING_INBOUND as `ERW{returnNo}`), revision 1. */
export async function pushedReturn(db: Knex, body: ReturnBody): Promise<ReturnRecord> {
  await createReturn(db, body, { actorRole: 'erp' });
  await recordReturnPushed(db, {
    returnNo: body.returnNo,
    revision: 1,
    eclpRtwNo: eclpRtwNoOf(body.returnNo),
    isvRtwNum: `${body.returnNo}-1`,
    eclpSoNo: eclpSoNoOf(body.orderNo),
    jdWarehouseNo: '110000001',
    recovered: false,
    idempotencyKey: `test/${body.returnNo}/pushed`,
  });
  return (await createReturn(db, body, { actorRole: 'erp' })).ret;
}

/** JD's completed return as the poll reports it: `[sku, received, goodsLevel?]` per line. */
export function received(lines: Array<[sku: string, receivedQty: number, goodsLevel?: string]>, jdStatus = '200') {
  return {
    kind: 'received' as const,
    jdStatus,
    lines: lines.map(([sku, receivedQty, goodsLevel]) => ({ sku, goodsNo: `EMG-${sku}`, plannedQty: receivedQty, receivedQty, ...(goodsLevel !== undefined && { goodsLevel }) })),
  };
}
