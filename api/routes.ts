// Every route group the API serves, wired from configuration. Tests build the same list.
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { goodsSyncRoutes } from './goods-sync';
import { healthRoutes } from './health';
import { masterDataRoutes } from './master-data';
import type { RouteSpec } from './route';
import { salesOrderApiConfigFromEnv, salesOrderRoutes } from './sales-orders';

export interface ApiDeps {
  db: Knex;
  temporal: Client;
  namespace: string;
  env?: Record<string, string | undefined>;
  taskQueues?: { erp: string; eclp: string };
}

export function apiRoutes(deps: ApiDeps): RouteSpec[] {
  const env = deps.env ?? {};
  return [
    ...healthRoutes({
      db: deps.db,
      temporal: deps.temporal,
      namespace: deps.namespace,
      // Idle pollers re-poll once per long-poll expiry (60 s on a default server).
      pollerMaxAgeMs: Number(env.READY_POLLER_MAX_AGE_MS ?? 90_000),
      taskQueues: deps.taskQueues,
    }),
    ...masterDataRoutes(deps.db),
    ...goodsSyncRoutes({ db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueues?.erp }),
    ...salesOrderRoutes({ db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueues?.erp, config: salesOrderApiConfigFromEnv(env) }),
  ];
}
