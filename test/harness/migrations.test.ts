// The migration list is explicit (migrations/index.ts); these checks keep it in step with the folder
// and keep every migration reversible.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { MIGRATIONS, migrateLatest, rollbackLast } from '../../migrations';
import { createTestDatabase } from '.';

it('lists every migration file of migrations/ exactly once, in file-name order', async () => {
  const files = (await readdir(path.join(__dirname, '..', '..', 'migrations')))
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
  expect(MIGRATIONS.map((entry) => entry.name)).toEqual(files);
  for (const name of files) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
});

describe('on a database of its own', () => {
  let db: Knex;
  beforeAll(async () => {
    db = await createTestDatabase(); // already migrated to the latest
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const userTables = async () =>
    (await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename')).filter((name: string) => !name.startsWith('knex_')).sort();

  it('is a no-op when already up to date', async () => {
    expect(await migrateLatest(db)).toEqual([]);
  });

  it('rolls every migration back and applies them again', async () => {
    const tables = await userTables();
    expect(tables).toContain('operation_log');
    // createTestDatabase applied everything in one batch, so one rollback undoes it all.
    expect(await rollbackLast(db)).toEqual(MIGRATIONS.map((entry) => entry.name).reverse());
    expect(await userTables()).toEqual([]);
    expect(await migrateLatest(db)).toEqual(MIGRATIONS.map((entry) => entry.name));
    expect(await userTables()).toEqual(tables);
  });
});
