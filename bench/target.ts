// The system the bench measures: an embedded stack it starts itself (own ports, own temporary state,
// nothing inherited that could point it at a real database or at JD), or a running one it attaches to.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_DATABASE } from '../db';
import { DEFAULT_EMBEDDED_PORT, EMBEDDED_PASSWORD, EMBEDDED_USER } from '../db/embedded';
import { databaseUrlFor } from '../db/url';
import { startStack, type Stack } from '../scripts/stack';
import { resolveTemporalCli } from '../scripts/temporal-cli';
import { startTemporalDevServer, type TemporalDevServer } from '../scripts/temporal-dev-server';
import type { Role } from '../test/support/api-client';
import { freePort } from '../test/support/ports';
import { sleep } from '../test/support/timing';
import { findServerRoots, type ProcessRoles } from './proc';

export interface BenchTarget {
  mode: 'embedded' | 'attached';
  apiUrl: string;
  simulatorUrl: string;
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  tokens: Partial<Record<Role, string>>;
  workerCount: number;
  /** The running stack when the bench started it (scenarios may kill and restart its parts). */
  stack?: Stack;
  /** Where the worker and API processes report their database round trips (bench/db-count.cjs); embedded stacks only. */
  dbCountDir?: string;
  /** Processes whose CPU and memory the report shows. */
  roles(): ProcessRoles;
  /** A child that died without being asked to, if any: the phase cannot finish then. */
  deadChild(): string | undefined;
  /** Restarts the API and/or the workers with changed environment (embedded stacks only). */
  restart?(envPatch: Record<string, string>, which: 'api' | 'workers' | 'all'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Variables that would point the stack at something real (a database, a Temporal cluster, JD, tokens,
 * credentials) or change what is measured. The bench sets its own values for what it needs.
 */
const INHERITED_AWAY = /^(DATABASE_URL|ECLP_GATEWAY_URL|ECLP_MAX_QPS|ECLP_SIM_PORT|API_TOKENS|PORT|PG_EMBEDDED_.*|JD_.*|SO_.*|PO_.*|CANCEL_WAIT_MS|ERP_WEBHOOK_.*|WORKFLOW_BUNDLE_PATH|TEMPORAL_(?!CLI_PATH$).*)$/;

/**
 * `tuned`: the dev server as the bench runs it by default — SQLite in memory and two dynamic-config
 * values whose defaults add latency on a one-shard dev server (measured here, bench/README.md):
 * - `history.transferProcessorMaxPollRPS` (default 20 reads/s of the shard's task queue): every task
 *   handed to a worker through matching waited 26–47 ms; with 1000 it waits 1–4 ms.
 * - `history.timerProcessorMaxTimeShift` (default 1 s): every timer and activity retry interval was
 *   rounded up to about a second (a 300 ms sleep loop took 1,036 ms per round; 346 ms with 50 ms).
 * `stock`: exactly what `npm start` runs (SQLite in a file, the project's dynamic config only).
 */
export type TemporalConfig = 'tuned' | 'stock';

export const TUNED_DEV_SERVER_FLAGS = [
  '--dynamic-config-value',
  'history.transferProcessorMaxPollRPS=1000',
  '--dynamic-config-value',
  'history.timerProcessorMaxTimeShift="50ms"',
];

export interface EmbeddedOptions {
  workers: number;
  temporal: TemporalConfig;
  /** Environment for the API and worker processes (poll interval, log level, …). */
  env: Record<string, string>;
  childOutput: 'inherit' | 'ignore';
  keepData: boolean;
  log(line: string): void;
}

export async function startEmbeddedTarget(options: EmbeddedOptions): Promise<BenchTarget> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'eclp-bench-'));
  // Under root the embedded PostgreSQL runs as `postgres`, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED_AWAY.test(key)));
  Object.assign(env, options.env, {
    PORT: String(await freePort()),
    ECLP_SIM_PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: 'off',
    PG_EMBEDDED_PORT: String(await freePort()),
  });
  // Every statement the worker and API send is counted in-process and reported here (bench/db-count.cjs).
  const dbCountDir = path.join(dataDir, 'db-counts');
  env.BENCH_DB_COUNT_DIR = dbCountDir;
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require "${path.join(__dirname, 'db-count.cjs')}"`.trim();
  let temporal: TemporalDevServer | undefined;
  let stack: Stack;
  try {
    // The stack's own dev server takes no extra flags, so the bench starts it (the project's search
    // attributes and dynamic config, plus the tuning) and hands the stack its address.
    temporal = await startTemporalDevServer({
      cliPath: await resolveTemporalCli({ log: options.log }),
      port: Number(env.TEMPORAL_PORT),
      uiPort: false,
      ...(options.temporal === 'stock' ? { dbFilename: path.join(dataDir, 'temporal.db') } : { extraArgs: TUNED_DEV_SERVER_FLAGS }),
    });
    env.TEMPORAL_ADDRESS = temporal.address;
    stack = await startStack({ dataDir, env, workers: options.workers, restartChildren: false, childOutput: options.childOutput, log: options.log });
  } catch (err) {
    await temporal?.stop();
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const server = temporal;
  const servers = {
    temporal: findServerRoots(process.pid, /start-dev/),
    postgres: findServerRoots(process.pid, /postgres/),
  };
  const children = () => [...stack.workers, stack.api];
  const waitForHealth = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${stack.apiUrl}/healthz`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error('the API did not come back within 60 s');
      await sleep(200);
    }
  };
  let stopped = false;

  return {
    mode: 'embedded',
    apiUrl: stack.apiUrl,
    simulatorUrl: stack.simulatorUrl!,
    temporalAddress: stack.temporalAddress,
    namespace: 'default',
    get databaseUrl() {
      return stack.databaseUrl;
    },
    tokens: stack.tokens,
    workerCount: options.workers,
    stack,
    dbCountDir,
    roles: () => ({
      trees: {
        ...Object.fromEntries(stack.workers.map((w, i) => [`worker${options.workers > 1 ? ` ${i + 1}` : ''}`, w.process?.pid ? [w.process.pid] : []])),
        api: stack.api.process?.pid ? [stack.api.process.pid] : [],
        temporal: servers.temporal,
        postgres: servers.postgres,
      },
      single: { bench: process.pid },
      highWaterMarkOfRoot: [...stack.workers.map((_, i) => `worker${options.workers > 1 ? ` ${i + 1}` : ''}`), 'api', 'temporal'],
    }),
    deadChild: () => children().find((c) => !c.stopping && c.process && (c.process.exitCode !== null || c.process.signalCode !== null))?.name,
    async restart(envPatch, which) {
      // The stack builds each child's environment from this object when the child starts.
      Object.assign(env, envPatch);
      const targets = which === 'api' ? [stack.api] : which === 'workers' ? stack.workers : children();
      for (const child of targets) {
        await child.kill('SIGTERM');
        child.start();
      }
      await waitForHealth();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await stack.stop();
        await server.stop();
      } finally {
        if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
        else options.log(`state kept in ${dataDir}`);
      }
    },
  };
}

