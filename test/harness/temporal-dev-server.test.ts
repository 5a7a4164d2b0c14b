// The dev-server launcher behind `npm start`, run with the CLI the harness resolved.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerArgs, startTemporalDevServer, type TemporalDevServer } from '../../scripts/temporal-dev-server';
import { ALL_SEARCH_ATTRIBUTES } from '../../messages/search-attributes';
import { harnessSettings } from '.';
import { freePort } from '../support';

let dir: string;
const started: TemporalDevServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eclp-devserver-test-'));
});
afterAll(async () => {
  for (const server of started) await server.stop();
  await rm(dir, { recursive: true, force: true });
});

it('serves the namespace with the search attributes registered and the Web UI, persists to its SQLite file and stops', async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const dbFilename = path.join(dir, 'nested', 'temporal.db');
  const server = await startTemporalDevServer({ cliPath: harnessSettings().temporalCliPath, port, uiPort, dbFilename });
  started.push(server);
  expect(server.address).toBe(`127.0.0.1:${port}`);
  expect(server.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
  expect((await fetch(server.uiUrl!)).status).toBe(200);

  const connection = await Connection.connect({ address: server.address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {}).sort()).toEqual(ALL_SEARCH_ATTRIBUTES.map((key) => key.name).sort());
  } finally {
    await connection.close();
  }
  expect(existsSync(dbFilename)).toBe(true);

  await server.stop();
  expect(server.process.exitCode !== null || server.process.signalCode !== null).toBe(true);
  await expectPortFree(port);
});

it('gives npm start the dynamic config the tests run with, the hand-off and timer settings the bench measured included', () => {
  const args = devServerArgs({ cliPath: 'temporal' });
  const values = args.flatMap((arg, i) => (arg === '--dynamic-config-value' ? [args[i + 1]] : []));
  // The harness's server (global-setup.ts) gets the same list; harness.test.ts times its timers.
  expect(values).toEqual(expect.arrayContaining(['history.transferProcessorMaxPollRPS=1000', 'history.timerProcessorMaxTimeShift="50ms"']));
});

it('refuses a port another server holds instead of reporting that server as its own', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await expect(startTemporalDevServer({ cliPath: harnessSettings().temporalCliPath, port, uiPort: false })).rejects.toThrow(
      `frontend port 127.0.0.1:${port} is already in use`,
    );
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

it("fails with the CLI's own message when the server exits during start", async () => {
  const attempt = startTemporalDevServer({ cliPath: harnessSettings().temporalCliPath, port: await freePort(), uiPort: false, extraArgs: ['--no-such-flag'] });
  await expect(attempt).rejects.toThrow(/exited early[\s\S]*Last output:[\s\S]*unknown flag: --no-such-flag/);
});

function expectPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
