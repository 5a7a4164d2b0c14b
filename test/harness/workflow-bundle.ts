// The workflows/ bundle, built once per jest run instead of once per test file: webpack takes about 2 s
// of CPU per build, and some twenty files run a real Worker. The first file that asks builds it and
// writes it to the run's bundle directory (made by global-setup.ts); the others, in the same jest worker
// or another, read that file. The file is named by a hash of the sources the bundle is made of, so a
// workflow edited during `jest --watch` is bundled again rather than served stale.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { HARNESS_ENV } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * What the bundle is built from: workflow code may import only these folders (DESIGN.md §1, enforced by
 * lint; its type-only imports of activities/ leave no code), plus the SDK version in the lock file.
 */
const SOURCES = ['workflows', 'messages', 'domain'];
/** How long a file waits for another one's build before building on its own (that one may have died). */
const WAIT_FOR_OTHER_BUILD_MS = 120_000;

const quiet = () => undefined;
const quietBundlerLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta) };

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The run's bundle of workflows/ (one build per run and source state; see the top of this file). */
export function sharedWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= load().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

const build = () => bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });

async function load(): Promise<WorkflowBundleWithSourceMap> {
  const dir = process.env[HARNESS_ENV.workflowBundleDir];
  // Outside a jest run with the global setup (a script importing test helpers): just build.
  if (!dir) return build();
  const file = path.join(dir, `workflows-${sourceHash()}.json`);
  const lock = `${file}.lock`;
  const failed = `${file}.error`;
  let lockHandle;
  try {
    lockHandle = await open(lock, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await waitForOtherBuild(file, failed)) ?? build();
  }
  await lockHandle.close();
  try {
    const built = await build();
    // Written under another name and renamed, so a reader never sees half a file.
    await writeFile(`${file}.tmp`, JSON.stringify(built));
    await rename(`${file}.tmp`, file);
    return built;
  } catch (error) {
    // The other files fail with the same compile error at once instead of each waiting and rebuilding.
    await writeFile(failed, error instanceof Error ? (error.stack ?? error.message) : String(error)).catch(quiet);
    throw error;
  }
}

/** The bundle another file is building, or undefined when it has not appeared in time. */
async function waitForOtherBuild(file: string, failed: string): Promise<WorkflowBundleWithSourceMap | undefined> {
  const deadline = Date.now() + WAIT_FOR_OTHER_BUILD_MS;
  while (Date.now() < deadline) {
    if (await exists(file)) return JSON.parse(await readFile(file, 'utf8')) as WorkflowBundleWithSourceMap;
    if (await exists(failed)) throw new Error(`Bundling workflows/ failed in another test file:\n${await readFile(failed, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

const exists = (file: string) => stat(file).then(() => true, () => false);

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const folder of SOURCES) {
    const files = readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).sort();
    for (const name of files) hash.update(`${folder}/${name}\0`).update(readFileSync(path.join(ROOT, folder, name))).update('\0');
  }
  hash.update(readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}
