// The master data every chaos document refers to — two JD warehouses, a category and a few SKUs, created
// through the API and synced to JD before the storm — and the calls each document type's own master data
// is made with.
import type { ApiClient } from '../../test/support/api-client';
import { sleep } from '../../test/support/timing';

export const CHAOS_WAREHOUSES = [
  { code: 'BJ', name: '北京仓', jdWarehouseNo: '110000001' },
  { code: 'SH', name: '上海仓', jdWarehouseNo: '110000002' },
] as const;
export const CHAOS_CATEGORY = { code: 'OTHER', name: '其他', jdFirstCategoryNo: '9000', jdSecondCategoryNo: '9001', jdThirdCategoryNo: '4159' } as const;
export const CHAOS_SKUS = ['TEA-01', 'TEA-02', 'CUP-01', 'CUP-02', 'POT-01', 'BOX-01'];

/** A master-data PUT that must take (201 created, 200 the same again): setup fails otherwise. */
export async function putMasterData(api: ApiClient, route: string, path: string, body: object): Promise<void> {
  const answer = await api.send('erp', 'PUT', route, path, body);
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`PUT ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** ECLP-connected unless the warehouse says otherwise. */
export const putWarehouse = (api: ApiClient, { code, ...body }: { code: string; name: string; jdWarehouseNo: string | null; eclpConnected?: boolean }) =>
  putMasterData(api, '/v1/warehouses/{code}', `/v1/warehouses/${code}`, { eclpConnected: true, ...body });

export const putGoods = (api: ApiClient, sku: string, barcode: string) =>
  putMasterData(api, '/v1/goods/{sku}', `/v1/goods/${sku}`, { name: `商品 ${sku}`, barcodes: [barcode], categoryCode: CHAOS_CATEGORY.code });

/** Creates the goods at JD and waits until each is SYNCED (a document can only go to JD with JD goods numbers). */
export async function syncGoods(api: ApiClient, skus: readonly string[], timeoutMs = 120_000): Promise<void> {
  const sync = await api.send('erp', 'POST', '/v1/goods/sync', '/v1/goods/sync', { skus });
  if (sync.status >= 300) throw new Error(`POST /v1/goods/sync: HTTP ${sync.status} ${JSON.stringify(sync.body)}`);
  const deadline = Date.now() + timeoutMs;
  for (const sku of skus) {
    for (;;) {
      const goods = await api.send('erp', 'GET', '/v1/goods/{sku}', `/v1/goods/${sku}`);
      const status = (goods.body as { syncStatus?: string }).syncStatus;
      if (status === 'SYNCED') break;
      if (status === 'SYNC_FAILED' || Date.now() > deadline) throw new Error(`goods ${sku} did not sync to JD (${status})`);
      await sleep(500);
    }
  }
}

/** The category, the two JD warehouses and the SKUs, synced to JD. Every PUT is idempotent, so each driver may call it. */
export async function prepareSharedMasterData(api: ApiClient): Promise<void> {
  const { code: categoryCode, ...category } = CHAOS_CATEGORY;
  await putMasterData(api, '/v1/categories/{code}', `/v1/categories/${categoryCode}`, category);
  for (const warehouse of CHAOS_WAREHOUSES) await putWarehouse(api, warehouse);
  for (const [i, sku] of CHAOS_SKUS.entries()) await putGoods(api, sku, `69500000${String(i + 1).padStart(5, '0')}`);
  await syncGoods(api, CHAOS_SKUS);
}
