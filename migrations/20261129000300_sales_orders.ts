// 销售订单 pushed to JD, the cancel requests operators and buyers raise against them, and the stock ledger
// the shipped orders book their outbound into.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sales_orders', (t) => {
    t.text('order_no').primary();
    t.text('shop_order_no');
    // No foreign keys to master data: an order keeps its codes even when a mapping is replaced; the
    // pre-flight reads the current mapping at every push.
    t.text('warehouse_code').notNullable();
    t.text('carrier_code').notNullable();
    t.text('consignee_name').notNullable();
    t.text('consignee_mobile');
    t.text('consignee_phone');
    t.text('consignee_province').notNullable();
    t.text('consignee_city').notNullable();
    t.text('consignee_county').notNullable();
    t.text('consignee_town');
    t.text('consignee_address').notNullable();
    t.text('remark');
    /** Fingerprint of the create body: a repeated POST with the same body is answered, a different one refused. */
    t.text('body_hash').notNullable();
    t.text('status').notNullable().defaultTo('REVIEW');
    t.timestamp('status_since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    /** 0 until the first approval; each approval after 打回审核 pushes again under the next revision. */
    t.integer('push_revision').notNullable().defaultTo(0);
    t.text('workflow_id');
    t.text('eclp_so_no');
    t.text('jd_warehouse_no');
    t.text('way_bill');
    t.text('jd_shipper_no');
    t.text('jd_shipper_name');
    t.timestamp('shipped_at', { useTz: true });
    t.text('failure_reason');
    t.timestamps(true, true);
    t.index(['status', 'created_at']);
    t.index(['warehouse_code', 'created_at']);
    t.index(['created_at']);
  });
  await knex.raw(
    `ALTER TABLE sales_orders ADD CONSTRAINT sales_orders_status_known CHECK (status IN ('REVIEW', 'PUSHING', 'WMS_PICKING', 'SHIPPED', 'FAILED', 'CANCELLED'))`,
  );

  await knex.schema.createTable('sales_order_lines', (t) => {
    t.text('order_no').notNullable().references('order_no').inTable('sales_orders').onDelete('CASCADE');
    t.integer('line_no').notNullable();
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    t.decimal('price', 14, 2).notNullable();
    t.primary(['order_no', 'line_no']);
    t.unique(['order_no', 'sku']);
  });

  // One row per cancel message (打回审核 or buyer refund), keyed by the caller's request id: the API finds
  // the verdict here, and a message sent from the Temporal UI is recorded the same way.
  await knex.schema.createTable('cancel_requests', (t) => {
    t.text('request_id').primary();
    t.text('order_no').notNullable().references('order_no').inTable('sales_orders').onDelete('CASCADE');
    t.integer('push_revision').notNullable();
    t.text('kind').notNullable();
    t.text('reason').notNullable();
    t.text('actor_role').notNullable();
    /** `api`, or `temporal` for a signal sent from the Temporal UI/CLI. */
    t.text('source').notNullable();
    /** The order's status when the workflow took the request in (PUSHING requests wait for the push). */
    t.text('status_at_request');
    /** Null while pending. */
    t.text('verdict');
    t.text('resulting_status');
    t.text('jd_message');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.index(['order_no', 'requested_at']);
    t.index(['verdict']);
  });
  await knex.raw(`ALTER TABLE cancel_requests ADD CONSTRAINT cancel_requests_kind_known CHECK (kind IN ('sendBack', 'buyerRefund'))`);

  // Outbound quantities are negative. The unique key is the retry guard: booking the same document
  // revision twice inserts nothing the second time.
  await knex.schema.createTable('stock_ledger', (t) => {
    t.bigIncrements('id');
    t.text('warehouse_code').notNullable();
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    t.text('doc_type').notNullable();
    t.text('doc_no').notNullable();
    t.integer('doc_revision').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['doc_type', 'doc_no', 'doc_revision', 'sku']);
    t.index(['warehouse_code', 'sku']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['stock_ledger', 'cancel_requests', 'sales_order_lines', 'sales_orders']) {
    await knex.schema.dropTableIfExists(table);
  }
}
