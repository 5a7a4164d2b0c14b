// Running an erp activity outside a worker the way Temporal would: one activity of one run, whose
// attempts share the activity key (exactly-once writes key on it), and the failure it ends with.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';

/** Refusals a test expects are not logged as warnings. */
const quiet = new DefaultLogger('ERROR');

/** One activity (`activityId`) of the run `workflowId`: every `run` through it is another attempt. */
export function activityOfRun(workflowId: string, activityId: string) {
  const env = new MockActivityEnvironment({ activityId, workflowExecution: { workflowId, runId: `run-${workflowId}` } }, { logger: quiet });
  return {
    run: <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args) as Promise<R>,
  };
}

/** The ApplicationFailure `promise` rejects with (a resolution fails the test). */
export async function applicationFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}
