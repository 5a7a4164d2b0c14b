// The whole system for one test file: its own database and task queues, the in-process JD simulator,
// a real Worker with the real activities, and the API app — all talking to the shared dev server.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../api/app';
import { parseApiTokens } from '../../api/auth';
import { apiRoutes } from '../../api/routes';
import { createEclpClient, type EclpClient } from '../../eclp';
import { DEV_CREDENTIALS, DEV_MERCHANT } from '../../eclp/config';
import { startSimulator } from '../../simulator/server';
import type { TimelinePatch } from '../../simulator/timeline';
import { createWorkers, credentialHealthRecorder, storedTokenProvider, type Workers } from '../../worker';
import { createWorkerMetrics, serveWorkerMetrics, type WorkerMetrics, type WorkerMetricsServer } from '../../worker/metrics';
import { createDocumentClient, type DocumentClient } from '../../client';
import type { WebhookConfig } from '../../config/webhook';
import { taskQueues } from '../../messages/task-queues';
import { createTestDatabase, testNativeConnection, testTemporalClient, uniqueTaskQueue } from '../harness';
import { sharedWorkflowBundle } from '../harness/workflow-bundle';
import { TOKEN_SPEC } from '../support';

// Worker lifecycle lines at INFO drown the test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier test file: keep that one.
}

/** Bundling takes seconds: once per jest run is plenty (test/harness/workflow-bundle.ts). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return sharedWorkflowBundle();
}

export interface TestStack {
  db: Knex;
  sim: Awaited<ReturnType<typeof startSimulator>>;
  eclp: EclpClient;
  client: Client;
  /** The client layer on the stack's queues: workflow IDs, handles, starts (client/). */
  documents: DocumentClient;
  connection: NativeConnection;
  queues: { erp: string; eclp: string };
  app: ReturnType<typeof createApp>;
  workers: Workers;
  /**
   * Another API instance on the same database, Temporal and workers, with its own configuration on top
   * of the stack's (as a second API process with other settings would be), e.g. `{ SO_SAFETY_POLL_MS: '1500' }`.
   */
  apiWith(env: Record<string, string>): ReturnType<typeof createApp>;
  /**
   * The API on a queue pair no worker polls (`idleQueues`), with the stack's configuration and `env` on top:
   * the runs it starts take signals and keep them in their history but never move the document, so its
   * state is the test's to set. `close` ends them.
   */
  idleApi(env?: Record<string, string>): ReturnType<typeof createApp>;
  idleQueues: { erp: string; eclp: string };
  /** The API with Temporal unreachable (a client of a port nobody listens on), on the idle queues. */
  apiWithTemporalDown(env?: Record<string, string>): ReturnType<typeof createApp>;
  /** With `metrics`: the workers' own registry and its `/metrics` URL (ours, then the SDK's when given). */
  workerMetrics?: { metrics: WorkerMetrics; url: string };
  /** Starts the workers (again, after `stopWorkers`). */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  timeline?: TimelinePatch;
  /** API configuration as the API process reads it (e.g. SO_POLL_INTERVAL_MS, CANCEL_WAIT_MS). */
  env?: Record<string, string>;
  /** Where the workers POST ERP events (a receiver inside the test). */
  webhook?: WebhookConfig;
  /** SO_TRACKING of the API: `sweep` makes approvals start warehouse sweepers (stopped again by `close`). */
  tracking?: 'poll' | 'sweep';
  /**
   * JD authorisation as the worker process wires it: the ECLP client takes its token from Postgres (the
   * dev token until one is stored), records credential health, and the workers exchange and refresh
   * OAuth tokens at the simulator's /oauth2/ (tokens living `tokenLifetimeMs`).
   */
  jdAuth?: { tokenKey: Buffer; tokenLifetimeMs?: number; refreshBeforeMs?: number; retryInitialMs?: number; retryMaxMs?: number };
  /**
   * Count what the workers and the ECLP client do in a registry of this stack's own, served on a free
   * port like the worker process serves it; `sdkMetricsUrl` is the SDK Core exporter to append (see
   * test/helpers/metrics-runtime.ts).
   */
  metrics?: { sdkMetricsUrl?: string };
}

