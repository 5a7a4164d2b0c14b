// The knex instance every database user shares: DATABASE_URL when set (production, CI services),
// otherwise an embedded PostgreSQL under .data/pg that this process starts and stops (DESIGN.md §2).
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrateLatest } from '../migrations';
import { DEFAULT_EMBEDDED_PORT, startEmbeddedPostgres } from './embedded';
import { onDestroy } from './on-destroy';
import { databaseUrlFor, ensureDatabase, redactUrl } from './url';

export { onDestroy } from './on-destroy';
export { databaseUrlFor, dropDatabase, ensureDatabase, redactUrl, withClient } from './url';
export { migrateLatest } from '../migrations';

/** The application's database inside the embedded cluster (the cluster's own `postgres` stays for admin). */
export const EMBEDDED_DATABASE = 'eclp_bridge';

export interface OpenDatabaseOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides env.DATABASE_URL. */
  databaseUrl?: string;
  /** Embedded cluster location; default PG_EMBEDDED_DATA_DIR or `.data/pg` under the working directory. */
  embeddedDataDir?: string;
  /** Default PG_EMBEDDED_PORT or 54329. */
  embeddedPort?: number;
  /** Apply pending migrations before returning. Default false. */
  migrate?: boolean;
  pool?: Knex.PoolConfig;
  /** Progress of the embedded server and migrations; default stderr. Never receives passwords. */
  log?: (line: string) => void;
}

export interface Database {
  /** Its destroy() is close(). */
  knex: Knex;
  /** Full connection string, password included: hand it to child processes, print redactUrl(url). */
  url: string;
  /** True when the database lives in an embedded cluster (started here or by another local process). */
  embedded: boolean;
  /** Closes the pool and stops the embedded server if this call started it. */
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const databaseUrl = options.databaseUrl ?? env.DATABASE_URL;

  let url: string;
  let stopServer: (() => Promise<void>) | undefined;
  if (databaseUrl) {
    url = databaseUrl;
  } else {
    const dataDir = path.resolve(options.embeddedDataDir ?? env.PG_EMBEDDED_DATA_DIR ?? path.join('.data', 'pg'));
    const port = options.embeddedPort ?? parsePort(env.PG_EMBEDDED_PORT) ?? DEFAULT_EMBEDDED_PORT;
    const startedAt = Date.now();
    const server = await startEmbeddedPostgres({ dataDir, port });
    stopServer = () => server.stop();
    url = databaseUrlFor(server.adminUrl, EMBEDDED_DATABASE);
    try {
      await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE);
    } catch (error) {
      await server.stop();
      throw error;
    }
    log(
      server.startedHere
        ? `Embedded PostgreSQL ready in ${Date.now() - startedAt} ms: ${redactUrl(url)} (data in ${dataDir})`
        : `Embedded PostgreSQL for ${dataDir} is already run by another process; using it: ${redactUrl(url)}`,
    );
  }

  const knex = onDestroy(connect(url, options.pool), async () => stopServer?.());

  if (options.migrate) {
    try {
      const applied = await migrateLatest(knex);
      log(applied.length ? `Migrations applied: ${applied.join(', ')}` : 'Database schema is up to date');
    } catch (error) {
      await knex.destroy();
      throw error;
    }
  }
  return { knex, url, embedded: !databaseUrl, close: () => knex.destroy() };
}

/**
 * A knex instance (pg client) for callers that only want the instance. Its destroy() also stops the
 * embedded server when this call started one, so whoever owns the instance owns the server.
 */
export async function createDb(options: OpenDatabaseOptions = {}): Promise<Knex> {
  return (await openDatabase(options)).knex;
}

function connect(connectionString: string, pool?: Knex.PoolConfig): Knex {
  return knexFactory({ client: 'pg', connection: connectionString, pool: { min: 0, max: 10, ...pool } });
}

function parsePort(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PG_EMBEDDED_PORT=${value} is not a port number.`);
  return port;
}

let shared: Promise<Knex> | undefined;

/** The process-wide instance, created on first use with the environment's settings. */
export function getDb(): Promise<Knex> {
  shared ??= createDb().catch((error: unknown) => {
    shared = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return shared;
}

/** Destroys the process-wide instance (and stops the embedded server it started). */
export async function closeDb(): Promise<void> {
  const current = shared;
  shared = undefined;
  // A failed creation has nothing to close.
  const db = await current?.catch(() => undefined);
  await db?.destroy();
}
