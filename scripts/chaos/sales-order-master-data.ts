// The master data every chaos order refers to: two JD warehouses, one carrier, a category and a few SKUs,
// created through the API and synced to JD before the storm.
import type { ApiClient } from '../../test/support/api-client';
import { sleep } from '../../test/support/timing';

export const CHAOS_WAREHOUSES = [
  { code: 'BJ', name: '北京仓', jdWarehouseNo: '110000001' },
  { code: 'SH', name: '上海仓', jdWarehouseNo: '110000002' },
] as const;
/** Mapped on our side to a JD warehouse number JD never issued: JD refuses every push to it (→ FAILED). */
export const CHAOS_MISMAPPED_WAREHOUSE = { code: 'XX', name: '错配仓', jdWarehouseNo: '110009999' } as const;
const CARRIER = { code: 'JD', name: '京东快递', jdShipperNo: 'CYS0000010' };
const CATEGORY = { code: 'OTHER', name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' };
export const CHAOS_SKUS = ['TEA-01', 'TEA-02', 'CUP-01', 'CUP-02', 'POT-01', 'BOX-01'];
export const CHAOS_CARRIER = CARRIER.code;

/** Master data through the API, then the goods synced to JD (an order can only be pushed with JD goods numbers). */
export async function prepareMasterData(api: ApiClient, timeoutMs = 120_000): Promise<void> {
  const put = async (route: string, path: string, body: object) => {
    const answer = await api.send('erp', 'PUT', route, path, body);
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`PUT ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  const { code: categoryCode, ...category } = CATEGORY;
  await put('/v1/categories/{code}', `/v1/categories/${categoryCode}`, category);
  for (const { code, name, jdWarehouseNo } of [...CHAOS_WAREHOUSES, CHAOS_MISMAPPED_WAREHOUSE]) await put('/v1/warehouses/{code}', `/v1/warehouses/${code}`, { name, jdWarehouseNo, eclpConnected: true });
  await put('/v1/carriers/{code}', `/v1/carriers/${CARRIER.code}`, { name: CARRIER.name, jdShipperNo: CARRIER.jdShipperNo });
  for (const [i, sku] of CHAOS_SKUS.entries()) {
    await put('/v1/goods/{sku}', `/v1/goods/${sku}`, { name: `商品 ${sku}`, barcodes: [`69500000${String(i + 1).padStart(5, '0')}`], categoryCode });
  }
  const sync = await api.send('erp', 'POST', '/v1/goods/sync', '/v1/goods/sync', { skus: CHAOS_SKUS });
  if (sync.status >= 300) throw new Error(`POST /v1/goods/sync: HTTP ${sync.status} ${JSON.stringify(sync.body)}`);
  const deadline = Date.now() + timeoutMs;
  for (const sku of CHAOS_SKUS) {
    for (;;) {
      const goods = await api.send('erp', 'GET', '/v1/goods/{sku}', `/v1/goods/${sku}`);
      const status = (goods.body as { syncStatus?: string }).syncStatus;
      if (status === 'SYNCED') break;
      if (status === 'SYNC_FAILED' || Date.now() > deadline) throw new Error(`goods ${sku} did not sync to JD (${status})`);
      await sleep(500);
    }
  }
}
