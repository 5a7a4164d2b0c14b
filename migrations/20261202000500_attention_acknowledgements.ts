// An operator's "seen, handled" on an attention item. It hides that item only for the situation it saw:
// an item whose `since` is later than the acknowledgement (the document failed again) is listed again.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attention_acknowledgements', (t) => {
    t.text('kind').notNullable();
    t.text('subject').notNullable();
    t.text('document_no').notNullable();
    t.text('note').notNullable();
    t.text('actor_role').notNullable();
    t.timestamp('acknowledged_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['kind', 'subject', 'document_no']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('attention_acknowledgements');
}
