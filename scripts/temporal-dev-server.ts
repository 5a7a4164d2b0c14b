// Runs `temporal server start-dev` as a child process for `npm start` (DESIGN.md §2): SQLite state,
// the project's search attributes registered, and a promise that only resolves once the frontend
// answers, so callers can connect workers straight away.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../messages/search-attributes';

export type TemporalLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

export interface TemporalDevServerOptions {
  cliPath: string;
  /** Frontend gRPC port. Default 7233. */
  port?: number;
  /** Web UI port, or false for a headless server. Default 8233. */
  uiPort?: number | false;
  /** Interface to bind. Default 127.0.0.1: the dev server has no authentication. */
  ip?: string;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFilename?: string;
  /** Created at start (the server always creates `default` too). Default 'default'. */
  namespace?: string;
  logLevel?: TemporalLogLevel;
  /** Further `start-dev` flags, e.g. more `--dynamic-config-value` entries; appended last. */
  extraArgs?: string[];
  /** Every line the server prints; by default only the last lines are kept for error messages. */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port for Connection.connect / NativeConnection.connect. */
  address: string;
  uiUrl?: string;
  namespace: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Dynamic config the project relies on; see temporal-notes.md §3.2. */
const DYNAMIC_CONFIG = [
  // Search attributes registered at start are visible to the very first query.
  'system.forceSearchAttributesCacheRefreshOnRead=true',
  // Sets TemporalReportedProblems after 5 failed workflow tasks, which the UI's "Task Failures" view lists.
  'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=5',
  // Idle pollers re-poll every 10 s instead of 60 s, so /readyz notices a stopped worker within seconds.
  'matching.longPollExpirationInterval="10s"',
  // The dev server has one history shard, whose transfer queue is read at most 20 times a second by
  // default: every hand-off to a worker (a workflow task, an activity on the other queue) waited 26–47 ms,
  // ~200 ms per sales order before WMS_PICKING. With 1000 each hop takes 1–4 ms (bench/README.md).
  'history.transferProcessorMaxPollRPS=1000',
  // The default (1 s) rounds every timer and activity retry up to about a second: a 300 ms poll interval
  // polled once a second (a 300 ms sleep loop: 1,036 ms per round; 346 ms with 50 ms), at the same idle CPU.
  'history.timerProcessorMaxTimeShift="50ms"',
];

const OUTPUT_TAIL_LINES = 40;

/** `--dynamic-config-value` flags every dev server of the project gets (also the test harness's). */
export function dynamicConfigFlags(): string[] {
  return DYNAMIC_CONFIG.flatMap((entry) => ['--dynamic-config-value', entry]);
}

export function devServerArgs(options: TemporalDevServerOptions): string[] {
  const { port = 7233, uiPort = 8233, ip = '127.0.0.1', namespace = 'default', logLevel = 'warn' } = options;
  return [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    ...(uiPort === false ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(options.dbFilename ? ['--db-filename', options.dbFilename] : []),
    ...(namespace === 'default' ? [] : ['--namespace', namespace]),
    ...searchAttributeFlags(),
    ...dynamicConfigFlags(),
    '--log-level',
    logLevel,
    ...(options.extraArgs ?? []),
  ];
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const { port = 7233, uiPort = 8233, ip = '127.0.0.1', namespace = 'default' } = options;
  if (options.dbFilename) await mkdir(path.dirname(path.resolve(options.dbFilename)), { recursive: true });
  // Otherwise a server already on the port would answer the readiness probe in our child's place.
  await assertPortFree(ip, port, 'frontend');
  if (uiPort !== false) await assertPortFree(ip, uiPort, 'Web UI');

  const child = spawn(options.cliPath, devServerArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  // The CLI prints a usage error first and then its whole help text, which would push it out of the tail.
  const errorLines: string[] = [];
  const onLine = (line: string) => {
    if (/^Error:/.test(line) && errorLines.length < 5) errorLines.push(line);
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    options.onOutput?.(line);
  };
  // Both pipes must be drained, or the server blocks once a pipe buffer fills.
  forEachLine(child.stdout, onLine);
  forEachLine(child.stderr, onLine);

  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`exited early (${signal ?? `code ${code}`})`));
  });
  // A parent that exits without calling stop() must not leave the server holding its ports; 'exit'
  // handlers cannot wait, and SIGTERM lets the server close its SQLite file on its own.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const address = `${ip}:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child, options.stopTimeoutMs ?? 10_000);
  };

  const earlyExit = exited.then((why) => Promise.reject(new Error(why)));
  earlyExit.catch(() => undefined); // only matters while starting; a later exit is the caller's business
  const probing = new AbortController();
  try {
    await Promise.race([waitUntilServing(address, namespace, options.startTimeoutMs ?? 60_000, probing.signal), earlyExit]);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(await exited);
  } catch (error) {
    probing.abort();
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Temporal dev server on ${address} ${reason}.\n` +
        `Command: ${options.cliPath} ${devServerArgs(options).join(' ')}\n` +
        `Last output:\n${[...errorLines.filter((line) => !tail.includes(line)), ...tail].join('\n') || '(none)'}`,
    );
  }

  return {
    address,
    uiUrl: uiPort === false ? undefined : `http://${ip}:${uiPort}`,
    namespace,
    process: child,
    stop,
  };
}

/** The frontend accepts TCP before the namespace exists; describing the namespace proves both. */
async function waitUntilServing(address: string, namespace: string, timeoutMs: number, abort: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !abort.aborted) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.withDeadline(Date.now() + 2_000, () =>
        connection!.workflowService.describeNamespace({ namespace }),
      );
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`did not answer within ${timeoutMs} ms${detail}`);
}

function assertPortFree(ip: string, port: number, role: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Cannot start the Temporal dev server: ${role} port ${ip}:${port} is already in use (another Temporal server?).`
            : `Cannot start the Temporal dev server: ${role} port ${ip}:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen({ host: ip, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  stream.on('end', () => {
    if (pending.trim()) onLine(pending);
  });
}
