// Stock reconciliation reports (库存对账): one row per run and warehouse (who started it, when, how it
// ended, its counts) and one line per SKU comparing the ERP's ledger with JD's queryStock, with the
// quantities open documents can explain. Reports are kept; the newest per warehouse feeds the attention list.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stock_reconciliations', (t) => {
    t.uuid('id').primary();
    t.text('warehouse_code').notNullable();
    t.text('jd_warehouse_no');
    /** `api` (GET /v1/stock/reconciliation) or `schedule` (the daily round). */
    t.text('trigger').notNullable();
    /** RUNNING → DONE | FAILED. */
    t.text('status').notNullable();
    t.text('workflow_id');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.integer('sku_count').notNullable().defaultTo(0);
    /** SKUs whose JD total differs from the ledger. */
    t.integer('difference_count').notNullable().defaultTo(0);
    /** SKUs with an unexplained difference (unexplained_qty ≠ 0). */
    t.integer('mismatch_count').notNullable().defaultTo(0);
    /** queryStock rows read (all pages). */
    t.integer('jd_row_count').notNullable().defaultTo(0);
    /** Why the run failed (JD's words where JD refused). */
    t.text('error');
    t.index(['warehouse_code', 'started_at']);
    t.index(['started_at']);
  });

  await knex.schema.createTable('stock_reconciliation_lines', (t) => {
    t.uuid('report_id').notNullable().references('id').inTable('stock_reconciliations').onDelete('CASCADE');
    t.integer('line_no').notNullable();
    /** Null for a JD goods number no SKU of ours carries. */
    t.text('sku');
    t.text('jd_goods_no');
    /** The merchant SKU JD has on record for its goods (isvSku), when JD reported one. */
    t.text('jd_isv_sku');
    /** `both`, `jd-only` or `erp-only`. */
    t.text('side').notNullable();
    t.integer('ledger_qty').notNullable();
    t.integer('jd_total_qty').notNullable();
    t.integer('jd_usable_qty').notNullable();
    t.integer('jd_defective_qty').notNullable();
    t.integer('open_inbound_qty').notNullable();
    t.integer('open_outbound_qty').notNullable();
    t.integer('difference').notNullable();
    t.integer('unexplained_qty').notNullable();
    t.primary(['report_id', 'line_no']);
  });
  await knex.raw('CREATE INDEX stock_reconciliation_lines_unexplained ON stock_reconciliation_lines (report_id) WHERE unexplained_qty <> 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('stock_reconciliation_lines');
  await knex.schema.dropTableIfExists('stock_reconciliations');
}
