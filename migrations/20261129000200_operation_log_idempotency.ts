// Activities are retried after a crash between commit and acknowledgement. An idempotency key on the
// log row (the activity's workflow, run and activity id) lets the retry see that its change is already
// in, so the state change and its log line happen exactly once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('operation_log', (t) => {
    t.text('idempotency_key').unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('operation_log', (t) => {
    t.dropColumn('idempotency_key');
  });
}
