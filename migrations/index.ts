// Every migration, in order. Knex's directory loader would `require` .ts files, which only works under
// tsx or jest; an explicit list loads the same way under tsx, jest and a compiled build.
// Adding a migration: create `migrations/<yyyymmddhhmmss>_<what>.ts` with up/down and append it here
// (test/harness/migrations.test.ts fails when a file is missing from this list).
import type { Knex } from 'knex';
import * as operationLog from './20261129000000_operation_log';
import * as masterData from './20261129000100_master_data';
import * as operationLogIdempotency from './20261129000200_operation_log_idempotency';
import * as salesOrders from './20261129000300_sales_orders';
import * as webhookDeliveries from './20261130000100_webhook_deliveries';
import * as salesOrderShipments from './20261130000200_sales_order_shipments';
import * as purchaseOrders from './20261201000100_purchase_orders';
import * as returns from './20261201000200_returns';
import * as stockReconciliation from './20261202000100_stock_reconciliation';
import * as goLiveChecks from './20261202000200_go_live_checks';
import * as salesOrderHolds from './20261202000300_sales_order_holds';
import * as jdAuthorisation from './20261202000400_jd_authorisation';
import * as attentionAcknowledgements from './20261202000500_attention_acknowledgements';

export interface NamedMigration {
  /** Stored in knex_migrations; never rename an applied migration. */
  name: string;
  migration: Knex.Migration;
}

export const MIGRATIONS: readonly NamedMigration[] = [
  { name: '20261129000000_operation_log', migration: operationLog },
  { name: '20261129000100_master_data', migration: masterData },
  { name: '20261129000200_operation_log_idempotency', migration: operationLogIdempotency },
  { name: '20261129000300_sales_orders', migration: salesOrders },
  { name: '20261130000100_webhook_deliveries', migration: webhookDeliveries },
  { name: '20261130000200_sales_order_shipments', migration: salesOrderShipments },
  { name: '20261201000100_purchase_orders', migration: purchaseOrders },
  { name: '20261201000200_returns', migration: returns },
  { name: '20261202000100_stock_reconciliation', migration: stockReconciliation },
  { name: '20261202000200_go_live_checks', migration: goLiveChecks },
  { name: '20261202000300_sales_order_holds', migration: salesOrderHolds },
  { name: '20261202000400_jd_authorisation', migration: jdAuthorisation },
  { name: '20261202000500_attention_acknowledgements', migration: attentionAcknowledgements },
];

export const migrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (entry) => entry.name,
  getMigration: async (entry) => entry.migration,
};

export const MIGRATIONS_TABLE = 'knex_migrations';

/** Applies pending migrations; returns the names applied now (empty when already up to date). */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]];
  return applied;
}

/** Undoes the last batch; for development and the migrations' own tests. */
export async function rollbackLast(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]];
  return reverted;
}
