// What /readyz asks Postgres.
import type { Knex } from 'knex';

/** Resolves when the database answers a query; rejects with the driver's error otherwise. */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}
