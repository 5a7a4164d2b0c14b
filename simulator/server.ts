// Assembles the simulator: the JD gateway at /routerjson and the control API at /_sim/, over one state,
// in memory or also kept in a state file. createSimulatorApp() is for supertest; startSimulator() listens
// on a port.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { credentialsFromEnv, DEFAULT_SIMULATOR_PORT, DEV_MERCHANT, type EclpCredentials, type EclpMerchant } from '../eclp/config';
import { controlRouter } from './control';
import { gatewayRouter } from './gateway';
import { HeldConnections } from './held-connections';
import { silentLogger, type SimulatorLogger } from './logger';
import { SimOAuth, type SimOAuthOptions } from './oauth';
import { Operations } from './operations';
import { persistState, type StateFileWarn } from './persistence';
import { SimulatorState } from './state';
import { applyTimeline, DEMO_TIMELINE, type TimelinePatch } from './timeline';
import { TimerSet } from './timers';

export interface SimulatorOptions {
  /** 0 = a free port; default ECLP_SIM_PORT or 3100. */
  port?: number;
  /** Default 127.0.0.1: test and demo equipment stays off the network. */
  host?: string;
  /** What the gateway accepts; default credentialsFromEnv() (the dev credentials unless JD_* are set). */
  credentials?: EclpCredentials;
  /** The department, shop and ISV source JD knows; default DEV_MERCHANT (DESIGN.md §6). */
  merchant?: EclpMerchant;
  /** Startup timeline over the demo one (DESIGN.md §6); /_sim/reset returns to it. */
  timeline?: TimelinePatch;
  logger?: SimulatorLogger;
  /** Random source for rate-based faults (tests make it deterministic). */
  random?: () => number;
  /**
   * Remember documents, stock, serials, catalogue and number counters across restarts in this JSON file
   * (npm start: `<dataDir>/simulator.json`). Default: in memory only.
   */
  stateFile?: string;
  /** JD's OAuth endpoints (/oauth2/…): token lifetime (default ECLP_SIM_TOKEN_LIFETIME_MS or 24 h). */
  oauth?: Omit<SimOAuthOptions, 'stateFile'>;
}

export interface SimulatorApp {
  app: express.Express;
  state: SimulatorState;
  operations: Operations;
  /** The OAuth token book: issued tokens, lifetime, refusals (also at /_sim/oauth). */
  oauth: SimOAuth;
  /** Stops every timer, destroys held sockets and writes the state file (if any) one last time. */
  dispose(): void;
}

export function createSimulatorApp(options: SimulatorOptions = {}): SimulatorApp {
  const logger = options.logger ?? silentLogger;
  const state = new SimulatorState(options.merchant ?? DEV_MERCHANT, applyTimeline(DEMO_TIMELINE, options.timeline), options.random);
  const operations = new Operations(state, logger);
  const persistence = options.stateFile ? persistState(state, operations, { path: options.stateFile, warn: stateFileWarn(options.logger) }) : undefined;
  const timers = new TimerSet();
  const held = new HeldConnections();
  const credentials = options.credentials ?? credentialsFromEnv();
  const oauth = new SimOAuth(credentials, { ...options.oauth, ...(options.stateFile && { stateFile: options.stateFile.replace(/(\.json)?$/, '-oauth.json') }) }, logger);

  const app = express();
  app.disable('x-powered-by');
  app.use(
    gatewayRouter({ context: { state, ops: operations }, credentials, logger, timers, held, tokenValid: (token, now) => oauth.tokenValid(token, now.getTime()) }),
  );
  app.use(oauth.router());
  app.use('/_sim/oauth', oauth.controlRouter());
  app.use('/_sim', controlRouter(operations, logger));
  app.get('/', (_req, res) => {
    res.json({ service: 'JD ECLP gateway simulator', gateway: 'POST /routerjson', control: '/_sim/' });
  });

  return {
    app,
    state,
    operations,
    oauth,
    dispose() {
      operations.stop();
      timers.clear();
      held.releaseAll();
      persistence?.close();
    },
  };
}

/**
 * A state file that cannot be loaded or written means lost simulator state: the operator must see it even
 * when the simulator was started without a logger (npm start), so it then becomes a Node process warning.
 */
function stateFileWarn(logger: SimulatorLogger | undefined): StateFileWarn {
  if (logger) return (message, details) => logger.warn(details ?? {}, message);
  return (message) => process.emitWarning(message, 'SimulatorStateWarning');
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:3100 */
  url: string;
  /** The URL the ECLP client posts to (ECLP_GATEWAY_URL). */
  gatewayUrl: string;
  /** Root of the control API. */
  controlUrl: string;
  state: SimulatorState;
  operations: Operations;
  oauth: SimOAuth;
  close(): Promise<void>;
}

function defaultPort(): number {
  const configured = process.env.ECLP_SIM_PORT;
  if (!configured) return DEFAULT_SIMULATOR_PORT;
  const port = Number(configured);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`ECLP_SIM_PORT must be a port number, got ${JSON.stringify(configured)}`);
  return port;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = createSimulatorApp(options);
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const listening = simulator.app.listen(options.port ?? defaultPort(), host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    gatewayUrl: `${url}/routerjson`,
    controlUrl: `${url}/_sim/`,
    state: simulator.state,
    operations: simulator.operations,
    oauth: simulator.oauth,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        simulator.dispose();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
