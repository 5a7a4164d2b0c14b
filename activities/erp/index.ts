// The `erp` task queue's activities: the ERP's database (documents, ledger, operation log), its webhook,
// and the sweeper's signals to the order runs. One namespace: a repeated name stops the worker at start.
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { WebhookConfig } from '../../config/webhook';
import { activityNamespace } from '../namespace';
import { createGoodsSyncActivities } from './goods';
import { createOpenSalesOrderActivities } from './open-sales-orders';
import { createSalesOrderActivities } from './sales-orders';
import { createSweepSignalActivities } from './sweep-signals';
import { createWebhookActivities } from './webhook';

export type { GoodsForJd, GoodsSyncPreflight } from './goods';
export type { OpenSalesOrder, OpenSalesOrderPage } from './open-sales-orders';
export type { SalesOrderPreflight, SalesOrderShippedData } from './sales-orders';
export type { JdStatusChange } from './sweep-signals';
export type { WebhookEvent } from './webhook';

export interface ErpActivityDeps {
  db: Knex;
  webhook: WebhookConfig;
  /** For signalling the order runs (the worker's own connection). */
  temporal: Client;
}

export function createErpActivities(deps: ErpActivityDeps) {
  const salesOrders = createSalesOrderActivities(deps);
  return activityNamespace('erp', {
    goodsSync: createGoodsSyncActivities(deps),
    salesOrders,
    openSalesOrders: createOpenSalesOrderActivities(deps),
    webhook: createWebhookActivities({ config: deps.webhook }),
    sweepSignals: createSweepSignalActivities(deps),
    // Runs that recorded a cancel verdict before activity names carried their document still call the
    // old name (workflows/sales-order.ts DOCUMENT_ACTIVITY_NAMES_PATCH). Drop once no such run is open.
    legacySalesOrders: { recordCancelDecision: salesOrders.recordSalesOrderCancelDecision },
  });
}

export type ErpActivities = ReturnType<typeof createErpActivities>;
