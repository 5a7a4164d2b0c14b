// A read-only JD query for an API request (serial numbers, issue 12 §2): the API may not call JD, so it
// runs this short workflow, which runs one eclp activity (every page read there) and returns its answer.
// JD's refusal, "nothing to ask JD with" and JD not answering within the deadline are answers too, so the
// API can tell them apart without unpicking failure chains.
import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import { JD_REJECTION_TYPES } from '../messages/failure-types';
import { JD_LOOKUP_NOT_AT_JD, type JdLookupInput, type JdLookupResult } from '../messages/jd-lookup';
import { jdCallOptions } from './saga/activity-options';

/** JD's code in the details eclp failures carry (activities/eclp/failures.ts). */
function jdCodeOf(failure: ApplicationFailure): string | null {
  const [details] = failure.details ?? [];
  const code = details !== null && typeof details === 'object' ? (details as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : null;
}

/** The innermost message: a timeout carries the last attempt's failure as its cause. */
function lastMessage(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  let cause = err instanceof Error ? err.cause : undefined;
  while (cause instanceof Error) {
    message = cause.message || message;
    cause = cause.cause;
  }
  return message;
}

export async function jdLookup(input: JdLookupInput): Promise<JdLookupResult> {
  const { query, limits, timeoutMs } = input;
  const jd = proxyActivities<EclpActivities>({
    ...jdCallOptions(workflowInfo().taskQueue, [JD_LOOKUP_NOT_AT_JD]),
    // Every page in one attempt; the whole lookup, retries included, within the caller's deadline.
    scheduleToCloseTimeout: timeoutMs,
    startToCloseTimeout: timeoutMs,
  });
  try {
    const answer =
      query.kind === 'serialsByBill'
        ? await jd.lookupSerialsByBill(query.billNo, query.billType, limits)
        : query.kind === 'serialsInStock'
          ? await jd.lookupSerialsInStock(query.sku, limits)
          : await jd.lookupSerialsOfDocument(query.type, query.docNo, limits);
    return { outcome: 'ok', answer };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === JD_LOOKUP_NOT_AT_JD) return { outcome: 'not-at-jd', message: cause.message };
    if (cause instanceof ApplicationFailure && (JD_REJECTION_TYPES as readonly string[]).includes(cause.type ?? '')) {
      return { outcome: 'refused', jdCode: jdCodeOf(cause), jdMessage: cause.message };
    }
    if (cause instanceof TimeoutFailure || cause instanceof ApplicationFailure) return { outcome: 'unavailable', message: lastMessage(err) };
    throw err;
  }
}