export interface AttachOptions {
  apiUrl?: string;
  simulatorUrl?: string;
  temporalAddress?: string;
  databaseUrl?: string;
  workerPids: number[];
  apiPid?: number;
}

/** `npm start`'s defaults unless told otherwise; tokens from API_TOKENS or .data/dev-tokens.json. */
export function attachTarget(options: AttachOptions): BenchTarget {
  const env = process.env;
  const tokens: Partial<Record<Role, string>> = {};
  if (env.API_TOKENS) {
    for (const part of env.API_TOKENS.split(',')) {
      const colon = part.indexOf(':');
      const role = part.slice(0, colon).trim() as Role;
      if (colon > 0 && !tokens[role]) tokens[role] = part.slice(colon + 1).trim();
    }
  } else {
    const file = path.join(__dirname, '..', '.data', 'dev-tokens.json');
    if (!existsSync(file)) throw new Error('--attach needs API_TOKENS or the development tokens npm start keeps in .data/dev-tokens.json');
    Object.assign(tokens, JSON.parse(readFileSync(file, 'utf8')));
  }
  const embeddedDb = databaseUrlFor(`postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${env.PG_EMBEDDED_PORT || DEFAULT_EMBEDDED_PORT}/postgres`, EMBEDDED_DATABASE);
  return {
    mode: 'attached',
    apiUrl: options.apiUrl ?? `http://127.0.0.1:${env.PORT || 3000}`,
    simulatorUrl: options.simulatorUrl ?? `http://127.0.0.1:${env.ECLP_SIM_PORT || 3100}`,
    temporalAddress: options.temporalAddress ?? env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    databaseUrl: options.databaseUrl ?? env.DATABASE_URL ?? embeddedDb,
    tokens,
    workerCount: options.workerPids.length,
    roles: () => ({
      trees: {
        ...Object.fromEntries(options.workerPids.map((pid, i) => [`worker${options.workerPids.length > 1 ? ` ${i + 1}` : ''}`, [pid]])),
        ...(options.apiPid ? { api: [options.apiPid] } : {}),
      },
      single: { bench: process.pid },
      highWaterMarkOfRoot: [...options.workerPids.map((_, i) => `worker${options.workerPids.length > 1 ? ` ${i + 1}` : ''}`), 'api'],
    }),
    deadChild: () => undefined,
    stop: async () => undefined,
  };
}
