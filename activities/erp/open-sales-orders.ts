// What the warehouse sweeper reads from Postgres: the sales orders JD is working on (WMS配货) in one JD
// warehouse (db/sales-orders: listOpenSalesOrders).
import type { Knex } from 'knex';
import { listOpenSalesOrders, type OpenSalesOrderPage } from '../../db/sales-orders';

export type { OpenSalesOrder, OpenSalesOrderPage } from '../../db/sales-orders';

export function createOpenSalesOrderActivities(deps: { db: Knex }) {
  return {
    /** One page of the orders in WMS配货 at `jdWarehouseNo`. Read-only, so any retry is harmless. */
    async listOpenSalesOrders(jdWarehouseNo: string, page: { afterOrderNo?: string; limit: number }): Promise<OpenSalesOrderPage> {
      return listOpenSalesOrders(deps.db, jdWarehouseNo, page);
    },
  };
}
