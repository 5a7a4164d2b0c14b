// The worker process's parts: one Worker per task queue, sharing one connection. `erp` runs the workflows
// and the database activities; `eclp` runs the JD calls under a global rate limit.
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createEclpActivities, type EclpActivityOptions, type EclpJdAuthDeps } from '../activities/eclp';
import { createErpActivities, JD_TOKEN_DEFAULTS, type JdTokenSettings } from '../activities/erp';
import type { ActivityMetrics } from '../activities/metrics';
import { positiveMs, positiveNumber, type Env } from '../config/env';
import { webhookConfigFromEnv, type WebhookConfig } from '../config/webhook';
import { readJdTokenPair, recordJdCredentialRefusal, recordJdCredentialSuccess } from '../db/jd-auth';
import type { AccessTokenProvider, CredentialOutcome, EclpClient } from '../eclp';
import { TASK_QUEUES } from '../messages/task-queues';

export interface WorkerConfig {
  namespace: string;
  /** JD calls per second across all eclp workers (Temporal enforces it server-side). Unset = no limit. */
  eclpMaxQps?: number;
  /** How long in-flight activities may finish on shutdown before they are cancelled and retried elsewhere. */
  shutdownGraceMs: number;
  /**
   * How long a workflow task waits on the sticky queue of the worker that ran the workflow last before
   * any worker may take it (WORKER_STICKY_TIMEOUT_MS, default 3 s; the SDK's is 10 s). A killed worker's
   * documents wait this long for their next step on top of the heartbeat timeout (issue 13: ≤ 15 s).
   */
  stickyQueueTimeoutMs?: number;
  /** A prebuilt workflow bundle (production); without it the worker bundles `workflows/` at start. */
  workflowBundlePath?: string;
  eclpActivityOptions?: EclpActivityOptions;
  /** Where ERP events (sales_order.shipped, …) are POSTed; unset = skipped. */
  webhook?: WebhookConfig;
  /** The JD token refresher's settings (JD_TOKEN_REFRESH_BEFORE_MS, JD_TOKEN_REFRESH_RETRY_MS, JD_TOKEN_REFRESH_RETRY_MAX_MS). */
  jdToken?: JdTokenSettings;
}

export const DEFAULT_STICKY_QUEUE_TIMEOUT_MS = 3_000;

