// The worker process: `tsx worker/main.ts` (started by `npm start`, or on its own in production).
// SIGINT/SIGTERM stop polling, let in-flight activities finish for WORKER_SHUTDOWN_GRACE_MS, then exit;
// anything unfinished is retried by Temporal on another worker, so nothing is lost.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Runtime, makeTelemetryFilterString, DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { ConfigurationError, EXIT_CONFIGURATION, isLoopbackHost } from '../config/errors';
import { assertProductionReady } from '../config/production';
import { openDatabase } from '../db';
import { createEclpClient } from '../eclp';
import { eclpConfigFromEnv, usesDevCredentials } from '../eclp/config';
import { createWorkers, workerConfigFromEnv } from '.';

async function main(): Promise<void> {
  const logger = pino({ name: 'worker', level: process.env.LOG_LEVEL ?? 'info' });
  Runtime.install({
    logger: new DefaultLogger((process.env.TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN', (entry) =>
      logger[entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : 'debug']({ ...entry.meta }, entry.message),
    ),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });

  assertProductionReady(process.env);
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const config = workerConfigFromEnv(process.env, namespace ?? 'default');
  const eclpConfig = eclpConfigFromEnv();
  if (usesDevCredentials(eclpConfig) && !isLoopbackHost(new URL(eclpConfig.gatewayUrl).hostname)) {
    logger.warn({ gateway: new URL(eclpConfig.gatewayUrl).origin }, 'using the public development JD credentials against a non-local gateway; set JD_APP_KEY, JD_APP_SECRET and JD_ACCESS_TOKEN');
  }
  const db = await openDatabase({ migrate: false });
  const connection = await NativeConnection.connect(connectionOptions);
  const workers = await createWorkers({ connection, db: db.knex, eclp: createEclpClient(eclpConfig, { logger }), config });
  logger.info(
    { address: connectionOptions.address, namespace: config.namespace, eclpMaxQps: config.eclpMaxQps ?? 'unlimited', gateway: new URL(eclpConfig.gatewayUrl).origin },
    'worker polling task queues erp and eclp',
  );
  // Runtime.install's default shutdown signals (SIGINT, SIGTERM, SIGQUIT, SIGUSR2) shut the workers down.
  await workers.run();
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
