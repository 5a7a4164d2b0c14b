// 售后单 (returns and exchanges) and 销售退货单 (sales-return receipts): the return with its lines (asked,
// received by JD, goods level), the one receipt JD's completion becomes, the operator's cancel requests
// with their verdicts, and the link both ways between an exchange and its replacement sales order.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('returns', (t) => {
    t.text('return_no').primary();
    t.text('order_no').notNullable().references('order_no').inTable('sales_orders');
    t.text('type').notNullable();
    t.text('warehouse_code').notNullable();
    t.text('reason').notNullable();
    t.text('body_hash').notNullable();
    t.text('status').notNullable();
    t.timestamp('status_since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('push_revision').notNullable().defaultTo(1);
    t.text('workflow_id');
    t.text('isv_rtw_num');
    t.text('eclp_rtw_no');
    /** The original order's JD outbound number, copied at push time. */
    t.text('eclp_so_no');
    t.text('jd_warehouse_no');
    t.text('jd_status');
    t.text('failure_reason');
    t.text('failure_stage');
    /** JD's words when the warehouse rejected the parcel (500/600). */
    t.text('reject_reason');
    /** Exchange: the replacement sales order created with the return (sales_orders.replacement_for). */
    t.text('replacement_order_no');
    /** What an operator must do (e.g. the replacement shipped although the return failed); null when nothing. */
    t.text('attention');
    t.timestamp('attention_since', { useTz: true });
    t.timestamps(true, true);
    t.index(['order_no']);
    t.index(['status', 'status_since']);
    t.index(['created_at']);
  });
  await knex.raw('CREATE UNIQUE INDEX returns_eclp_rtw_no ON returns (eclp_rtw_no) WHERE eclp_rtw_no IS NOT NULL');
  await knex.raw('CREATE INDEX returns_attention ON returns (attention_since) WHERE attention IS NOT NULL');

  await knex.schema.createTable('return_lines', (t) => {
    t.text('return_no').notNullable().references('return_no').inTable('returns').onDelete('CASCADE');
    t.integer('line_no').notNullable();
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    /** Null until JD received the return. */
    t.integer('received_quantity');
    t.text('goods_level');
    t.primary(['return_no', 'line_no']);
    t.unique(['return_no', 'sku']);
  });

  await knex.schema.createTable('sales_return_receipts', (t) => {
    t.text('receipt_no').primary();
    t.text('return_no').notNullable().unique().references('return_no').inTable('returns').onDelete('CASCADE');
    t.integer('push_revision').notNullable();
    t.text('eclp_rtw_no').notNullable();
    t.text('warehouse_code').notNullable();
    t.text('jd_status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('sales_return_receipt_lines', (t) => {
    t.text('receipt_no').notNullable().references('receipt_no').inTable('sales_return_receipts').onDelete('CASCADE');
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    t.text('goods_level');
    t.primary(['receipt_no', 'sku']);
  });

  await knex.schema.createTable('return_requests', (t) => {
    t.text('request_id').primary();
    t.text('return_no').notNullable().references('return_no').inTable('returns').onDelete('CASCADE');
    t.integer('push_revision').notNullable();
    t.text('kind').notNullable();
    t.text('reason');
    t.text('actor_role').notNullable();
    t.text('source').notNullable();
    t.text('status_at_request');
    t.text('verdict');
    t.text('resulting_status');
    t.text('jd_message');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.index(['return_no', 'requested_at']);
  });

  await knex.schema.alterTable('sales_orders', (t) => {
    /** The exchange this order replaces goods for (returns.replacement_order_no points back). */
    t.text('replacement_for');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sales_orders', (t) => t.dropColumn('replacement_for'));
  for (const table of ['return_requests', 'sales_return_receipt_lines', 'sales_return_receipts', 'return_lines', 'returns']) {
    await knex.schema.dropTableIfExists(table);
  }
}
