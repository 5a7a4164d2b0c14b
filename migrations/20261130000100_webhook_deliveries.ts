// One row per ERP webhook event: what was sent and how its delivery went, so an operator can see the
// events that gave up, with the receiver's last answer, and send them again (POST /v1/webhooks/{id}/redeliver).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    /** The Standard Webhooks `webhook-id`: stable per event, so receivers drop repeats. */
    t.text('event_id').primary();
    t.text('event_type').notNullable();
    /** The document the event is about, e.g. `SO` + order number. */
    t.text('doc_type').notNullable();
    t.text('doc_key').notNullable();
    // `json`, not `jsonb`: it keeps the text as sent, so a redelivery repeats the same bytes.
    t.json('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    /** Operator redeliveries so far; a give-up from an older delivery run must not overwrite a newer one. */
    t.integer('redeliveries').notNullable().defaultTo(0);
    t.text('last_error');
    t.integer('last_http_status');
    t.timestamp('last_attempt_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['status', 'updated_at']);
    t.index(['doc_type', 'doc_key']);
  });
  await knex.raw(`ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_known CHECK (status IN ('pending', 'delivered', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_deliveries');
}
