// Jest globalSetup: one real Temporal dev server and one PostgreSQL server for the whole run
// (DESIGN.md §7). A missing Temporal CLI is installed here, or the run fails; it is never skipped.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { dynamicConfigFlags } from '../../scripts/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { ALL_SEARCH_ATTRIBUTES } from '../../messages/search-attributes';
import { HARNESS_ENV } from './env';
import { startTestPostgres } from './postgres';
import { keepHarness } from './state';

const say = (line: string) => process.stderr.write(`[harness] ${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export default async function globalSetup(): Promise<void> {
  const startedAt = Date.now();
  // Independent, and each can take seconds the first time (CLI install, initdb): in parallel.
  const [cli, postgres] = await Promise.allSettled([
    resolveTemporalCli({ log: say }).then((path) => ({ path, after: seconds(startedAt) })),
    startTestPostgres().then((server) => ({ server, after: seconds(startedAt) })),
  ]);
  if (cli.status === 'rejected' || postgres.status === 'rejected') {
    if (postgres.status === 'fulfilled') await postgres.value.server.stop();
    throw cli.status === 'rejected' ? cli.reason : (postgres as PromiseRejectedResult).reason;
  }
  say(`Temporal CLI ${cli.value.path} (${cli.value.after}); PostgreSQL ${postgres.value.server.description} (${postgres.value.after})`);

  const temporalStartedAt = Date.now();
  // The SDK's runtime would otherwise take over SIGINT/SIGTERM in jest's own process (to shut down
  // workers it does not have here), so the first Ctrl-C or CI timeout signal would not stop jest.
  Runtime.install({ shutdownSignals: [] });
  let temporal: TestWorkflowEnvironment;
  try {
    // createLocal runs the dev server through the SDK's core runtime in this (jest's main) process;
    // test files reach it by address only, so they never share a runtime with it.
    temporal = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.value.path },
        ip: '127.0.0.1',
        searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
        extraArgs: dynamicConfigFlags(),
        // Its warnings at start-up ("Cluster Id … is not a valid uuid") are noise in every run.
        log: { format: 'pretty', level: 'error' },
      },
    });
  } catch (error) {
    await postgres.value.server.stop();
    throw error;
  }
  say(`Temporal dev server ${temporal.address} (${seconds(temporalStartedAt)})`);

  process.env[HARNESS_ENV.temporalAddress] = temporal.address;
  process.env[HARNESS_ENV.temporalNamespace] = temporal.namespace ?? 'default';
  process.env[HARNESS_ENV.temporalCliPath] = cli.value.path;
  process.env[HARNESS_ENV.databaseAdminUrl] = postgres.value.server.adminUrl;
  // Empty until a test file needs the workflows/ bundle (test/harness/workflow-bundle.ts).
  const workflowBundleDir = await mkdtemp(path.join(os.tmpdir(), 'eclp-test-bundle-'));
  process.env[HARNESS_ENV.workflowBundleDir] = workflowBundleDir;
  keepHarness({ temporal, postgres: postgres.value.server, workflowBundleDir });
}
