// `npm run simulator`: the JD ECLP gateway double on ECLP_SIM_PORT (default 3100) with the demo timeline.
import pino from 'pino';
import { credentialsFromEnv, DEV_CREDENTIALS, DEV_MERCHANT } from '../eclp/config';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const credentials = credentialsFromEnv();
  const merchant = {
    deptNo: process.env.JD_DEPT_NO || DEV_MERCHANT.deptNo,
    shopNo: process.env.JD_SHOP_NO || DEV_MERCHANT.shopNo,
    isvSource: process.env.JD_ISV_SOURCE || DEV_MERCHANT.isvSource,
  };
  const simulator = await startSimulator({ host: process.env.ECLP_SIM_HOST || '127.0.0.1', credentials, merchant, logger });
  const secretSource =
    credentials.appSecret === DEV_CREDENTIALS.appSecret ? `the documented dev secret "${DEV_CREDENTIALS.appSecret}"` : 'JD_APP_SECRET';
  console.log(
    [
      `JD ECLP simulator (state in memory only) listening on ${simulator.url}`,
      `  gateway:  POST ${simulator.gatewayUrl}`,
      `  control:  ${simulator.controlUrl}`,
      `  app key:  ${credentials.appKey} (secret: ${secretSource}; token from JD_ACCESS_TOKEN or the dev token)`,
      `  merchant: dept ${merchant.deptNo}, shop ${merchant.shopNo}, ISV source ${merchant.isvSource}`,
    ].join('\n'),
  );

  const stop = (signal: string) => {
    logger.info({ signal }, 'simulator stopping');
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'simulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('simulator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
