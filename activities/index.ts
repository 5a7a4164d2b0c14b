// Activities grouped by the system they touch. The `erp` task queue runs the database ones and the
// ERP webhook; JD calls run on `eclp` (see worker/index.ts).
import type { Knex } from 'knex';
import { createGoodsActivities } from './erp-goods';
import { createOpenOrderActivities } from './erp-open-orders';
import { createSalesOrderActivities } from './erp-sales-orders';
import { createWebhookActivities, type WebhookConfig } from './webhook';

export function createErpActivities(deps: { db: Knex; webhook?: WebhookConfig }) {
  return {
    ...createGoodsActivities(deps),
    ...createSalesOrderActivities(deps),
    ...createOpenOrderActivities(deps),
    ...createWebhookActivities({ config: deps.webhook ?? {} }),
  };
}
