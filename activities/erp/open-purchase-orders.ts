// What the warehouse sweeper reads from Postgres about purchase orders: the POs JD holds open (待入库,
// 部分入库) in one JD warehouse (db/purchase-orders: listOpenPurchaseOrders).
import type { Knex } from 'knex';
import { listOpenPurchaseOrders, type OpenPurchaseOrderPage } from '../../db/purchase-orders';

export type { OpenPurchaseOrder, OpenPurchaseOrderPage } from '../../db/purchase-orders';

export function createOpenPurchaseOrderActivities(deps: { db: Knex }) {
  return {
    /** One page of the open POs at `jdWarehouseNo`. Read-only, so any retry is harmless. */
    async listOpenPurchaseOrders(jdWarehouseNo: string, page: { afterPoNo?: string; limit: number }): Promise<OpenPurchaseOrderPage> {
      return listOpenPurchaseOrders(deps.db, jdWarehouseNo, page);
    },
  };
}
