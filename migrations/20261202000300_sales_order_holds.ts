// 挂起 (hold, emulated: ECLP has none) and what follows a cancel JD refused (issue 12 §4–5):
// - sales orders may be HELD, with the hold's reason, `until`, the status it was held from and when;
// - a hold is a third kind of cancel request (its `until` rides on the API's request row to the order);
// - a return may be a DRAFT (草稿): created when an order whose refund JD refused ships, linked to the
//   order's refused cancel request, waiting for an operator to confirm it.
import type { Knex } from 'knex';

const SO_STATUSES_BEFORE = ['REVIEW', 'PUSHING', 'WMS_PICKING', 'SHIPPED', 'FAILED', 'CANCELLED'];

function statusCheck(statuses: string[]): string {
  return `ALTER TABLE sales_orders ADD CONSTRAINT sales_orders_status_known CHECK (status IN (${statuses.map((s) => `'${s}'`).join(', ')}))`;
}

function kindCheck(kinds: string[]): string {
  return `ALTER TABLE cancel_requests ADD CONSTRAINT cancel_requests_kind_known CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sales_orders DROP CONSTRAINT sales_orders_status_known');
  await knex.raw(statusCheck([...SO_STATUSES_BEFORE, 'HELD']));
  await knex.schema.alterTable('sales_orders', (t) => {
    /** The current hold (null unless HELD): the operator's reason, when to look again, what it was held from, when. */
    t.text('hold_reason');
    t.timestamp('hold_until', { useTz: true });
    t.text('held_from');
    t.timestamp('held_at', { useTz: true });
  });
  // The attention list looks for holds past `until` among the few held orders.
  await knex.raw("CREATE INDEX sales_orders_held_until ON sales_orders (hold_until) WHERE status = 'HELD'");

  await knex.raw('ALTER TABLE cancel_requests DROP CONSTRAINT cancel_requests_kind_known');
  await knex.raw(kindCheck(['sendBack', 'buyerRefund', 'hold']));
  await knex.schema.alterTable('cancel_requests', (t) => {
    /** A hold's `until`, as the API took it (the run decides the hold; the order gets it with HELD). */
    t.timestamp('hold_until', { useTz: true });
  });

  await knex.schema.alterTable('returns', (t) => {
    /** A draft's origin: the refund (cancel request) JD refused before the order shipped. */
    t.text('cancel_request_id');
  });
  await knex.raw('CREATE UNIQUE INDEX returns_cancel_request_id ON returns (cancel_request_id) WHERE cancel_request_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS returns_cancel_request_id');
  await knex.schema.alterTable('returns', (t) => t.dropColumn('cancel_request_id'));
  await knex.raw("UPDATE cancel_requests SET kind = 'sendBack' WHERE kind = 'hold'");
  await knex.raw('ALTER TABLE cancel_requests DROP CONSTRAINT cancel_requests_kind_known');
  await knex.raw(kindCheck(['sendBack', 'buyerRefund']));
  await knex.schema.alterTable('cancel_requests', (t) => t.dropColumn('hold_until'));
  await knex.raw('DROP INDEX IF EXISTS sales_orders_held_until');
  // A held order has nothing at JD: back to review, as a release would do.
  await knex.raw("UPDATE sales_orders SET status = 'REVIEW' WHERE status = 'HELD'");
  await knex.raw('ALTER TABLE sales_orders DROP CONSTRAINT sales_orders_status_known');
  await knex.raw(statusCheck(SO_STATUSES_BEFORE));
  await knex.schema.alterTable('sales_orders', (t) => {
    t.dropColumn('hold_reason');
    t.dropColumn('hold_until');
    t.dropColumn('held_from');
    t.dropColumn('held_at');
  });
}
