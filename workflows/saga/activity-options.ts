// How every saga calls its activities: timeouts and retry policies in one place, so sagas agree and the
// bench's no-op baseline (bench/baselines/workflows.ts) runs with exactly the options the sagas use.
import { proxyActivities, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import { JD_REJECTION_TYPES } from '../../messages/failure-types';
import { eclpQueueOf } from '../../messages/task-queues';

/** Database activities, on the workflow's own (`erp`) queue. Postgres comes back within a minute or two. */
export const ERP_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
};

/** The ERP's webhook may be down for a while: a day of retries, then the saga logs the failure on the document. */
export const WEBHOOK_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
};

const JD_BACKOFF = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;

/**
 * JD calls, on the `eclp` queue paired with the workflow's own (rate-limited by ECLP_MAX_QPS). JD's
 * refusals are final; so are the saga's own `nonRetryable` types. Everything else is retried.
 */
export function jdCallOptions(erpQueue: string, nonRetryable: readonly string[] = []): ActivityOptions {
  return {
    taskQueue: eclpQueueOf(erpQueue),
    startToCloseTimeout: '1 minute',
    retry: { ...JD_BACKOFF, nonRetryableErrorTypes: [...JD_REJECTION_TYPES, ...nonRetryable] },
  };
}

/**
 * Temporal's "infrequent polling": the retry policy is the poll loop (the activity fails "not yet" until
 * JD has an outcome), so the history stays a few events long however many days JD takes.
 */
export function jdPollOptions(erpQueue: string, polling: { intervalMs: number; maxWaitMs: number }): ActivityOptions {
  return {
    taskQueue: eclpQueueOf(erpQueue),
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: polling.maxWaitMs,
    retry: { initialInterval: polling.intervalMs, backoffCoefficient: 1, maximumInterval: polling.intervalMs },
  };
}

/** The poll activity asked once: "not yet" ends the attempt instead of polling on; JD trouble is still retried. */
export function jdCheckOptions(erpQueue: string, notFinishedType: string): ActivityOptions {
  return {
    taskQueue: eclpQueueOf(erpQueue),
    startToCloseTimeout: '1 minute',
    retry: { ...JD_BACKOFF, nonRetryableErrorTypes: [notFinishedType] },
  };
}

/**
 * A saga's three ways of calling JD, on the `eclp` queue paired with its own: plain calls (the saga's
 * `nonRetryable` types end them), the polling proxy, and the same poll asked once.
 */
export function jdProxies<A extends object>(erpQueue: string, o: { nonRetryable: readonly string[]; polling: { intervalMs: number; maxWaitMs: number }; notFinishedType: string }): { calls: ActivityInterfaceFor<A>; poll: ActivityInterfaceFor<A>; check: ActivityInterfaceFor<A> } {
  return {
    calls: proxyActivities<A>(jdCallOptions(erpQueue, o.nonRetryable)),
    poll: proxyActivities<A>(jdPollOptions(erpQueue, o.polling)),
    check: proxyActivities<A>(jdCheckOptions(erpQueue, o.notFinishedType)),
  };
}
