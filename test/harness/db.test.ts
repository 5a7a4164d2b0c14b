// db/: the instance `npm start`, the worker and the API open, from DATABASE_URL or an embedded cluster.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_DATABASE, openDatabase, redactUrl, withClient } from '../../db';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, harnessSettings } from '.';
import { freePort } from '../support';

it('uses DATABASE_URL as given, migrating when asked, and never logs the password', async () => {
  const scratch = await createTestDatabase();
  const { rows } = await scratch.raw<{ rows: Array<{ name: string }> }>('SELECT current_database() AS name');
  await scratch.destroy();
  // Recreate it empty under the same name, so openDatabase has something unmigrated to work on.
  const url = new URL(harnessSettings().databaseAdminUrl);
  await withClient(url.toString(), (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(rows[0]!.name)}`));
  url.pathname = `/${rows[0]!.name}`;

  const lines: string[] = [];
  const db = await openDatabase({ env: { DATABASE_URL: url.toString() }, migrate: true, log: (line) => lines.push(line) });
  try {
    expect(db.embedded).toBe(false);
    expect(db.url).toBe(url.toString());
    expect(await db.knex('operation_log').count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(lines).toEqual([`Migrations applied: ${MIGRATIONS.map((entry) => entry.name).join(', ')}`]);
  } finally {
    await db.close();
    await withClient(harnessSettings().databaseAdminUrl, (client) => client.query(`DROP DATABASE ${client.escapeIdentifier(rows[0]!.name)} WITH (FORCE)`));
  }
});

it('starts an embedded cluster when DATABASE_URL is unset and stops it on close', async () => {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'eclp-db-test-'));
  await chmod(tempDir, 0o755);
  const dataDir = path.join(tempDir, 'pg');
  const lines: string[] = [];
  try {
    const db = await openDatabase({ env: {}, embeddedDataDir: dataDir, embeddedPort: await freePort(), migrate: true, log: (line) => lines.push(line) });
    expect(db.embedded).toBe(true);
    expect(new URL(db.url).pathname).toBe(`/${EMBEDDED_DATABASE}`);
    await db.knex('operation_log').insert({ doc_type: 'RTN', doc_key: 'RTN-1', action: 'create' });
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
    await db.close();
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    const { username, password } = new URL(db.url);
    expect(lines.join('\n')).toContain(`${username}:***@`);
    expect(lines.join('\n')).not.toContain(`${username}:${password}@`);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
});

it('redacts passwords from connection strings', () => {
  expect(redactUrl('postgres://app:s3cr%40t@db.internal:5432/erp')).toBe('postgres://app:***@db.internal:5432/erp');
  expect(redactUrl('postgres://app@db.internal/erp')).toBe('postgres://app@db.internal/erp');
  expect(redactUrl('not a url')).not.toContain('not a url');
});
