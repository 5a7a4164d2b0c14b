// Every route group the API serves, wired from configuration. Tests build the same list.
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createDocumentClient } from '../client';
import type { Env } from '../config/env';
import { purchaseOrderApiConfigFromEnv, readinessConfigFromEnv, returnApiConfigFromEnv, salesOrderApiConfigFromEnv } from './config';
import { attentionRoutes } from './attention';
import type { FeatureRouteDeps } from './feature-deps';
import { goLiveCheckRoutes } from './go-live-checks';
import { goodsSyncRoutes } from './goods-sync';
import { jdAuthRoutes } from './jd-auth';
import { healthRoutes } from './health';
import { masterDataRoutes } from './master-data';
import { metricsCacheMsFromEnv, metricsRoutes } from './metrics';
import { purchaseOrderRoutes } from './purchase-orders';
import { returnRoutes } from './returns';
import type { RouteSpec } from './route';
import { salesOrderRoutes } from './sales-orders';
import { serialRoutes } from './serials';
import { stockReconciliationRoutes } from './stock-reconciliation';
import { stockRoutes } from './stock';
import { webhookRoutes } from './webhooks';

export interface ApiDeps {
  db: Knex;
  temporal: Client;
  namespace: string;
  env?: Env;
  /** The queue pair workflows start on; default `erp`/`eclp` (tests use their own). */
  taskQueues?: { erp: string; eclp: string };
}

export function apiRoutes(deps: ApiDeps): RouteSpec[] {
  const env = deps.env ?? {};
  const documents = createDocumentClient(deps.temporal, deps.taskQueues);
  const features: FeatureRouteDeps = { db: deps.db, documents, env, namespace: deps.namespace };
  return [
    ...healthRoutes({ db: deps.db, temporal: deps.temporal, namespace: deps.namespace, taskQueues: documents.taskQueues, ...readinessConfigFromEnv(env) }),
    ...masterDataRoutes(deps.db),
    ...goodsSyncRoutes({ db: deps.db, documents }),
    ...salesOrderRoutes({ db: deps.db, documents, config: salesOrderApiConfigFromEnv(env) }),
    ...purchaseOrderRoutes({ db: deps.db, documents, config: purchaseOrderApiConfigFromEnv(env) }),
    ...returnRoutes({ db: deps.db, documents, config: returnApiConfigFromEnv(env) }),
    ...stockRoutes(deps.db),
    ...webhookRoutes({ db: deps.db, documents }),
    ...stockReconciliationRoutes(features),
    ...serialRoutes(features),
    ...goLiveCheckRoutes(features),
    ...jdAuthRoutes(features),
    ...attentionRoutes(features),
    ...metricsRoutes({ db: deps.db, cacheMs: metricsCacheMsFromEnv(env) }),
  ];
}
