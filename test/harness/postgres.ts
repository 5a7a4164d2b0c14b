// The run's PostgreSQL server: DATABASE_URL's server when set, else a throw-away embedded cluster in a
// temporary directory on a free port, so tests never touch a developer's .data/.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, withClient } from '../../db';
import { startEmbeddedPostgres } from '../../db/embedded';
import { freePort } from '../support/ports';

/** Per-file databases are `eclp_test_<unix seconds>_<random>`; the timestamp lets later runs clean up after crashed ones. */
export const TEST_DATABASE_PREFIX = 'eclp_test_';
const ABANDONED_AFTER_SECONDS = 24 * 3600;

export interface TestPostgres {
  adminUrl: string;
  /** How it was provided, for the setup log. */
  description: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestPostgres> {
  if (env.DATABASE_URL) {
    const adminUrl = env.DATABASE_URL;
    await dropAbandonedTestDatabases(adminUrl);
    return { adminUrl, description: 'DATABASE_URL', stop: async () => undefined };
  }
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'eclp-test-pg-'));
  // Under root the server runs as `postgres`, which must be able to enter mkdtemp's 0700 directory.
  await chmod(tempDir, 0o755);
  try {
    const server = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'data'), port: await freePort(), ephemeral: true });
    return {
      adminUrl: server.adminUrl,
      description: `embedded, port ${server.port}`,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          await rm(tempDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

export function newTestDatabaseName(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `${TEST_DATABASE_PREFIX}${Math.floor(Date.now() / 1000)}_${random}`;
}

/** A run killed mid-way leaves its databases on a shared server; drop those older than a day. */
async function dropAbandonedTestDatabases(adminUrl: string): Promise<void> {
  const { rows } = await withClient(adminUrl, (client) =>
    client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${TEST_DATABASE_PREFIX}%`]),
  );
  const cutoff = Date.now() / 1000 - ABANDONED_AFTER_SECONDS;
  for (const { datname } of rows) {
    const createdAt = Number(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0]);
    if (Number.isFinite(createdAt) && createdAt < cutoff) await dropDatabase(adminUrl, datname);
  }
}
