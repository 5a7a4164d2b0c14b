// The embedded cluster behind `npm start` and `npm run migrate`: persistent data, clean stops, and
// recovery from the states a crashed run leaves behind.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withClient } from '../../db';
import { isAlive, startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/embedded';
import { freePort } from '../support';

let tempDir: string;
let dataDir: string;
let port: number;
const running: EmbeddedPostgres[] = [];

beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'eclp-embedded-test-'));
  await chmod(tempDir, 0o755); // reachable by the `postgres` user when tests run as root
  dataDir = path.join(tempDir, 'pg');
  port = await freePort();
});
afterAll(async () => {
  for (const server of running.reverse()) await server.stop();
  await rm(tempDir, { recursive: true, force: true });
});

async function start(): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, port });
  running.push(server);
  return server;
}

async function stop(server: EmbeddedPostgres): Promise<void> {
  running.splice(running.indexOf(server), 1);
  await server.stop();
}

const query = (url: string, sql: string) => withClient(url, (client) => client.query(sql));
const postmasterPid = async () => Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

/** Under root the server runs as `postgres`; elsewhere as the current user. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

it('keeps its data across a stop and a second start, which does not re-initialise', async () => {
  const first = await start();
  expect(first.startedHere).toBe(true);
  await query(first.adminUrl, "CREATE TABLE survives (note text); INSERT INTO survives VALUES ('仓海')");
  await stop(first);
  expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

  const second = await start();
  const { rows } = await query(second.adminUrl, 'SELECT note FROM survives');
  expect(rows).toEqual([{ note: '仓海' }]);
  await stop(second);
});

it('starts over a postmaster.pid whose PID now belongs to another process', async () => {
  // A lock file from a crash whose PID was reused (common in containers) by an unrelated process of
  // the server's own user. (Postgres itself ignores PIDs of other users and of its parent.)
  const unrelated = spawn('sleep', ['30'], { stdio: 'ignore', ...serverUser() });
  try {
    const lockFile = path.join(dataDir, 'postmaster.pid');
    await writeFile(lockFile, `${unrelated.pid}\n${dataDir}\n1764400000\n${port}\n\n127.0.0.1\n  0 0\nready   \n`);
    const server = await start();
    expect(server.startedHere).toBe(true);
    expect(await postmasterPid()).not.toBe(unrelated.pid);
    await stop(server);
  } finally {
    unrelated.kill();
  }
});

it('uses, and leaves running, a server another live process runs on the same data directory', async () => {
  const owner = await start();
  const guest = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  expect(guest.startedHere).toBe(false);
  expect(guest.port).toBe(port);
  await guest.stop();
  const { rows } = await query(owner.adminUrl, 'SELECT 1 AS up');
  expect(rows).toEqual([{ up: 1 }]);
  await stop(owner);
});

it('shuts down the orphaned postgres of a killed process and starts its own', async () => {
  const holder = spawn(process.execPath, ['--import', 'tsx', require.resolve('./fixtures/hold-embedded-postgres.ts'), dataDir, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    });
    holder.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    holder.once('exit', (code) => reject(new Error(`holder exited (${code}): ${output}`)));
  });
  const orphan = await postmasterPid();
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  expect(isAlive(orphan)).toBe(true);

  const server = await start();
  expect(server.startedHere).toBe(true);
  expect(isAlive(orphan)).toBe(false);
  expect(await postmasterPid()).not.toBe(orphan);
  await stop(server);
});

it('fails with the server log when the port is taken', async () => {
  const owner = await start();
  const otherDir = path.join(tempDir, 'second');
  await expect(startEmbeddedPostgres({ dataDir: otherDir, port, ephemeral: true })).rejects.toThrow(/start failed[\s\S]*Address already in use/);
  await stop(owner);
});