/** Sales orders poll JD every 300 ms in tests unless a test says otherwise. */
const TEST_API_ENV = { READY_POLLER_MAX_AGE_MS: '15000', SO_POLL_INTERVAL_MS: '300' };

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase();
  const jdAuth = options.jdAuth;
  const sim = await startSimulator({
    port: 0,
    credentials: DEV_CREDENTIALS,
    timeline: options.timeline,
    ...(jdAuth?.tokenLifetimeMs !== undefined && { oauth: { tokenLifetimeMs: jdAuth.tokenLifetimeMs } }),
  });
  const tokenProvider = jdAuth ? storedTokenProvider({ db, key: jdAuth.tokenKey, fallback: DEV_CREDENTIALS.accessToken }) : undefined;
  // Process figures (CPU, GC) would be shared by every stack in the process: a stack counts only its own work.
  const workerMetrics = options.metrics ? createWorkerMetrics({ processMetrics: false }) : undefined;
  const eclp = createEclpClient(
    { ...DEV_CREDENTIALS, ...DEV_MERCHANT, gatewayUrl: sim.gatewayUrl, timeoutMs: 2_000 },
    {
      ...(tokenProvider ? { tokenProvider, credentialObserver: credentialHealthRecorder(db, { minIntervalMs: 500 }) } : {}),
      ...(workerMetrics && { callObserver: workerMetrics.observeEclpCall }),
    },
  );
  const client = await testTemporalClient();
  const connection = await testNativeConnection();
  const queues = taskQueues(uniqueTaskQueue('t'));
  const namespace = client.options.namespace;

  let running: Promise<void> | undefined;
  let workers!: Workers;
  const startWorkers = async () => {
    workers = await createWorkers({
      connection,
      db,
      eclp,
      config: {
        namespace,
        shutdownGraceMs: 2_000,
        eclpActivityOptions: { configurationRetryDelayMs: 1_000 },
        webhook: options.webhook,
        ...(jdAuth && {
          jdToken: { refreshBeforeMs: jdAuth.refreshBeforeMs ?? 3_600_000, retryInitialMs: jdAuth.retryInitialMs ?? 500, retryMaxMs: jdAuth.retryMaxMs ?? 2_000 },
        }),
      },
      workflowBundle: await workflowBundle(),
      taskQueues: queues,
      ...(workerMetrics && { metrics: workerMetrics.activities }),
      ...(jdAuth && {
        jdAuth: {
          oauth: { oauthUrl: sim.url, appKey: DEV_CREDENTIALS.appKey, appSecret: DEV_CREDENTIALS.appSecret, timeoutMs: 2_000 },
          tokenKey: jdAuth.tokenKey,
          ...(tokenProvider && { onTokenStored: () => tokenProvider.invalidate() }),
        },
      }),
    });
    stack.workers = workers;
    running = workers.run();
  };
  const stopWorkers = async () => {
    workers.shutdown();
    await running;
    running = undefined;
  };

  const apiEnv = { ...TEST_API_ENV, ...(options.tracking && { SO_TRACKING: options.tracking }), ...(jdAuth && { JD_OAUTH_URL: sim.url }), ...options.env };
  const apiOn = (temporal: Client, on: { erp: string; eclp: string }, env: Record<string, string>) =>
    createApp({
      tokens: parseApiTokens(TOKEN_SPEC),
      logger: pino({ level: 'silent' }),
      // The same route list the API process serves (api/routes.ts), configured for tests.
      routes: apiRoutes({ db, temporal, namespace, taskQueues: on, env: { ...apiEnv, ...env } }),
    });
  const apiWith = (env: Record<string, string>) => apiOn(client, queues, env);
  const app = apiWith({});
  const documents = createDocumentClient(client, queues);
  const idleQueues = taskQueues(uniqueTaskQueue('idle'));
  // Never closed: a call the API abandoned at its 503 deadline may still have a gRPC retry pending on it
  // (see test/api/temporal-unavailable.test.ts); Jest's forceExit reaps the handle.
  const unreachable = () => new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace });

  /** Runs the idle API started would otherwise wait on the shared dev server for ever. */
  const endIdleRuns = async () => {
    try {
      for await (const run of client.workflow.list({ query: `TaskQueue = "${idleQueues.erp}" AND ExecutionStatus = "Running"` })) {
        await client.workflow.getHandle(run.workflowId).terminate('test stack closed');
      }
    } catch (err) {
      console.warn(`could not end the runs on ${idleQueues.erp}: ${(err as Error).message}`);
    }
  };

  /** Sweepers run until stopped; on the shared dev server they would outlive the file otherwise. */
  const stopSweepers = async () => {
    try {
      await documents.sweepers.stopAll('test stack closed');
    } catch (err) {
      // A test may have taken Temporal away; the rest of the cleanup must still run.
      console.warn(`could not stop the sweepers of ${queues.erp}: ${(err as Error).message}`);
    }
  };

  const stack: TestStack = {
    db,
    documents,
    sim,
    eclp,
    client,
    connection,
    queues,
    app,
    apiWith,
    idleApi: (env = {}) => apiOn(client, idleQueues, env),
    idleQueues,
    apiWithTemporalDown: (env = {}) => apiOn(unreachable(), idleQueues, env),
    workers,
    startWorkers,
    stopWorkers,
    close: async () => {
      await metricsServer?.close();
      await stopSweepers();
      await endIdleRuns();
      if (running) await stopWorkers();
      await sim.close();
      await db.destroy();
    },
  };
  let metricsServer: WorkerMetricsServer | undefined;
  if (workerMetrics) {
    metricsServer = await serveWorkerMetrics({ metrics: workerMetrics, host: '127.0.0.1', port: 0, ...(options.metrics?.sdkMetricsUrl && { sdkMetricsUrl: options.metrics.sdkMetricsUrl }) });
    stack.workerMetrics = { metrics: workerMetrics, url: metricsServer.url };
  }
  await startWorkers();
  return stack;
}
