// The worker process's parts: one Worker per task queue, sharing one connection. `erp` runs the workflows
// and the database activities; `eclp` runs the JD calls under a global rate limit.
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createEclpActivities, type EclpActivityOptions } from '../activities/eclp';
import { createErpActivities } from '../activities/erp';
import { positiveNumber, type Env } from '../config/env';
import { webhookConfigFromEnv, type WebhookConfig } from '../config/webhook';
import type { EclpClient } from '../eclp';
import { TASK_QUEUES } from '../messages/task-queues';

export interface WorkerConfig {
  namespace: string;
  /** JD calls per second across all eclp workers (Temporal enforces it server-side). Unset = no limit. */
  eclpMaxQps?: number;
  /** How long in-flight activities may finish on shutdown before they are cancelled and retried elsewhere. */
  shutdownGraceMs: number;
  /** A prebuilt workflow bundle (production); without it the worker bundles `workflows/` at start. */
  workflowBundlePath?: string;
  eclpActivityOptions?: EclpActivityOptions;
  /** Where ERP events (sales_order.shipped, …) are POSTed; unset = skipped. */
  webhook?: WebhookConfig;
}

export function workerConfigFromEnv(env: Env = process.env, namespace = 'default'): WorkerConfig {
  return {
    namespace,
    eclpMaxQps: positiveNumber(env, 'ECLP_MAX_QPS'),
    shutdownGraceMs: positiveNumber(env, 'WORKER_SHUTDOWN_GRACE_MS') ?? 30_000,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH || undefined,
    // Unset, addPoSidDetail sends the merchant's deptNo as the pin (JD documents no way to learn it).
    eclpActivityOptions: env.JD_ACCOUNT_PIN ? { jdAccountPin: env.JD_ACCOUNT_PIN } : {},
    webhook: webhookConfigFromEnv(env),
  };
}

export interface WorkerDeps {
  connection: NativeConnection;
  db: Knex;
  eclp: EclpClient;
  config: WorkerConfig;
  /** Tests bundle once per file and pass the bundle in. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Tests use their own task queues so files do not steal each other's tasks. */
  taskQueues?: { erp: string; eclp: string };
}

export interface Workers {
  erp: Worker;
  eclp: Worker;
  /** Resolves when both workers have stopped (after `shutdown()` or a fatal error). */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorkers(deps: WorkerDeps): Promise<Workers> {
  const queues = deps.taskQueues ?? TASK_QUEUES;
  const common = { connection: deps.connection, namespace: deps.config.namespace, shutdownGraceTime: deps.config.shutdownGraceMs };
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = deps.workflowBundle
    ? { workflowBundle: deps.workflowBundle }
    : deps.config.workflowBundlePath
      ? { workflowBundle: { codePath: deps.config.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') };
  // One activity namespace per queue, each built by its factory (a repeated name stops the worker here).
  const erp = await Worker.create({
    ...common,
    taskQueue: queues.erp,
    ...workflowSource,
    activities: createErpActivities({
      db: deps.db,
      webhook: deps.config.webhook ?? {},
      // The warehouse sweeper signals the order runs through the worker's own connection.
      temporal: new Client({ connection: deps.connection, namespace: deps.config.namespace }),
    }),
  });
  const eclp = await Worker.create({
    ...common,
    taskQueue: queues.eclp,
    activities: createEclpActivities({ eclp: deps.eclp, db: deps.db, options: deps.config.eclpActivityOptions }),
    maxTaskQueueActivitiesPerSecond: deps.config.eclpMaxQps,
  });
  return {
    erp,
    eclp,
    run: async () => {
      await Promise.all([erp.run(), eclp.run()]);
    },
    shutdown: () => {
      for (const w of [erp, eclp]) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
