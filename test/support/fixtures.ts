// Data several test files set up the same way: the sales-order master data behind a test stack, and a
// JD addOrder call's parameters for tests that talk to the simulator's gateway directly.
import request from 'supertest';
import { auth } from './tokens';

/** What `seedSalesOrderMasterData` needs of a test stack (test/helpers/stack.ts). */
export interface SeedTarget {
  app: Parameters<typeof request>[0];
  documents: { goods: { handle(sku: string): { result(): Promise<unknown> } } };
}

/**
 * Category OTHER (JD 9000/9001/4159), warehouse BJ (JD 110000001), carrier JDEX (京东快递), the goods given
 * as [sku, barcode], and `synced` of them created at JD (the call returns once their syncs ended).
 */
export async function seedSalesOrderMasterData(
  stack: SeedTarget,
  options: { goods: ReadonlyArray<readonly [sku: string, barcode: string]>; synced: readonly string[]; warehouses?: Record<string, object> },
): Promise<void> {
  const put = (url: string, body: object) => request(stack.app).put(url).set(auth('erp')).send(body).expect(201);
  await put('/v1/categories/OTHER', { name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' });
  await put('/v1/warehouses/BJ', { name: '北京仓', jdWarehouseNo: '110000001', eclpConnected: true });
  for (const [code, body] of Object.entries(options.warehouses ?? {})) await put(`/v1/warehouses/${code}`, body);
  await put('/v1/carriers/JDEX', { name: '京东快递', jdShipperNo: 'CYS0000010' });
  for (const [sku, barcode] of options.goods) await put(`/v1/goods/${sku}`, { name: `商品 ${sku}`, barcodes: [barcode], categoryCode: 'OTHER' });
  if (options.synced.length === 0) return;
  await request(stack.app).post('/v1/goods/sync').set(auth('erp')).send({ skus: options.synced }).expect(202);
  await Promise.all(options.synced.map((sku) => stack.documents.goods.handle(sku).result()));
}

/** A sales order's consignee that passes every check (a test that is not about the address uses it). */
export const CONSIGNEE = { name: '王小明', mobile: '13800138000', province: '北京', city: '北京市', county: '朝阳区', address: '建国路88号' } as const;

/** `jingdong.eclp.order.addOrder` parameters for the simulator's default catalogue; `goods` names the lines. */
export function jdSalesOrderParams(isvUUID: string, goods: Record<string, string>): Record<string, unknown> {
  return {
    isvUUID,
    isvSource: 'ISV0000000000001',
    shopNo: 'ESP0000000000001',
    departmentNo: 'EBU0000000000001',
    salePlatformSource: '6',
    consigneeName: '王五',
    consigneeMobile: '13900000000',
    consigneeAddress: '广州市天河区1号',
    orderMark: '0'.repeat(50),
    warehouseNo: '110000001',
    ...goods,
  };
}
