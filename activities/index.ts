// Activities grouped by the system they touch. The `erp` task queue runs the database ones.
import type { Knex } from 'knex';
import { createGoodsActivities } from './erp-goods';

export function createErpActivities(deps: { db: Knex }) {
  return {
    ...createGoodsActivities(deps),
  };
}
