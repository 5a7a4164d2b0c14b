// The `eclp` task queue's activities: every JD call, rate-limited by ECLP_MAX_QPS on this queue. One
// namespace: a repeated name stops the worker at start.
import type { Knex } from 'knex';
import type { EclpClient } from '../../eclp';
import { activityNamespace } from '../namespace';
import type { EclpActivityOptions } from './failures';
import { createEclpGoodsActivities } from './goods';
import { createEclpSalesOrderActivities } from './sales-orders';
import { createEclpSweepActivities } from './sweep';

export type { EclpActivityOptions } from './failures';
export type { JdCancelAnswer, JdShipment, SalesOrderOutcome } from './sales-orders';
export type { JdStatusRow } from './sweep';

export interface EclpActivityDeps {
  eclp: EclpClient;
  /** The push re-reads the order from Postgres, so consignee data never travels through Temporal. */
  db: Knex;
  options?: EclpActivityOptions;
}

export function createEclpActivities(deps: EclpActivityDeps) {
  return activityNamespace('eclp', {
    goods: createEclpGoodsActivities(deps),
    salesOrders: createEclpSalesOrderActivities(deps),
    // The warehouse sweeper's batched status query (SO_TRACKING=sweep).
    sweep: createEclpSweepActivities(deps),
  });
}

export type EclpActivities = ReturnType<typeof createEclpActivities>;
