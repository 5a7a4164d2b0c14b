// The API process: `tsx api/main.ts` (started by `npm start`, or on its own in production).
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import pino from 'pino';
import { ConfigurationError, EXIT_CONFIGURATION } from '../config/errors';
import { assertProductionReady } from '../config/production';
import { openDatabase } from '../db';
import { createDocumentClient } from '../client';
import { stockReconciliationConfigFromEnv } from '../config/stock-reconciliation';
import { createApp } from './app';
import { parseApiTokens } from './auth';
import { apiRoutes } from './routes';

async function main(): Promise<void> {
  const logger = pino({ name: 'api', level: process.env.LOG_LEVEL ?? 'info' });
  assertProductionReady(process.env);
  if (!process.env.API_TOKENS) throw new ConfigurationError(['API_TOKENS is not set: give "erp:<token>,operator:<token>,admin:<token>" (npm start generates development tokens)']);
  const tokens = parseApiTokens(process.env.API_TOKENS);
  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig();
  // A request waits at most 5 s for a database connection, then answers 503 (api/app.ts) instead of hanging.
  const db = await openDatabase({ migrate: false, pool: { acquireTimeoutMillis: 5_000 } });
  // Lazy: the API starts and serves reads from Postgres even while Temporal is down.
  const connection = Connection.lazy(connectionOptions as Parameters<typeof Connection.lazy>[0]);
  const temporal = new Client({ connection, namespace });
  const app = createApp({ tokens, logger, routes: apiRoutes({ db: db.knex, temporal, namespace, env: process.env }), bodyLimit: process.env.API_BODY_LIMIT });
  // The daily stock reconciliation (STOCK_RECONCILE_CRON, a Temporal Schedule): ensured in the background and
  // retried, so a Temporal outage at start does not stop the API.
  const stockConfig = stockReconciliationConfigFromEnv(process.env);
  const stockSchedule = createDocumentClient(temporal).stockReconciliation.ensureScheduleInBackground(
    { cron: stockConfig.cron, timezone: stockConfig.timezone, jdPageSize: stockConfig.jdPageSize },
    logger,
  );
  const port = Number(process.env.PORT ?? 3000);
  const server = app.listen(port, process.env.API_HOST ?? '127.0.0.1', () => logger.info({ port }, `API listening on http://127.0.0.1:${port}`));
  const stop = () => {
    logger.info('API stopping');
    stockSchedule.stop();
    server.close(async () => {
      await connection.close().catch(() => undefined);
      await db.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  // A configuration problem is said in one message and exits EX_CONFIG: restarting cannot fix it.
  if (err instanceof ConfigurationError) {
    console.error(`API refuses to start: ${err.message}`);
    process.exit(EXIT_CONFIGURATION);
  }
  console.error('API failed to start:', err);
  process.exit(1);
});
