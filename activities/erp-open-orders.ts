// What the warehouse sweeper reads from Postgres: the sales orders JD is working on (WMS配货) in one JD
// warehouse, with the keys the sweeper needs to ask JD (isvUUID) and to tell the order's run (workflow ID).
import type { Knex } from 'knex';
import { isvUuidOf } from '../domain/sales-order';

export interface OpenSalesOrder {
  orderNo: string;
  workflowId: string;
  isvUuid: string;
}

export interface OpenSalesOrderPage {
  orders: OpenSalesOrder[];
  /** Pass as `afterOrderNo` for the next page; absent on the last page. */
  nextAfter?: string;
}

/** A sweep must finish in one interval; bigger pages only make each activity result heavier. */
export const MAX_OPEN_ORDER_PAGE = 1000;

/**
 * Keyset pages in order-number order, so an order that changes status while the sweep pages through
 * neither shifts the pages nor is read twice.
 */
export async function listOpenSalesOrders(db: Knex, jdWarehouseNo: string, page: { afterOrderNo?: string; limit: number }): Promise<OpenSalesOrderPage> {
  const limit = Math.min(Math.max(1, Math.floor(page.limit)), MAX_OPEN_ORDER_PAGE);
  const query = db('sales_orders')
    .where({ status: 'WMS_PICKING', jd_warehouse_no: jdWarehouseNo })
    .whereNotNull('workflow_id')
    .select('order_no', 'push_revision', 'workflow_id')
    .orderBy('order_no')
    .limit(limit);
  if (page.afterOrderNo !== undefined) query.where('order_no', '>', page.afterOrderNo);
  const rows: Array<{ order_no: string; push_revision: number; workflow_id: string }> = await query;
  const orders = rows.map((row) => ({ orderNo: row.order_no, workflowId: row.workflow_id, isvUuid: isvUuidOf(row.order_no, row.push_revision) }));
  const last = orders.at(-1);
  return rows.length === limit && last ? { orders, nextAfter: last.orderNo } : { orders };
}

export function createOpenOrderActivities(deps: { db: Knex }) {
  return {
    /** One page of the orders in WMS配货 at `jdWarehouseNo`. Read-only, so any retry is harmless. */
    async listOpenSalesOrders(jdWarehouseNo: string, page: { afterOrderNo?: string; limit: number }): Promise<OpenSalesOrderPage> {
      return listOpenSalesOrders(deps.db, jdWarehouseNo, page);
    },
  };
}
