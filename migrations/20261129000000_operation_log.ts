// The operation log (操作日志): who did what to which ERP document, shown by the document GET endpoints.
// Append-only; rows are read per document in time order, hence the index.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operation_log', (table) => {
    table.bigIncrements('id');
    table.text('doc_type').notNullable();
    table.text('doc_key').notNullable();
    table.text('action').notNullable();
    // Null for entries the system writes on its own (JD status changes, retries), not on a caller's behalf.
    table.text('actor_role');
    table.jsonb('detail');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['doc_type', 'doc_key', 'created_at'], 'operation_log_doc_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('operation_log');
}
