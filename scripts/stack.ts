// The whole system as one controllable object: `npm start` runs it, the benchmark and the chaos run
// drive it (kill a worker, restart Temporal or PostgreSQL). Whatever is configured externally
// (TEMPORAL_ADDRESS, DATABASE_URL, ECLP_GATEWAY_URL) is used as is; everything else starts here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateDevTokens, tokensSpec, type Role } from '../api/auth';
import { ConfigurationError, EXIT_CONFIGURATION } from '../config/errors';
import { openDatabase, redactUrl, type Database } from '../db';
import { DEV_CREDENTIALS } from '../eclp/config';
import { startSimulator } from '../simulator/server';
import { DEFAULT_WORKER_METRICS_PORT } from '../worker/metrics';
import type { TimelinePatch } from '../simulator/timeline';
import { sleep } from '../test/support/timing';
import { projectRoot, resolveTemporalCli } from './temporal-cli';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';

export interface StackOptions {
  /** State of Temporal, PostgreSQL, the simulator and the dev tokens. Default `.data/`. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Worker processes to run. Default 1. */
  workers?: number;
  timeline?: TimelinePatch;
  /** Restart a worker or the API when it dies (npm start: yes; the chaos run restarts by hand). */
  restartChildren?: boolean;
  /** Pass child output through (npm start) or drop it (benchmarks). */
  childOutput?: 'inherit' | 'ignore';
  log?: (line: string) => void;
  /**
   * A worker or the API refused its configuration (exit code 78): it is not restarted, since it would
   * only fail the same way. During start-up `startStack` rejects instead; afterwards this is called.
   */
  onConfigurationError?: (name: string) => void;
}

