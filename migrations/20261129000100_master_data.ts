// 基础信息: the ERP's master data and its JD counterparts. Every push validates against these first.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('warehouses', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('jd_warehouse_no');
    t.boolean('eclp_connected').notNullable().defaultTo(false);
    t.timestamps(true, true);
  });
  // A connected warehouse without a JD number could never receive a push.
  await knex.raw(`ALTER TABLE warehouses ADD CONSTRAINT warehouses_connected_has_jd_no CHECK (NOT eclp_connected OR jd_warehouse_no IS NOT NULL)`);

  await knex.schema.createTable('carriers', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('jd_shipper_no').notNullable();
    t.timestamps(true, true);
  });

  await knex.schema.createTable('suppliers', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('jd_supplier_no').notNullable();
    t.timestamps(true, true);
  });

  await knex.schema.createTable('categories', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.text('jd_first_category_no').notNullable();
    t.text('jd_second_category_no').notNullable();
    t.text('jd_third_category_no').notNullable();
    t.timestamps(true, true);
  });

  await knex.schema.createTable('goods', (t) => {
    t.text('sku').primary();
    t.text('name').notNullable();
    // No foreign key: goods may be entered before their category is mapped; the sync's pre-flight says so.
    t.text('category_code').notNullable();
    t.integer('safe_days').notNullable().defaultTo(0);
    t.boolean('serial_managed').notNullable().defaultTo(false);
    t.text('jd_goods_no').unique();
    t.text('sync_status').notNullable().defaultTo('NOT_SYNCED');
    t.text('sync_error');
    t.text('sync_workflow_id');
    t.timestamp('synced_at', { useTz: true });
    t.timestamps(true, true);
  });

  // Barcodes are unique across all goods (seed tip 1): the primary key enforces it even under races.
  await knex.schema.createTable('goods_barcodes', (t) => {
    t.text('barcode').primary();
    t.text('sku').notNullable().references('sku').inTable('goods').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.index(['sku']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['goods_barcodes', 'goods', 'categories', 'suppliers', 'carriers', 'warehouses']) {
    await knex.schema.dropTableIfExists(table);
  }
}
