// What sales orders need on top of the shared master data (./master-data.ts): a carrier, and a warehouse
// mapped to a JD number JD never issued.
import type { ApiClient } from '../../test/support/api-client';
import { prepareSharedMasterData, putMasterData, putWarehouse } from './master-data';

/** Mapped on our side to a JD warehouse number JD never issued: JD refuses every push to it (→ FAILED). */
export const CHAOS_MISMAPPED_WAREHOUSE = { code: 'XX', name: '错配仓', jdWarehouseNo: '110009999' } as const;
const CARRIER = { code: 'JD', name: '京东快递', jdShipperNo: 'CYS0000010' };
export const CHAOS_CARRIER = CARRIER.code;

/** Master data through the API, then the goods synced to JD (an order can only be pushed with JD goods numbers). */
export async function prepareMasterData(api: ApiClient): Promise<void> {
  await prepareSharedMasterData(api);
  await putWarehouse(api, CHAOS_MISMAPPED_WAREHOUSE);
  await putMasterData(api, '/v1/carriers/{code}', `/v1/carriers/${CARRIER.code}`, { name: CARRIER.name, jdShipperNo: CARRIER.jdShipperNo });
}
