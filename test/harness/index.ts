// Helpers for test files, on top of the servers global-setup.ts starts for the whole run.
// The full stack for one file (real Worker with the real activities, in-process JD simulator, API app)
// is test/helpers/stack.ts, built from these.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import knexFactory, { type Knex } from 'knex';
import { databaseUrlFor, dropDatabase, migrateLatest, onDestroy, withClient } from '../../db';
import { harnessSettings } from './env';
import { newTestDatabaseName } from './postgres';

export { harnessSettings } from './env';

/**
 * A fresh, migrated database of its own (one per test file, or per test when isolation matters).
 * destroy() closes the pool and drops the database.
 */
export async function createTestDatabase(): Promise<Knex> {
  const { databaseAdminUrl } = harnessSettings();
  const name = newTestDatabaseName();
  await withClient(databaseAdminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const knex = onDestroy(
    knexFactory({ client: 'pg', connection: databaseUrlFor(databaseAdminUrl, name), pool: { min: 0, max: 5 } }),
    () => dropDatabase(databaseAdminUrl, name),
  );
  try {
    await migrateLatest(knex);
  } catch (error) {
    await knex.destroy();
    throw error;
  }
  return knex;
}

/** A client of the run's dev server. Close it with `client.connection.close()`. */
export async function testTemporalClient(): Promise<Client> {
  const { temporalAddress, temporalNamespace } = harnessSettings();
  const connection = await Connection.connect({ address: temporalAddress });
  return new Client({ connection, namespace: temporalNamespace });
}

/** For Worker.create. Close it with `connection.close()` after the worker has stopped. */
export async function testNativeConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: harnessSettings().temporalAddress });
}

/** Test files share one server, so each needs task queues no other file polls. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
