// 采购订单 and 采购入库单: the PO with its lines (ordered, received, short, defective, over as JD reports
// them), one purchase receipt per increase of JD's received quantities, the operator's requests with
// their verdicts, and serial-number batches waiting for upload. The stock ledger gets `entry_no`: a PO
// books one ledger row per SKU and receipt, so the idempotency key grows by the receipt's number.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('purchase_orders', (t) => {
    t.text('po_no').primary();
    t.text('supplier_code').notNullable();
    t.text('warehouse_code').notNullable();
    t.text('remark');
    t.text('body_hash').notNullable();
    t.text('status').notNullable();
    t.timestamp('status_since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('push_revision').notNullable().defaultTo(1);
    t.text('workflow_id');
    t.text('sp_po_order_no');
    t.text('po_order_no');
    t.text('jd_warehouse_no');
    t.text('jd_status');
    t.text('failure_reason');
    t.text('failure_stage');
    t.integer('receipts').notNullable().defaultTo(0);
    t.integer('received_total').notNullable().defaultTo(0);
    /** Ended by po.closePo (or JD's cancel after a receipt) with less than ordered. */
    t.boolean('closed_short').notNullable().defaultTo(false);
    t.timestamps(true, true);
    t.index(['status', 'status_since']);
    t.index(['warehouse_code', 'status']);
    t.index(['created_at']);
  });
  // One JD PO per ERP PO: a second row pointing at the same JD number is a duplicate push.
  await knex.raw('CREATE UNIQUE INDEX purchase_orders_po_order_no ON purchase_orders (po_order_no) WHERE po_order_no IS NOT NULL');

  await knex.schema.createTable('purchase_order_lines', (t) => {
    t.text('po_no').notNullable().references('po_no').inTable('purchase_orders').onDelete('CASCADE');
    t.integer('line_no').notNullable();
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    t.decimal('unit_price', 14, 2);
    t.integer('received_quantity').notNullable().defaultTo(0);
    t.integer('short_quantity').notNullable().defaultTo(0);
    t.integer('defective_quantity').notNullable().defaultTo(0);
    t.integer('excess_quantity').notNullable().defaultTo(0);
    t.primary(['po_no', 'line_no']);
    t.unique(['po_no', 'sku']);
  });

  await knex.schema.createTable('purchase_receipts', (t) => {
    t.text('receipt_no').primary();
    t.text('po_no').notNullable().references('po_no').inTable('purchase_orders').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.integer('push_revision').notNullable();
    t.text('po_order_no').notNullable();
    t.text('warehouse_code').notNullable();
    t.text('jd_status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['po_no', 'seq']);
  });

  await knex.schema.createTable('purchase_receipt_lines', (t) => {
    t.text('receipt_no').notNullable().references('receipt_no').inTable('purchase_receipts').onDelete('CASCADE');
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    t.primary(['receipt_no', 'sku']);
  });

  await knex.schema.createTable('purchase_order_requests', (t) => {
    t.text('request_id').primary();
    t.text('po_no').notNullable().references('po_no').inTable('purchase_orders').onDelete('CASCADE');
    t.integer('push_revision').notNullable();
    t.text('kind').notNullable();
    t.text('reason');
    /** link: the JD number the operator gave. */
    t.text('po_order_no');
    t.text('actor_role').notNullable();
    t.text('source').notNullable();
    t.text('status_at_request');
    t.text('verdict');
    t.text('resulting_status');
    t.text('jd_message');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.index(['po_no', 'requested_at']);
  });

  await knex.schema.createTable('purchase_order_serials', (t) => {
    t.text('batch_id').primary();
    t.text('po_no').notNullable().references('po_no').inTable('purchase_orders').onDelete('CASCADE');
    t.text('sku').notNullable();
    t.specificType('serial_nos', 'text[]').notNullable();
    /** pending → uploaded | failed (JD's words in `error`). */
    t.text('status').notNullable().defaultTo('pending');
    /** JD's `addPoSidResult`, verbatim. */
    t.text('jd_result');
    t.text('error');
    /** The serial-list version sent to JD (addPoSidDetail `version`). */
    t.integer('version');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('uploaded_at', { useTz: true });
    t.index(['po_no', 'created_at']);
  });

  await knex.schema.alterTable('stock_ledger', (t) => {
    t.integer('entry_no').notNullable().defaultTo(0);
    t.dropUnique(['doc_type', 'doc_no', 'doc_revision', 'sku']);
    t.unique(['doc_type', 'doc_no', 'doc_revision', 'sku', 'entry_no']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DELETE FROM stock_ledger WHERE entry_no <> 0");
  await knex.schema.alterTable('stock_ledger', (t) => {
    t.dropUnique(['doc_type', 'doc_no', 'doc_revision', 'sku', 'entry_no']);
    t.unique(['doc_type', 'doc_no', 'doc_revision', 'sku']);
    t.dropColumn('entry_no');
  });
  for (const table of ['purchase_order_serials', 'purchase_order_requests', 'purchase_receipt_lines', 'purchase_receipts', 'purchase_order_lines', 'purchase_orders']) {
    await knex.schema.dropTableIfExists(table);
  }
}