export function workerConfigFromEnv(env: Env = process.env, namespace = 'default'): WorkerConfig {
  return {
    namespace,
    eclpMaxQps: positiveNumber(env, 'ECLP_MAX_QPS'),
    shutdownGraceMs: positiveNumber(env, 'WORKER_SHUTDOWN_GRACE_MS') ?? 30_000,
    stickyQueueTimeoutMs: positiveNumber(env, 'WORKER_STICKY_TIMEOUT_MS') ?? DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH || undefined,
    // Unset, addPoSidDetail sends the merchant's deptNo as the pin (JD documents no way to learn it).
    eclpActivityOptions: env.JD_ACCOUNT_PIN ? { jdAccountPin: env.JD_ACCOUNT_PIN } : {},
    webhook: webhookConfigFromEnv(env),
    jdToken: {
      refreshBeforeMs: positiveMs(env, 'JD_TOKEN_REFRESH_BEFORE_MS', JD_TOKEN_DEFAULTS.refreshBeforeMs),
      retryInitialMs: positiveMs(env, 'JD_TOKEN_REFRESH_RETRY_MS', JD_TOKEN_DEFAULTS.retryInitialMs),
      retryMaxMs: positiveMs(env, 'JD_TOKEN_REFRESH_RETRY_MAX_MS', JD_TOKEN_DEFAULTS.retryMaxMs),
    },
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
  /** JD authorisation: the OAuth endpoints and JD_TOKEN_KEY for the code exchange and the refresh. */
  jdAuth?: EclpJdAuthDeps;
  /** What the activities count (worker/metrics.ts); nothing is counted without it. */
  metrics?: ActivityMetrics;
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
    stickyQueueScheduleToStartTimeout: deps.config.stickyQueueTimeoutMs ?? DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
    ...workflowSource,
    activities: createErpActivities({
      db: deps.db,
      webhook: deps.config.webhook ?? {},
      // The warehouse sweeper signals the order runs through the worker's own connection.
      temporal: new Client({ connection: deps.connection, namespace: deps.config.namespace }),
      ...(deps.config.jdToken && { jdToken: deps.config.jdToken }),
      ...(deps.metrics && { metrics: deps.metrics }),
    }),
  });
  const eclp = await Worker.create({
    ...common,
    taskQueue: queues.eclp,
    activities: createEclpActivities({
      eclp: deps.eclp,
      db: deps.db,
      options: deps.config.eclpActivityOptions,
      ...(deps.jdAuth && { jdAuth: deps.jdAuth }),
      ...(deps.metrics && { metrics: deps.metrics }),
    }),
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

// ---------------------------------------------------------------------------------------------------
// JD's access token and credential health for the worker's ECLP client.

export interface StoredTokenProviderOptions {
  db: Knex;
  /** JD_TOKEN_KEY decoded. */
  key: Buffer;
  /** Used while no OAuth token is stored: the development token outside production, '' (none) in production. */
  fallback: string;
  /** Re-read this long before the cached token expires (the refresher should have replaced it by then). */
  nearExpiryMs?: number;
  /** How long "no token stored" is believed before Postgres is asked again. */
  absentTtlMs?: number;
  /** How long a worker whose token JD refused waits for a refresh under way elsewhere. */
  refreshWaitMs?: number;
  /** Told once per distinct problem reading the stored token (e.g. a wrong JD_TOKEN_KEY). */
  warn?: (message: string) => void;
}

export interface StoredTokenProvider extends AccessTokenProvider {
  /** Forget the cached token (a new pair was stored by this process). */
  invalidate(): void;
}

/**
 * The ECLP client's token from Postgres (db/jd-auth.ts), cached: read again when it nears expiry, when
 * JD refuses it (code 19: another worker may have refreshed it; a refresh under way is waited for
 * briefly) and after this process stored a new pair.
 */
export function storedTokenProvider(options: StoredTokenProviderOptions): StoredTokenProvider {
  const nearExpiryMs = options.nearExpiryMs ?? 60_000;
  const absentTtlMs = options.absentTtlMs ?? 30_000;
  const refreshWaitMs = options.refreshWaitMs ?? 5_000;
  let cached: { token: string; expiresAt: number; readAt: number; refreshStartedAt: number | undefined } | undefined;
  let reading: Promise<NonNullable<typeof cached>> | undefined;
  let lastWarning: string | undefined;

  const read = (): Promise<NonNullable<typeof cached>> => {
    reading ??= (async () => {
      try {
        const pair = await readJdTokenPair(options.db, options.key);
        lastWarning = undefined;
        cached = pair
          ? { token: pair.accessToken, expiresAt: pair.expiresAt.getTime(), readAt: Date.now(), refreshStartedAt: pair.refreshStartedAt?.getTime() }
          : { token: options.fallback, expiresAt: Date.now() + absentTtlMs, readAt: Date.now(), refreshStartedAt: undefined };
      } catch (err) {
        const message = `the stored JD token cannot be used: ${(err as Error).message}`;
        if (message !== lastWarning) options.warn?.(message);
        lastWarning = message;
        cached = { token: options.fallback, expiresAt: Date.now() + absentTtlMs, readAt: Date.now(), refreshStartedAt: undefined };
      }
      return cached;
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };

  return {
    async current() {
      if (cached && Date.now() < cached.expiresAt - nearExpiryMs) return cached.token;
      // Near expiry (or expired): look again, at most once a second.
      if (cached && Date.now() - cached.readAt < 1_000) return cached.token;
      return (await read()).token;
    },
    async fresher(rejected) {
      let seen = await read();
      const deadline = Date.now() + refreshWaitMs;
      // JD refused it and Postgres still holds it: a refresh under way elsewhere stores the new one any moment.
      while (seen.token === rejected && seen.refreshStartedAt !== undefined && Date.now() - seen.refreshStartedAt < 30_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        seen = await read();
      }
      return seen.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/**
 * Records how JD judges our credentials (GET /v1/jd/token, /readyz, the attention list) cheaply: a
 * refusal is written when it is new or its code changed, and at most once per `minIntervalMs` while it
 * lasts; a success at most once per `minIntervalMs`, and then only ends a recorded refusal.
 */
export function credentialHealthRecorder(db: Knex, options: { minIntervalMs?: number; warn?: (message: string) => void } = {}): (outcome: CredentialOutcome) => void {
  const minIntervalMs = options.minIntervalMs ?? 5_000;
  let lastState: string | undefined;
  let lastWriteAt = 0;
  return (outcome) => {
    const state = outcome.ok ? 'ok' : `refused:${outcome.code}`;
    const now = Date.now();
    if (state === lastState && now - lastWriteAt < minIntervalMs) return;
    if (outcome.ok && lastState === 'ok' && now - lastWriteAt < minIntervalMs) return;
    lastState = state;
    lastWriteAt = now;
    const write = outcome.ok
      ? recordJdCredentialSuccess(db)
      : recordJdCredentialRefusal(db, { code: outcome.code, method: outcome.method, ...(outcome.zhDesc !== undefined && { zhDesc: outcome.zhDesc }) });
    write.catch((err: unknown) => {
      // Health is best effort; the next change tries again.
      lastState = undefined;
      options.warn?.(`could not record JD credential health: ${(err as Error).message}`);
    });
  };
}
