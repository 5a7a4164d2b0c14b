// JD authorisation (授权仓海, eclp-api.md §1.8): the OAuth token pair, encrypted at rest (AES-256-GCM,
// key JD_TOKEN_KEY), with its expiry and refresh record; the single-use `state` of each authorisation
// the API handed out; and the health of our JD credentials as the workers see JD judge them.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('jd_oauth_tokens', (t) => {
    /** One authorisation per deployment: the row `jd`. */
    t.text('id').primary();
    t.text('app_key').notNullable();
    /** `v1.<iv>.<tag>.<ciphertext>` (base64url): never the token itself. */
    t.text('access_token_enc').notNullable();
    t.text('refresh_token_enc').notNullable();
    /** First 8 hex digits of SHA-256 over the key: tells a wrong JD_TOKEN_KEY from a damaged row. */
    t.text('key_id').notNullable();
    /** +1 for every new token pair (authorisation or refresh): a refresh only replaces the pair it read. */
    t.integer('generation').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    /** When the code exchange (the authorisation) issued the first pair. */
    t.timestamp('obtained_at', { useTz: true }).notNullable();
    t.timestamp('refreshed_at', { useTz: true });
    /** When the refresher means to refresh (expires_at minus JD_TOKEN_REFRESH_BEFORE_MS). */
    t.timestamp('refresh_due_at', { useTz: true });
    /** A refresh is under way at JD: a worker whose token JD refused waits a moment for the new one. */
    t.timestamp('refresh_started_at', { useTz: true });
    t.text('last_refresh_error');
    t.timestamp('last_refresh_error_at', { useTz: true });
    t.integer('refresh_failures').notNullable().defaultTo(0);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('jd_oauth_states', (t) => {
    t.text('state').primary();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    /** Set when the callback claimed it: a state is good for one callback. */
    t.timestamp('used_at', { useTz: true });
    /** JD's code between the callback and the exchange; cleared once exchanged. */
    t.text('code');
    t.text('workflow_id');
    t.timestamp('exchanged_at', { useTz: true });
    t.text('exchange_error');
    t.index(['expires_at']);
  });

  await knex.schema.createTable('jd_credential_health', (t) => {
    t.text('id').primary();
    /** The last time JD refused our credentials (codes eclp/ classifies as configuration: 18, 19, 21, 12, 22, 25, …). */
    t.timestamp('refused_at', { useTz: true });
    t.text('refused_code');
    t.text('refused_zh_desc');
    t.text('refused_method');
    /** The last call JD accepted our credentials on, once it came after a refusal (or first seen). */
    t.timestamp('last_success_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('jd_credential_health');
  await knex.schema.dropTableIfExists('jd_oauth_states');
  await knex.schema.dropTableIfExists('jd_oauth_tokens');
}
