// What purchase orders need on top of the shared master data (./master-data.ts): a supplier JD knows, one
// mapped to a JD supplier number JD never issued, and a warehouse that is not ECLP-connected.
import type { ApiClient } from '../../test/support/api-client';
import { prepareSharedMasterData, putMasterData, putWarehouse } from './master-data';

/** The simulator's catalogue holds EMS0000000000001 (模拟供应商). */
export const CHAOS_SUPPLIER = { code: 'SUP-CHAOS', name: '混沌供应商', jdSupplierNo: 'EMS0000000000001' } as const;
/** Mapped on our side to a JD supplier number JD never issued: JD refuses every PO from it (→ FAILED). */
export const CHAOS_SUPPLIER_UNKNOWN_AT_JD = { code: 'SUP-NOJD', name: '京东未开通供应商', jdSupplierNo: 'EMS0000000009999' } as const;
/** Not ECLP-connected: a PO for it is stored NOT_PUSHED and never goes to JD. */
export const CHAOS_LOCAL_WAREHOUSE = { code: 'LOCAL', name: '自营仓', jdWarehouseNo: null, eclpConnected: false } as const;

export const putSupplier = (api: ApiClient, code: string, { name, jdSupplierNo }: { name: string; jdSupplierNo: string }) =>
  putMasterData(api, '/v1/suppliers/{code}', `/v1/suppliers/${code}`, { name, jdSupplierNo });

export async function preparePurchaseOrderMasterData(api: ApiClient): Promise<void> {
  await prepareSharedMasterData(api);
  await putWarehouse(api, CHAOS_LOCAL_WAREHOUSE);
  for (const supplier of [CHAOS_SUPPLIER, CHAOS_SUPPLIER_UNKNOWN_AT_JD]) await putSupplier(api, supplier.code, supplier);
}
