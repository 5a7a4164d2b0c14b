// The Temporal client layer: the one place that starts document workflows (IDs, conflict and reuse
// policies, search attributes), signals them and ensures sweepers. The API, the bench, the chaos run
// and the tests use it, so a workflow ID or a start option is written down once.
import type { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../messages/task-queues';
import { goLiveCheckClient } from './go-live-checks';
import { goodsSyncClient } from './goods-sync';
import { jdAuthClient } from './jd-auth';
import { jdLookupClient } from './jd-lookups';
import { purchaseOrderClient } from './purchase-orders';
import { returnClient } from './returns';
import { salesOrderClient } from './sales-orders';
import { stockReconciliationClient } from './stock-reconciliation';
import { sweeperClient } from './sweepers';
import { webhookClient } from './webhooks';

// What the API needs of the workflows' contract (it may import client/, not messages/).
export { SALES_ORDER_TRACKING_MODES, type SalesOrderTrackingMode } from '../messages/sales-order';
export type { ResolvePushPayload } from '../messages/purchase-order';
export type { SalesOrderClient } from './sales-orders';
export type { PurchaseOrderClient, PurchaseOrderStart } from './purchase-orders';
export type { ReturnClient, ReturnStart } from './returns';
export type { GoodsSyncClient } from './goods-sync';
export type { SweeperClient } from './sweepers';
export type { WebhookClient, WebhookRedeliveryResult } from './webhooks';

export interface DocumentClient {
  temporal: Client;
  /** The queue pair workflows start on (tests and side-by-side deployments use prefixed pairs). */
  taskQueues: { erp: string; eclp: string };
  salesOrders: ReturnType<typeof salesOrderClient>;
  purchaseOrders: ReturnType<typeof purchaseOrderClient>;
  returns: ReturnType<typeof returnClient>;
  goods: ReturnType<typeof goodsSyncClient>;
  sweepers: ReturnType<typeof sweeperClient>;
  webhooks: ReturnType<typeof webhookClient>;
  stockReconciliation: ReturnType<typeof stockReconciliationClient>;
  jdLookups: ReturnType<typeof jdLookupClient>;
  goLiveChecks: ReturnType<typeof goLiveCheckClient>;
  jdAuth: ReturnType<typeof jdAuthClient>;
}

export function createDocumentClient(temporal: Client, taskQueues: { erp: string; eclp: string } = TASK_QUEUES): DocumentClient {
  return {
    temporal,
    taskQueues,
    salesOrders: salesOrderClient(temporal, taskQueues.erp),
    purchaseOrders: purchaseOrderClient(temporal, taskQueues.erp),
    returns: returnClient(temporal, taskQueues.erp),
    goods: goodsSyncClient(temporal, taskQueues.erp),
    sweepers: sweeperClient(temporal, taskQueues.erp),
    webhooks: webhookClient(temporal, taskQueues.erp),
    stockReconciliation: stockReconciliationClient(temporal, taskQueues),
    jdLookups: jdLookupClient(temporal, taskQueues),
    goLiveChecks: goLiveCheckClient(temporal, taskQueues),
    jdAuth: jdAuthClient(temporal, taskQueues),
  };
}
