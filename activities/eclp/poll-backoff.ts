// While JD answers a poll with errors, the poll backs off exponentially from its interval; the first
// answer brings it back to the interval. Retry-policy polling has one fixed interval (the "not yet"
// loop must not slow down), so the delay after an error is set per failure, and the number of
// consecutive errors rides on the activity's heartbeat details, which Temporal hands to the next attempt.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { msOptionalToNumber } from '@temporalio/common/lib/time';

/** The back-off stops growing at this many intervals, and at an hour. */
const MAX_FACTOR = 8;
const MAX_DELAY_MS = 3_600_000;

interface PollHeartbeat {
  jdErrors: number;
}

function errorsSoFar(details: unknown): number {
  const n = (details as Partial<PollHeartbeat> | undefined)?.jdErrors;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The delay after the `errors`-th consecutive JD error: interval × 2^errors, capped. */
function pollBackoffMs(intervalMs: number, errors: number): number {
  return Math.min(intervalMs * 2 ** Math.min(errors, 30), intervalMs * MAX_FACTOR, Math.max(MAX_DELAY_MS, intervalMs));
}

/** Runs one JD call of a poll; on a retryable failure the next attempt waits longer each time in a row. */
export async function withPollBackoff<T>(call: () => Promise<T>, toFailure: (err: unknown) => unknown): Promise<T> {
  const context = Context.current();
  const errors = errorsSoFar(context.info.heartbeatDetails);
  let value: T;
  try {
    value = await call();
  } catch (err) {
    const failure = toFailure(err);
    context.heartbeat({ jdErrors: errors + 1 } satisfies PollHeartbeat);
    const intervalMs = msOptionalToNumber(context.info.retryPolicy?.initialInterval);
    // JD's own hint (a quota's retry-after) and non-retryable failures stay as they are.
    if (!(failure instanceof ApplicationFailure) || failure.nonRetryable || failure.nextRetryDelay != null || !intervalMs) throw failure;
    throw ApplicationFailure.create({
      type: failure.type ?? undefined,
      message: failure.message,
      details: failure.details ?? undefined,
      category: failure.category ?? undefined,
      nonRetryable: false,
      nextRetryDelay: pollBackoffMs(intervalMs, errors + 1),
    });
  }
  if (errors > 0) context.heartbeat({ jdErrors: 0 } satisfies PollHeartbeat);
  return value;
}
