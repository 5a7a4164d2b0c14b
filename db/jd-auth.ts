// JD authorisation in Postgres: the OAuth token pair encrypted at rest (AES-256-GCM with JD_TOKEN_KEY),
// the single-use OAuth `state`s, and the health of our JD credentials. Token values leave this module
// only decrypted for the JD client; every read for people (API, readyz, attention) carries none.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export const JD_AUTH_ROW = 'jd';
/** An OAuth state is good for ten minutes and one callback. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

// ---------------------------------------------------------------------------------------------------
// Encryption

const FORMAT = 'v1';

/** First 8 hex digits of SHA-256 over the key: stored beside the ciphertext, never the key. */
export function tokenKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** AES-256-GCM with a random 96-bit IV; `aad` binds the ciphertext to its column. */
export function encryptToken(key: Buffer, plaintext: string, aad: string): string {
  if (key.length !== 32) throw new Error('the token key must be 32 bytes');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export class TokenDecryptionError extends Error {
  override readonly name = 'TokenDecryptionError';
}

export function decryptToken(key: Buffer, sealed: string, aad: string): string {
  const [format, iv, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new TokenDecryptionError('the stored token is not in a format this version reads');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TokenDecryptionError('the stored token cannot be decrypted with JD_TOKEN_KEY (another key, or a damaged row)');
  }
}

// ---------------------------------------------------------------------------------------------------
// Tokens

export interface JdOAuthTokenRow {
  id: string;
  app_key: string;
  access_token_enc: string;
  refresh_token_enc: string;
  key_id: string;
  generation: number;
  expires_at: Date;
  obtained_at: Date;
  refreshed_at: Date | null;
  refresh_due_at: Date | null;
  refresh_started_at: Date | null;
  last_refresh_error: string | null;
  last_refresh_error_at: Date | null;
  refresh_failures: number;
  created_at: Date;
  updated_at: Date;
}

/** What people may see of the stored token: no token value. */
export interface JdTokenStatus {
  appKey: string;
  generation: number;
  expiresAt: string;
  obtainedAt: string;
  refreshedAt: string | null;
  refreshDueAt: string | null;
  lastRefreshError: { message: string; at: string; failures: number } | null;
}

export interface JdTokenPair {
  accessToken: string;
  refreshToken: string;
  generation: number;
  expiresAt: Date;
  refreshStartedAt: Date | null;
}

const tokens = (db: Knex) => db<JdOAuthTokenRow>('jd_oauth_tokens');
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function readJdTokenStatus(db: Knex): Promise<JdTokenStatus | undefined> {
  const row = await tokens(db).where({ id: JD_AUTH_ROW }).first();
  if (!row) return undefined;
  // A failure counts while no refresh has succeeded since.
  const failing = row.last_refresh_error !== null && row.last_refresh_error_at !== null && row.last_refresh_error_at > (row.refreshed_at ?? row.obtained_at);
  return {
    appKey: row.app_key,
    generation: row.generation,
    expiresAt: row.expires_at.toISOString(),
    obtainedAt: row.obtained_at.toISOString(),
    refreshedAt: iso(row.refreshed_at),
    refreshDueAt: iso(row.refresh_due_at),
    lastRefreshError: failing ? { message: row.last_refresh_error!, at: row.last_refresh_error_at!.toISOString(), failures: row.refresh_failures } : null,
  };
}

/** The decrypted pair for the JD client; undefined when none is stored. Throws TokenDecryptionError for a wrong key. */
export async function readJdTokenPair(db: Knex, key: Buffer): Promise<JdTokenPair | undefined> {
  const row = await tokens(db).where({ id: JD_AUTH_ROW }).first();
  if (!row) return undefined;
  if (row.key_id !== tokenKeyId(key)) throw new TokenDecryptionError(`the stored JD token was encrypted with another JD_TOKEN_KEY (key id ${row.key_id}, this process has ${tokenKeyId(key)})`);
  return {
    accessToken: decryptToken(key, row.access_token_enc, 'access_token'),
    refreshToken: decryptToken(key, row.refresh_token_enc, 'refresh_token'),
    generation: row.generation,
    expiresAt: row.expires_at,
    refreshStartedAt: row.refresh_started_at,
  };
}

export interface NewTokenPair {
  appKey: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

/** A new authorisation: replaces whatever pair was stored, as the next generation. */
export async function storeAuthorisedToken(db: Knex, key: Buffer, pair: NewTokenPair): Promise<{ generation: number; expiresAt: Date }> {
  const sealed = seal(key, pair);
  const [row] = await tokens(db)
    .insert({ id: JD_AUTH_ROW, ...sealed, generation: 1, obtained_at: db.fn.now() as unknown as Date, refresh_failures: 0 })
    .onConflict('id')
    .merge({
      ...sealed,
      generation: db.raw('jd_oauth_tokens.generation + 1') as unknown as number,
      obtained_at: db.fn.now() as unknown as Date,
      refreshed_at: null,
      refresh_due_at: null,
      refresh_started_at: null,
      last_refresh_error: null,
      last_refresh_error_at: null,
      refresh_failures: 0,
      updated_at: db.fn.now() as unknown as Date,
    })
    .returning(['generation', 'expires_at']);
  return { generation: row!.generation, expiresAt: row!.expires_at };
}

/** A refresh of `generation`: replaces it only if no other pair came meanwhile. */
export async function storeRefreshedToken(db: Knex, key: Buffer, generation: number, pair: NewTokenPair): Promise<{ generation: number; expiresAt: Date } | undefined> {
  const [row] = await tokens(db)
    .where({ id: JD_AUTH_ROW, generation })
    .update({
      ...seal(key, pair),
      generation: generation + 1,
      refreshed_at: db.fn.now() as unknown as Date,
      refresh_started_at: null,
      last_refresh_error: null,
      last_refresh_error_at: null,
      refresh_failures: 0,
      updated_at: db.fn.now() as unknown as Date,
    })
    .returning(['generation', 'expires_at']);
  return row ? { generation: row.generation, expiresAt: row.expires_at } : undefined;
}

function seal(key: Buffer, pair: NewTokenPair) {
  return {
    app_key: pair.appKey,
    access_token_enc: encryptToken(key, pair.accessToken, 'access_token'),
    refresh_token_enc: encryptToken(key, pair.refreshToken, 'refresh_token'),
    key_id: tokenKeyId(key),
    expires_at: pair.expiresAt,
  };
}

export async function markJdTokenRefreshStarted(db: Knex, generation: number): Promise<void> {
  await tokens(db).where({ id: JD_AUTH_ROW, generation }).update({ refresh_started_at: db.fn.now() as unknown as Date });
}

/** A refresh attempt failed: kept for the attention list and /readyz until a refresh succeeds. */
export async function recordJdTokenRefreshFailure(db: Knex, generation: number, message: string): Promise<void> {
  await tokens(db)
    .where({ id: JD_AUTH_ROW, generation })
    .update({
      refresh_started_at: null,
      last_refresh_error: message.slice(0, 2000),
      last_refresh_error_at: db.fn.now() as unknown as Date,
      refresh_failures: db.raw('refresh_failures + 1') as unknown as number,
      updated_at: db.fn.now() as unknown as Date,
    });
}

export async function recordJdTokenRefreshDue(db: Knex, generation: number, dueAt: Date): Promise<void> {
  await tokens(db).where({ id: JD_AUTH_ROW, generation }).update({ refresh_due_at: dueAt });
}

// ---------------------------------------------------------------------------------------------------
// OAuth states

export interface JdOAuthStateRow {
  state: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  code: string | null;
  workflow_id: string | null;
  exchanged_at: Date | null;
  exchange_error: string | null;
}

const states = (db: Knex) => db<JdOAuthStateRow>('jd_oauth_states');

/** A fresh random state, stored for one callback within OAUTH_STATE_TTL_MS; expired ones are swept. */
export async function createOAuthState(db: Knex): Promise<{ state: string; expiresAt: string }> {
  const state = randomBytes(24).toString('base64url');
  await states(db).where('expires_at', '<', db.raw("now() - interval '1 day'")).delete();
  const [row] = await states(db)
    .insert({ state, expires_at: db.raw(`now() + make_interval(secs => ?)`, [OAUTH_STATE_TTL_MS / 1000]) as unknown as Date })
    .returning('expires_at');
  return { state, expiresAt: row!.expires_at.toISOString() };
}

export type StateClaim = { claimed: true } | { claimed: false; reason: 'unknown' | 'used' | 'expired' };

/** The callback's check: claims the state once (keeping JD's code for the exchange) or says why not. */
export async function claimOAuthState(db: Knex, state: string, code: string, workflowId: string): Promise<StateClaim> {
  const claimed = await states(db)
    .where({ state })
    .whereNull('used_at')
    .where('expires_at', '>', db.fn.now())
    .update({ used_at: db.fn.now() as unknown as Date, code, workflow_id: workflowId });
  if (claimed === 1) return { claimed: true };
  const row = await states(db).where({ state }).first();
  if (!row) return { claimed: false, reason: 'unknown' };
  return { claimed: false, reason: row.used_at ? 'used' : 'expired' };
}

/** The exchange could not start (Temporal unreachable): the state may be called back again. */
export async function releaseOAuthState(db: Knex, state: string): Promise<void> {
  await states(db).where({ state }).whereNull('exchanged_at').update({ used_at: null, code: null, workflow_id: null });
}

/** The code of a claimed state, for the exchange; undefined once exchanged (or never claimed). */
export async function readOAuthStateCode(db: Knex, state: string): Promise<string | undefined> {
  const row = await states(db).where({ state }).whereNotNull('used_at').first();
  return row?.code ?? undefined;
}

/** The exchange is over: JD's single-use code is of no further use, so it goes. */
export async function finishOAuthState(db: Knex, state: string, error?: string): Promise<void> {
  await states(db)
    .where({ state })
    .update({ code: null, exchanged_at: db.fn.now() as unknown as Date, exchange_error: error?.slice(0, 2000) ?? null });
}

// ---------------------------------------------------------------------------------------------------
// Credential health

export interface JdCredentialHealthRow {
  id: string;
  refused_at: Date | null;
  refused_code: string | null;
  refused_zh_desc: string | null;
  refused_method: string | null;
  last_success_at: Date | null;
  updated_at: Date;
}

export interface JdCredentialHealth {
  /** JD refused our credentials and has not accepted them since. */
  refused: boolean;
  refusedAt: string | null;
  code: string | null;
  zhDesc: string | null;
  method: string | null;
  lastSuccessAt: string | null;
}

const health = (db: Knex) => db<JdCredentialHealthRow>('jd_credential_health');

export async function readJdCredentialHealth(db: Knex): Promise<JdCredentialHealth> {
  const row = await health(db).where({ id: JD_AUTH_ROW }).first();
  if (!row) return { refused: false, refusedAt: null, code: null, zhDesc: null, method: null, lastSuccessAt: null };
  return {
    refused: row.refused_at !== null && (row.last_success_at === null || row.last_success_at < row.refused_at),
    refusedAt: iso(row.refused_at),
    code: row.refused_code,
    zhDesc: row.refused_zh_desc,
    method: row.refused_method,
    lastSuccessAt: iso(row.last_success_at),
  };
}

export async function recordJdCredentialRefusal(db: Knex, refusal: { code: string; zhDesc?: string; method: string }): Promise<void> {
  const values = { refused_at: db.fn.now() as unknown as Date, refused_code: refusal.code, refused_zh_desc: refusal.zhDesc?.slice(0, 500) ?? null, refused_method: refusal.method, updated_at: db.fn.now() as unknown as Date };
  await health(db).insert({ id: JD_AUTH_ROW, ...values }).onConflict('id').merge(values);
}

/** JD accepted our credentials: written only when it ends a refusal (or nothing was recorded yet). */
export async function recordJdCredentialSuccess(db: Knex): Promise<void> {
  await db.raw(
    `INSERT INTO jd_credential_health (id, last_success_at, updated_at) VALUES (?, now(), now())
     ON CONFLICT (id) DO UPDATE SET last_success_at = now(), updated_at = now()
     WHERE jd_credential_health.refused_at IS NOT NULL
       AND (jd_credential_health.last_success_at IS NULL OR jd_credential_health.last_success_at < jd_credential_health.refused_at)`,
    [JD_AUTH_ROW],
  );
}
