// How every saga calls its activities: timeouts and retry policies in one place, so sagas agree and the
// bench's no-op baseline (bench/baselines/workflows.ts) runs with exactly the options the sagas use.
import { proxyActivities, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import { JD_REJECTION_TYPES } from '../../messages/failure-types';
import { eclpQueueOf } from '../../messages/task-queues';

/**
 * How soon Temporal gives up on an activity whose worker died (SIGKILL, OOM, lost host) and retries it
 * on another: every activity beats while it runs (activities/heartbeat.ts), so a silence this long means
 * the worker is gone. Together with the retry interval and the time a replacement worker needs to start,
 * it is what a crash costs a document (the chaos run measures it: docs/chaos.md, target ≤ 15 s). Changing
 * it in running workflows is safe: Core's determinism check compares an activity's id and type, not its
 * timeouts (sdk-core activity_state_machine.rs, `on_activity_task_scheduled`).
 */
export const ACTIVITY_HEARTBEAT_TIMEOUT = '3 seconds';

/**
 * Database activities, on the workflow's own (`erp`) queue. Postgres comes back within a minute or two
 * (the retries wait for it); one attempt is a few statements, so 15 s means a hung connection, not work.
 */
export const ERP_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
};

/** The ERP's webhook may be down for a while: a day of retries, then the saga logs the failure on the document. */
export const WEBHOOK_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
};

const JD_BACKOFF = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;

/**
 * The JD client's own timeout per call when the caller does not say (ECLP_TIMEOUT_MS's default,
 * eclp/config.ts DEFAULT_TIMEOUT_MS; workflow code cannot read the environment).
 */
export const DEFAULT_JD_CALL_TIMEOUT_MS = 10_000;

/**
 * One attempt of a JD activity is `calls` JD calls in a row, each cut off by the client after
 * `jdCallTimeoutMs`, plus time for the database read and a token refresh wait (5 s): past that, the
 * attempt is hung and is retried. A dead worker is noticed sooner, by the heartbeat timeout.
 */
export function jdAttemptTimeoutMs(calls: number, jdCallTimeoutMs = DEFAULT_JD_CALL_TIMEOUT_MS): number {
  return calls * jdCallTimeoutMs + 5_000;
}

/** A push "makes sure JD has it": look up (on a retry), create, look up after "already exists". */
const CALLS_PER_JD_ACTIVITY = 3;

/**
 * JD calls, on the `eclp` queue paired with the workflow's own (rate-limited by ECLP_MAX_QPS). JD's
 * refusals are final; so are the saga's own `nonRetryable` types. Everything else is retried.
 */
export function jdCallOptions(erpQueue: string, nonRetryable: readonly string[] = [], jdCallTimeoutMs?: number): ActivityOptions {
  return {
    taskQueue: eclpQueueOf(erpQueue),
    startToCloseTimeout: jdAttemptTimeoutMs(CALLS_PER_JD_ACTIVITY, jdCallTimeoutMs),
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { ...JD_BACKOFF, nonRetryableErrorTypes: [...JD_REJECTION_TYPES, ...nonRetryable] },
  };
}

/**
 * Temporal's "infrequent polling": the retry policy is the poll loop (the activity fails "not yet" until
 * JD has an outcome), so the history stays a few events long however many days JD takes.
 */
export function jdPollOptions(erpQueue: string, polling: { intervalMs: number; maxWaitMs: number }, jdCallTimeoutMs?: number): ActivityOptions {
  return {
    taskQueue: eclpQueueOf(erpQueue),
    // One query per attempt; "not yet" ends the attempt, the retry policy waits the interval.
    startToCloseTimeout: jdAttemptTimeoutMs(1, jdCallTimeoutMs),
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: polling.maxWaitMs,
    retry: { initialInterval: polling.intervalMs, backoffCoefficient: 1, maximumInterval: polling.intervalMs },
  };
}

/** The poll activity asked once: "not yet" ends the attempt instead of polling on; JD trouble is still retried. */
export function jdCheckOptions(erpQueue: string, notFinishedType: string, jdCallTimeoutMs?: number): ActivityOptions {
  return {
    taskQueue: eclpQueueOf(erpQueue),
    startToCloseTimeout: jdAttemptTimeoutMs(1, jdCallTimeoutMs),
    heartbeatTimeout: ACTIVITY_HEARTBEAT_TIMEOUT,
    retry: { ...JD_BACKOFF, nonRetryableErrorTypes: [notFinishedType] },
  };
}

/**
 * A saga's three ways of calling JD, on the `eclp` queue paired with its own: plain calls (the saga's
 * `nonRetryable` types end them), the polling proxy, and the same poll asked once.
 */
export function jdProxies<A extends object>(
  erpQueue: string,
  o: { nonRetryable: readonly string[]; polling: { intervalMs: number; maxWaitMs: number; jdCallTimeoutMs?: number }; notFinishedType: string },
): { calls: ActivityInterfaceFor<A>; poll: ActivityInterfaceFor<A>; check: ActivityInterfaceFor<A> } {
  // ECLP_TIMEOUT_MS travels in the input's polling settings (the API reads it); absent, the client's default.
  const timeout = o.polling.jdCallTimeoutMs;
  return {
    calls: proxyActivities<A>(jdCallOptions(erpQueue, o.nonRetryable, timeout)),
    poll: proxyActivities<A>(jdPollOptions(erpQueue, o.polling, timeout)),
    check: proxyActivities<A>(jdCheckOptions(erpQueue, o.notFinishedType, timeout)),
  };
}
