// The `eclp` task queue's activities: every JD call, rate-limited by ECLP_MAX_QPS on this queue. One
// namespace: a repeated name stops the worker at start.
import type { Knex } from 'knex';
import type { EclpClient } from '../../eclp';
import type { ActivityMetrics } from '../metrics';
import { beatingWhileRunning } from '../heartbeat';
import { activityNamespace } from '../namespace';
import type { EclpActivityOptions } from './failures';
import { createEclpGoodsActivities } from './goods';
import { createEclpJdAuthActivities, type EclpJdAuthDeps } from './jd-auth';
import { createEclpPurchaseOrderActivities } from './purchase-orders';
import { createEclpReturnActivities } from './returns';
import { createEclpSalesOrderActivities } from './sales-orders';
import { createEclpSerialActivities } from './serials';
import { createEclpStockActivities } from './stock';
import { createEclpSweepActivities } from './sweep';

export type { EclpActivityOptions } from './failures';
export type { EclpJdAuthDeps } from './jd-auth';
export type { JdCancelAnswer, JdShipment, SalesOrderOutcome } from './sales-orders';
export type { JdPoCancelAnswer, JdPoCloseAnswer, JdPurchaseOrderAtJd, JdPurchaseOrderCheck, SerialUploadOutcome } from './purchase-orders';
export type { JdReturnAtJd, JdReturnCancelAnswer } from './returns';
export type { JdPurchaseOrderStatusRow, JdStatusRow } from './sweep';

export interface EclpActivityDeps {
  eclp: EclpClient;
  /** The pushes re-read the document from Postgres, so consignee data never travels through Temporal. */
  db: Knex;
  options?: EclpActivityOptions;
  /** JD authorisation (OAuth code exchange, token refresh): the OAuth endpoints and JD_TOKEN_KEY. */
  jdAuth?: EclpJdAuthDeps;
  /** The worker's counters, for an activity that records a document's status itself; none when absent. */
  metrics?: ActivityMetrics;
}

export function createEclpActivities(deps: EclpActivityDeps) {
  // Each beats while it runs, so a killed worker's JD call is retried within seconds (activities/heartbeat.ts).
  return beatingWhileRunning(activityNamespace('eclp', {
    goods: createEclpGoodsActivities(deps),
    salesOrders: createEclpSalesOrderActivities(deps),
    purchaseOrders: createEclpPurchaseOrderActivities(deps),
    returns: createEclpReturnActivities(deps),
    // The warehouse sweeper's batched status queries (SO_TRACKING=sweep).
    sweep: createEclpSweepActivities(deps),
    stock: createEclpStockActivities(deps),
    serials: createEclpSerialActivities(deps),
    jdAuth: createEclpJdAuthActivities(deps),
  }));
}

export type EclpActivities = ReturnType<typeof createEclpActivities>;