export interface ChildHandle {
  name: string;
  process?: ChildProcess;
  /** Sends the signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): void;
  stopping: boolean;
}

export interface Stack {
  apiUrl: string;
  temporalAddress: string;
  uiUrl?: string;
  databaseUrl: string;
  embeddedDatabase: boolean;
  gatewayUrl: string;
  simulatorUrl?: string;
  /** Generated development tokens, or undefined when API_TOKENS was given. */
  devTokens?: Record<Role, string>;
  tokens: Record<Role, string | undefined>;
  workers: ChildHandle[];
  api: ChildHandle;
  /** Each worker's /metrics (Prometheus; ours and the Temporal SDK's), when its port is fixed (not `0` or `off`). */
  workerMetricsUrls: string[];
  /** The API's /metrics (Prometheus; open documents; an operator or admin token). */
  apiMetricsUrl: string;
  /** Stops and starts the embedded Temporal dev server on the same port and state file. */
  restartTemporal(downMs?: number): Promise<void>;
  /** Stops and starts the embedded PostgreSQL on the same port and data directory. */
  restartPostgres(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number) => Number(env[name] || fallback);

/** Development tokens survive restarts, so a script written against them keeps working. */
function devTokensIn(dataDir: string): Record<Role, string> {
  const file = path.join(dataDir, 'dev-tokens.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const tokens = generateDevTokens();
  writeFileSync(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  return tokens;
}

/**
 * The key the workers encrypt stored JD OAuth tokens with (JD_TOKEN_KEY), made once per data directory:
 * tokens stored by one start stay readable by the next, and no two machines share a key.
 */
function devTokenKeyIn(dataDir: string): string {
  const file = path.join(dataDir, 'jd-token-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function tokensFrom(spec: string): Record<Role, string | undefined> {
  const out: Record<Role, string | undefined> = { erp: undefined, operator: undefined, admin: undefined };
  for (const part of spec.split(',')) {
    const [role, token] = part.trim().split(/:(.*)/s) as [Role, string];
    if (role in out && !out[role]) out[role] = token;
  }
  return out;
}

/** A TypeScript entry point run under tsx in its own process, as in production. */
type ChildOptions = Required<Pick<StackOptions, 'restartChildren' | 'childOutput' | 'log'>> & { refused: (name: string) => void };

function child(name: string, entry: string, env: () => NodeJS.ProcessEnv, options: ChildOptions): ChildHandle {
  const root = projectRoot();
  let restarts = 0;
  const handle: ChildHandle = {
    name,
    stopping: false,
    start() {
      handle.stopping = false;
      const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry)], { cwd: root, env: env(), stdio: ['ignore', options.childOutput, options.childOutput] });
      handle.process = proc;
      proc.on('exit', (code, signal) => {
        if (handle.stopping || handle.process !== proc) return;
        options.log(`${name} exited (${signal ?? `code ${code}`})`);
        if (code === EXIT_CONFIGURATION) {
          options.log(`${name} refuses its configuration (see its message above); it is not restarted`);
          return options.refused(name);
        }
        if (!options.restartChildren) return;
        restarts += 1;
        const delay = Math.min(30_000, 1_000 * restarts);
        options.log(`restarting ${name} in ${delay / 1000} s`);
        setTimeout(() => !handle.stopping && handle.start(), delay).unref();
      });
    },
    async kill(signal = 'SIGTERM') {
      handle.stopping = true;
      const proc = handle.process;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const hard = setTimeout(() => proc.kill('SIGKILL'), 35_000);
        proc.once('exit', () => {
          clearTimeout(hard);
          resolve();
        });
        proc.kill(signal);
      });
    },
  };
  return handle;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = options.env ?? process.env;
  const dataDir = path.resolve(options.dataDir ?? path.join(projectRoot(), '.data'));
  const log = options.log ?? ((line: string) => process.stdout.write(`[stack] ${line}\n`));
  mkdirSync(dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err) => log(`cleanup failed: ${(err as Error).message}`));
  };

  try {
    // Temporal
    let temporal: TemporalDevServer | undefined;
    let temporalAddress = env.TEMPORAL_ADDRESS;
    const startTemporal = async () => {
      const cliPath = await resolveTemporalCli({ log });
      temporal = await startTemporalDevServer({
        cliPath,
        port: port(env, 'TEMPORAL_PORT', 7233),
        uiPort: env.TEMPORAL_UI_PORT === 'off' ? false : port(env, 'TEMPORAL_UI_PORT', 8233),
        dbFilename: path.join(dataDir, 'temporal.db'),
      });
      temporalAddress = temporal.address;
    };
    if (!temporalAddress) {
      await startTemporal();
      cleanups.push(async () => temporal?.stop());
    }

    // PostgreSQL (the embedded server lives as long as this handle)
    let db: Database = await openDatabase({ env, migrate: true, embeddedDataDir: path.join(dataDir, 'pg'), log });
    cleanups.push(async () => db.close());

    // JD: the simulator unless a gateway is configured
    let gatewayUrl = env.ECLP_GATEWAY_URL;
    let simulatorUrl: string | undefined;
    if (!gatewayUrl) {
      const sim = await startSimulator({ port: port(env, 'ECLP_SIM_PORT', 3100), credentials: DEV_CREDENTIALS, timeline: options.timeline, stateFile: path.join(dataDir, 'simulator.json') });
      cleanups.push(() => sim.close());
      gatewayUrl = sim.gatewayUrl;
      simulatorUrl = sim.url;
    }

    // An empty API_TOKENS counts as unset: development tokens, not an API that cannot start.
    const devTokens = env.API_TOKENS ? undefined : devTokensIn(dataDir);
    const apiTokens = env.API_TOKENS || tokensSpec(devTokens!);
    const apiPort = port(env, 'PORT', 3000);
    const jdTokenKey = env.JD_TOKEN_KEY || devTokenKeyIn(dataDir);
    const childEnv = (): NodeJS.ProcessEnv => ({
      ...env,
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: db.url,
      ECLP_GATEWAY_URL: gatewayUrl,
      API_TOKENS: apiTokens,
      PORT: String(apiPort),
      JD_TOKEN_KEY: jdTokenKey,
      // The embedded stack polls JD every 2 s (DESIGN.md §6) and its dev server re-polls every 10 s.
      SO_POLL_INTERVAL_MS: env.SO_POLL_INTERVAL_MS ?? '2000',
      READY_POLLER_MAX_AGE_MS: env.READY_POLLER_MAX_AGE_MS ?? (env.TEMPORAL_ADDRESS ? undefined : '30000'),
      // A go-live check looks for its test orders' cancel verdicts as often as orders poll JD.
      GO_LIVE_VERDICT_POLL_MS: env.GO_LIVE_VERDICT_POLL_MS ?? '2000',
      // The attention list links each document's workflow in the Web UI.
      ...((env.TEMPORAL_UI_URL || temporal?.uiUrl) && { TEMPORAL_UI_URL: env.TEMPORAL_UI_URL || temporal?.uiUrl }),
    });
    let starting = true;
    let refusedAtStart: (name: string) => void = () => undefined;
    const startFailed = new Promise<never>((_, reject) => {
      refusedAtStart = (name) => reject(new ConfigurationError([`${name} refuses its configuration; fix the settings it names above and start again`]));
    });
    startFailed.catch(() => undefined);
    const refused = (name: string) => (starting ? refusedAtStart(name) : options.onConfigurationError?.(name));
    const childOptions = { restartChildren: options.restartChildren ?? true, childOutput: options.childOutput ?? 'inherit', log, refused } as const;
    // Each worker serves /metrics on its own port: WORKER_METRICS_PORT (default 9464) for the first, the next ones up.
    const metricsPorts = workerMetricsPorts(env.WORKER_METRICS_PORT, options.workers ?? 1);
    const workerEnv = (i: number) => (): NodeJS.ProcessEnv => ({ ...childEnv(), WORKER_METRICS_PORT: metricsPorts[i] });
    const workers = Array.from({ length: options.workers ?? 1 }, (_, i) => child(`worker${options.workers && options.workers > 1 ? ` ${i + 1}` : ''}`, 'worker/main.ts', workerEnv(i), childOptions));
    const api = child('api', 'api/main.ts', childEnv, childOptions);
    for (const c of [...workers, api]) {
      c.start();
      cleanups.push(() => c.kill());
    }
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await Promise.race([waitFor(`${apiUrl}/healthz`, 60_000), startFailed]);
    starting = false;

    return {
      apiUrl,
      temporalAddress: temporalAddress!,
      uiUrl: temporal?.uiUrl,
      get databaseUrl() {
        return db.url;
      },
      embeddedDatabase: db.embedded,
      gatewayUrl,
      simulatorUrl,
      devTokens,
      tokens: tokensFrom(apiTokens),
      workers,
      api,
      workerMetricsUrls: metricsPorts.filter((p) => p !== 'off' && p !== '0').map((p) => `http://127.0.0.1:${p}/metrics`),
      apiMetricsUrl: `${apiUrl}/metrics`,
      async restartTemporal(downMs = 0) {
        if (!temporal) throw new Error('Temporal is external (TEMPORAL_ADDRESS); it cannot be restarted from here');
        await temporal.stop();
        await sleep(downMs);
        await startTemporal();
      },
      async restartPostgres(downMs = 0) {
        if (!db.embedded) throw new Error('PostgreSQL is external (DATABASE_URL); it cannot be restarted from here');
        await db.close();
        await sleep(downMs);
        db = await openDatabase({ env, migrate: false, embeddedDataDir: path.join(dataDir, 'pg'), log });
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** WORKER_METRICS_PORT per worker: `off` and `0` (any free port) for all, else consecutive ports from it (default 9464). */
function workerMetricsPorts(setting: string | undefined, workers: number): string[] {
  const base = setting?.trim() || String(DEFAULT_WORKER_METRICS_PORT);
  if (base === 'off' || base === '0' || !/^\d+$/.test(base)) return Array.from({ length: workers }, () => base);
  return Array.from({ length: workers }, (_, i) => String(Number(base) + i));
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

export { redactUrl };
