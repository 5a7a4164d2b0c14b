// What globalSetup leaves for globalTeardown; both run in jest's main process and share globalThis.
import { rm } from 'node:fs/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestPostgres } from './postgres';

const HARNESS_STATE = Symbol.for('eclp-bridge.test-harness');
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface HarnessState {
  temporal: TestWorkflowEnvironment;
  postgres: TestPostgres;
  /** Where test files share the workflows/ bundle (test/harness/workflow-bundle.ts). */
  workflowBundleDir: string;
}

const holder = globalThis as { [HARNESS_STATE]?: { state: HarnessState; onSignal: (signal: NodeJS.Signals) => void } };

/**
 * Keeps the servers for the teardown, and stops them too when jest is interrupted (Ctrl-C, a CI
 * timeout's SIGTERM): jest would otherwise die and leave both servers running.
 */
export function keepHarness(state: HarnessState): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const stopping = releaseHarness();
    // Then die of the same signal, as if nobody had listened; a stuck stop must not keep us alive.
    const die = () => process.kill(process.pid, signal);
    setTimeout(die, 5_000).unref();
    void stopping.finally(die);
  };
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  holder[HARNESS_STATE] = { state, onSignal };
}

/** Stops whatever keepHarness() holds; a second call finds nothing to do. */
export async function releaseHarness(): Promise<void> {
  const held = holder[HARNESS_STATE];
  if (!held) return;
  delete holder[HARNESS_STATE];
  for (const signal of STOP_SIGNALS) process.removeListener(signal, held.onSignal);
  const results = await Promise.allSettled([
    held.state.temporal.teardown(),
    held.state.postgres.stop(),
    rm(held.state.workflowBundleDir, { recursive: true, force: true }),
  ]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
