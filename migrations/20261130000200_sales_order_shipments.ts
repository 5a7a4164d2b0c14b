// What JD really shipped: a short shipment (realOutQty below the ordered quantity) books only what left
// the warehouse, so each line keeps what shipped and what fell short, and the order carries a flag the
// operator's list filters on. A multi-parcel shipment has several waybills; `way_bill` keeps the first
// for readers that know only one.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sales_orders', (t) => {
    t.specificType('way_bills', 'text[]');
    t.boolean('short_shipped').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('sales_order_lines', (t) => {
    /** Null until the order ships. */
    t.integer('shipped_quantity');
    t.integer('short_quantity');
  });
  // The operator's view lists the few short-shipped orders among many: index only those.
  await knex.raw('CREATE INDEX sales_orders_short_shipped ON sales_orders (created_at) WHERE short_shipped');

  // Orders shipped before this migration: their waybill, and what the stock ledger booked for them.
  await knex.raw('UPDATE sales_orders SET way_bills = ARRAY[way_bill] WHERE way_bill IS NOT NULL');
  await knex.raw(`
    UPDATE sales_order_lines l
       SET shipped_quantity = booked.quantity, short_quantity = GREATEST(l.quantity - booked.quantity, 0)
      FROM (SELECT o.order_no, ol.sku,
                   COALESCE((SELECT -SUM(s.quantity) FROM stock_ledger s
                              WHERE s.doc_type = 'SO' AND s.doc_no = o.order_no AND s.doc_revision = o.push_revision AND s.sku = ol.sku), 0)::integer AS quantity
              FROM sales_orders o JOIN sales_order_lines ol ON ol.order_no = o.order_no
             WHERE o.status = 'SHIPPED') booked
     WHERE booked.order_no = l.order_no AND booked.sku = l.sku`);
  await knex.raw(`
    UPDATE sales_orders o SET short_shipped = true
     WHERE EXISTS (SELECT 1 FROM sales_order_lines l WHERE l.order_no = o.order_no AND l.short_quantity > 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS sales_orders_short_shipped');
  await knex.schema.alterTable('sales_order_lines', (t) => {
    t.dropColumn('short_quantity');
    t.dropColumn('shipped_quantity');
  });
  await knex.schema.alterTable('sales_orders', (t) => {
    t.dropColumn('short_shipped');
    t.dropColumn('way_bills');
  });
}
