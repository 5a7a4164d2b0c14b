// 审核: approval starts the push — the order's run first, then the row, so a crash in between leaves a
// run that claims the order itself, and a repeat never starts a second push.
import type { Knex } from 'knex';
import type { DocumentClient } from '../../client';
import { findWarehouse } from '../../db/master-data';
import { claimSalesOrderPush, findPendingSalesOrderCancelRequest, getSalesOrder } from '../../db/sales-orders';
import { UnprocessableError } from '../../domain/errors';
import { canApprove, jdWarehouseForApproval } from '../../domain/sales-order';
import { SALES_ORDER_STATUS } from '../../domain/statuses';
import type { Actor } from '../auth';
import { pollingOf, type SalesOrderApiConfig } from '../config';
import type { RouteResult } from '../route';
import { withTemporal } from '../temporal-errors';
import { cancelPending, notInReview, orderUrl } from './answers';

export interface SalesOrderApiDeps {
  db: Knex;
  documents: DocumentClient;
  config: SalesOrderApiConfig;
}

export async function approveSalesOrder({ db, documents, config }: SalesOrderApiDeps, orderNo: string, actor: Actor): Promise<RouteResult> {
  const order = await getSalesOrder(db, orderNo);
  if (!canApprove(order.status)) throw notInReview(order);
  const pending = await findPendingSalesOrderCancelRequest(db, orderNo);
  if (pending) throw cancelPending(order, pending, 'approved');
  const warehouse = jdWarehouseForApproval(order.warehouseCode, await findWarehouse(db, order.warehouseCode));
  if (!warehouse.ok) {
    throw new UnprocessableError(`Sales order ${orderNo} cannot be approved for JD: ${warehouse.problem}`, 'warehouse-not-eclp', { errors: [{ field: 'warehouseCode', message: warehouse.problem }] });
  }
  const { jdWarehouseNo } = warehouse;
  const revision = order.pushRevision + 1;
  // Before the order's run: if Temporal is down this answers 503 with nothing changed.
  if (config.tracking === 'sweep') {
    await withTemporal(() => documents.sweepers.ensure({ jdWarehouseNo, intervalMs: config.sweepIntervalMs, sweepsPerRun: config.sweepsPerRun }), documents.temporal);
  }
  const run = await withTemporal(
    () =>
      documents.salesOrders.start({
        orderNo,
        revision,
        jdWarehouseNo,
        polling: pollingOf(config),
        tracking: config.tracking === 'sweep' ? { mode: 'sweep', safetyPollIntervalMs: config.safetyPollIntervalMs } : { mode: 'poll' },
      }),
    documents.temporal,
  );
  // That revision's run exists and has finished: the order has moved on since we read it.
  if (!run.started) throw notInReview(await getSalesOrder(db, orderNo));
  const { workflowId } = run;
  const claimed = await claimSalesOrderPush(db, { orderNo, revision, workflowId, actorRole: actor.role, jdWarehouseNo });
  if (!claimed) throw notInReview(await getSalesOrder(db, orderNo));
  return {
    status: 202,
    body: { orderNo, status: 'PUSHING', statusLabel: SALES_ORDER_STATUS.PUSHING, pushRevision: revision, workflowId, orderUrl: orderUrl(orderNo) },
    headers: { Location: orderUrl(orderNo) },
  };
}
