// The worker process: `tsx worker/main.ts` (started by `npm start`, or on its own in production).
// SIGINT/SIGTERM stop polling, let in-flight activities finish for WORKER_SHUTDOWN_GRACE_MS, then exit;
// anything unfinished is retried by Temporal on another worker, so nothing is lost.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Runtime, makeTelemetryFilterString, DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { ConfigurationError, EXIT_CONFIGURATION, isLoopbackHost } from '../config/errors';
import { assertProductionReady } from '../config/production';
import { openDatabase } from '../db';
import { createEclpClient, staticTokenProvider, type AccessTokenProvider } from '../eclp';
import { decodeTokenKey, DEV_CREDENTIALS, DEV_TOKEN_KEY_HEX, eclpConfigFromEnv, oauthUrlFromEnv, usesDevCredentials } from '../eclp/config';
import { createWorkers, credentialHealthRecorder, storedTokenProvider, workerConfigFromEnv } from '.';
import { createWorkerMetrics, freeLoopbackPort, serveWorkerMetrics, workerMetricsConfigFromEnv, type WorkerMetricsServer } from './metrics';

async function main(): Promise<void> {
  const logger = pino({ name: 'worker', level: process.env.LOG_LEVEL ?? 'info' });
  // The SDK's runtime metrics go to a loopback port only this process reads: /metrics on
  // WORKER_METRICS_PORT serves them after ours (worker/metrics.ts).
  const metricsConfig = workerMetricsConfigFromEnv(process.env);
  const sdkMetricsAddress = metricsConfig && `127.0.0.1:${await freeLoopbackPort()}`;
  Runtime.install({
    logger: new DefaultLogger((process.env.TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN', (entry) =>
      logger[entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : 'debug']({ ...entry.meta }, entry.message),
    ),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(sdkMetricsAddress && { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } }),
    },
  });
  const metrics = createWorkerMetrics();

  assertProductionReady(process.env);
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const config = workerConfigFromEnv(process.env, namespace ?? 'default');
  const eclpConfig = eclpConfigFromEnv();
  if (usesDevCredentials(eclpConfig) && !isLoopbackHost(new URL(eclpConfig.gatewayUrl).hostname)) {
    logger.warn({ gateway: new URL(eclpConfig.gatewayUrl).origin }, 'using the public development JD credentials against a non-local gateway; set JD_APP_KEY, JD_APP_SECRET and JD_ACCESS_TOKEN');
  }
  const db = await openDatabase({ migrate: false });
  const connection = await NativeConnection.connect(connectionOptions);

  // JD's access token: JD_ACCESS_TOKEN (a manual override) → the stored OAuth token → (not production) the dev token.
  const production = process.env.NODE_ENV === 'production';
  const loopbackGateway = isLoopbackHost(new URL(eclpConfig.gatewayUrl).hostname);
  let tokenKey: Buffer | undefined;
  if (process.env.JD_TOKEN_KEY) {
    try {
      tokenKey = decodeTokenKey(process.env.JD_TOKEN_KEY);
    } catch (err) {
      throw new ConfigurationError([(err as Error).message]);
    }
  } else if (!production && loopbackGateway) {
    tokenKey = Buffer.from(DEV_TOKEN_KEY_HEX, 'hex');
    logger.warn('JD_TOKEN_KEY is not set: OAuth tokens from the simulator are stored under the public development key');
  }
  let tokenSource = 'JD_ACCESS_TOKEN';
  let tokenProvider: AccessTokenProvider = staticTokenProvider(eclpConfig.accessToken);
  let onTokenStored: (() => void) | undefined;
  if (!process.env.JD_ACCESS_TOKEN) {
    if (tokenKey) {
      const stored = storedTokenProvider({ db: db.knex, key: tokenKey, fallback: production ? '' : DEV_CREDENTIALS.accessToken, warn: (message) => logger.error(message) });
      tokenProvider = stored;
      onTokenStored = () => stored.invalidate();
      tokenSource = production ? 'the stored OAuth token (GET /v1/jd/authorize)' : 'the stored OAuth token, else the development token';
    } else {
      tokenSource = 'the development token (set JD_TOKEN_KEY to store OAuth tokens)';
    }
  }
  const eclp = createEclpClient(eclpConfig, {
    logger,
    tokenProvider,
    credentialObserver: credentialHealthRecorder(db.knex, { warn: (message) => logger.warn(message) }),
    callObserver: metrics.observeEclpCall,
  });
  const workers = await createWorkers({
    connection,
    db: db.knex,
    eclp,
    config,
    jdAuth: {
      oauth: { oauthUrl: oauthUrlFromEnv(), appKey: eclpConfig.appKey, appSecret: eclpConfig.appSecret, timeoutMs: eclpConfig.timeoutMs },
      ...(tokenKey && { tokenKey }),
      ...(onTokenStored && { onTokenStored }),
    },
    metrics: metrics.activities,
  });
  let metricsServer: WorkerMetricsServer | undefined;
  if (metricsConfig) {
    try {
      metricsServer = await serveWorkerMetrics({ metrics, ...metricsConfig, sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics` });
      logger.info({ url: metricsServer.url }, `metrics on ${metricsServer.url}`);
    } catch (err) {
      // Orders matter more than their graphs: a taken port is said loudly, and the worker works on.
      logger.error({ port: metricsConfig.port, host: metricsConfig.host }, `metrics not served: ${(err as Error).message} (set WORKER_METRICS_PORT to a free port, 0 for any, or off)`);
    }
  }
  logger.info({ tokenSource }, 'JD access token');
  logger.info(
    { address: connectionOptions.address, namespace: config.namespace, eclpMaxQps: config.eclpMaxQps ?? 'unlimited', gateway: new URL(eclpConfig.gatewayUrl).origin },
    'worker polling task queues erp and eclp',
  );
  // Runtime.install's default shutdown signals (SIGINT, SIGTERM, SIGQUIT, SIGUSR2) shut the workers down.
  await workers.run();
  await metricsServer?.close();
  await connection.close();
  await db.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  // A configuration problem is said in one message and exits EX_CONFIG: restarting cannot fix it.
  if (err instanceof ConfigurationError) {
    console.error(`worker refuses to start: ${err.message}`);
    process.exit(EXIT_CONFIGURATION);
  }
  console.error('worker failed:', err);
  process.exit(1);
});
