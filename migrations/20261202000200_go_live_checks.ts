// 推单测试 (go-live push test): one row per check with its request (warehouse, carrier, SKUs, the test
// consignee as configured when it was asked), its status, and one row per step it took (master data,
// goods, each test order) with JD's words. Test sales orders carry `go_live_check_id`: they are real
// orders pushed through the normal saga and cancelled at JD at once, and must never ship unnoticed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('go_live_checks', (t) => {
    t.uuid('id').primary();
    t.text('warehouse_code').notNullable();
    t.text('carrier_code').notNullable();
    /** The SKUs asked for, in the order given (one test order each). */
    t.jsonb('skus').notNullable();
    /** The fixed test consignee (GO_LIVE_CONSIGNEE_*) at the time of the request: the orders are created from it. */
    t.jsonb('consignee').notNullable();
    /** Fingerprint of the request: a repeated POST with the same checkId and body is answered, another body refused. */
    t.text('body_hash').notNullable();
    t.text('status').notNullable().defaultTo('RUNNING');
    t.text('actor_role').notNullable();
    t.text('workflow_id');
    /** The failing steps in one sentence, with JD's words (set when the check ends FAILED). */
    t.text('summary');
    t.timestamps(true, true);
    t.timestamp('finished_at', { useTz: true });
    t.index(['status', 'created_at']);
    t.index(['warehouse_code', 'created_at']);
  });
  await knex.raw(`ALTER TABLE go_live_checks ADD CONSTRAINT go_live_checks_status_known CHECK (status IN ('RUNNING', 'PASSED', 'FAILED'))`);

  await knex.schema.createTable('go_live_check_steps', (t) => {
    t.uuid('check_id').notNullable().references('id').inTable('go_live_checks').onDelete('CASCADE');
    /** `master_data`, `goods`, `test_order`. */
    t.text('step').notNullable();
    /** What the step is about within the check: '' for the check as a whole, the order number for a test order. */
    t.text('subject').notNullable().defaultTo('');
    t.text('outcome').notNullable();
    t.text('detail').notNullable();
    /** JD's own words, when JD said something. */
    t.text('jd_message');
    /** The JD number the step saw (a test order's eclpSoNo). */
    t.text('jd_doc_no');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['check_id', 'step', 'subject']);
  });
  await knex.raw(`ALTER TABLE go_live_check_steps ADD CONSTRAINT go_live_check_steps_outcome_known CHECK (outcome IN ('PASSED', 'FAILED'))`);

  await knex.schema.alterTable('sales_orders', (t) => {
    t.uuid('go_live_check_id').references('id').inTable('go_live_checks');
    t.index(['go_live_check_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sales_orders', (t) => {
    t.dropIndex(['go_live_check_id']);
    t.dropColumn('go_live_check_id');
  });
  await knex.schema.dropTable('go_live_check_steps');
  await knex.schema.dropTable('go_live_checks');
}
