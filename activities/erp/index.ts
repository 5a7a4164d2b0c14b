// The `erp` task queue's activities: the ERP's database (documents, ledger, operation log), its webhook,
// and the sweeper's signals to the order runs. One namespace: a repeated name stops the worker at start.
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { WebhookConfig } from '../../config/webhook';
import { withDatabaseDataFailures } from '../database-errors';
import { beatingWhileRunning } from '../heartbeat';
import type { ActivityMetrics } from '../metrics';
import { activityNamespace } from '../namespace';
import { createGoLiveCheckActivities } from './go-live-checks';
import { createGoodsSyncActivities } from './goods';
import { createJdAuthActivities, type JdTokenSettings } from './jd-auth';
import { createOpenPurchaseOrderActivities } from './open-purchase-orders';
import { createOpenSalesOrderActivities } from './open-sales-orders';
import { createPurchaseOrderActivities } from './purchase-orders';
import { createReturnActivities } from './returns';
import { createSalesOrderActivities } from './sales-orders';
import { createStockReconciliationActivities } from './stock-reconciliation';
import { createSweepSignalActivities } from './sweep-signals';
import { createWebhookActivities } from './webhook';

export type { GoodsForJd, GoodsSyncPreflight } from './goods';
export { JD_TOKEN_DEFAULTS, type JdTokenSettings } from './jd-auth';
export type { OpenPurchaseOrder, OpenPurchaseOrderPage } from './open-purchase-orders';
export type { OpenSalesOrder, OpenSalesOrderPage } from './open-sales-orders';
export type { PurchaseOrderDecidedRequest, PurchaseOrderDecision, PurchaseOrderPreflight } from './purchase-orders';
export type { ReturnDecidedRequest, ReturnDecision, ReturnPreflight } from './returns';
export type { SalesOrderPreflight, SalesOrderShippedData } from './sales-orders';
export type { JdStatusChange } from './sweep-signals';
export type { WebhookEvent } from './webhook';

export interface ErpActivityDeps {
  db: Knex;
  webhook: WebhookConfig;
  /** For signalling the order runs (the worker's own connection). */
  temporal: Client;
  /** The JD token refresher's settings (JD_TOKEN_REFRESH_BEFORE_MS …); default JD_TOKEN_DEFAULTS. */
  jdToken?: Partial<JdTokenSettings>;
  /** The worker's counters (documents entering a status, cancel verdicts, webhooks); none when absent. */
  metrics?: ActivityMetrics;
}

export function createErpActivities(deps: ErpActivityDeps) {
  const salesOrders = createSalesOrderActivities(deps);
  const activities = activityNamespace('erp', {
    goodsSync: createGoodsSyncActivities(deps),
    salesOrders,
    openSalesOrders: createOpenSalesOrderActivities(deps),
    purchaseOrders: createPurchaseOrderActivities(deps),
    openPurchaseOrders: createOpenPurchaseOrderActivities(deps),
    returns: createReturnActivities(deps),
    webhook: createWebhookActivities({ config: deps.webhook, db: deps.db, ...(deps.metrics && { metrics: deps.metrics }) }),
    sweepSignals: createSweepSignalActivities(deps),
    stockReconciliation: createStockReconciliationActivities(deps),
    goLiveChecks: createGoLiveCheckActivities(deps),
    jdAuth: createJdAuthActivities(deps),
    // Runs that recorded a cancel verdict before activity names carried their document still call the
    // old name (workflows/sales-order.ts DOCUMENT_ACTIVITY_NAMES_PATCH). Drop once no such run is open.
    legacySalesOrders: { recordCancelDecision: salesOrders.recordSalesOrderCancelDecision },
  });
  // A write PostgreSQL refuses for its data fails alike on every retry: end it instead of retrying for ever.
  // Each beats while it runs, so a killed worker's step is retried within seconds (activities/heartbeat.ts).
  return beatingWhileRunning(withDatabaseDataFailures(activities));
}

export type ErpActivities = ReturnType<typeof createErpActivities>;
