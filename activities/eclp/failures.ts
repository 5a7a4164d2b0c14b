// How a JD failure becomes an activity failure: EclpError → ApplicationFailure with the class name as its
// type (messages/failure-types.ts lists the ones workflows branch on) and JD's details attached, so
// Temporal knows which failures are worth retrying and when.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { EclpBusinessError, EclpConfigurationError, EclpQuotaError, EclpValidationError, isEclpError } from '../../eclp';
import { FAILURE_TYPES } from '../../messages/failure-types';

export interface EclpActivityOptions {
  /** How long to wait before retrying after JD refused our credentials or clock (an operator must act). */
  configurationRetryDelayMs?: number;
  /**
   * The merchant's JD account pin that addPoSidDetail asks for (JD_ACCOUNT_PIN). Unset, the client sends
   * the merchant's deptNo in its place: JD documents no way to learn the pin.
   */
  jdAccountPin?: string;
}

/**
 * EclpError → ApplicationFailure with the class name as type and JD's details attached.
 * Configuration errors (bad token, clock skew) are retried slowly instead of failing: they are global,
 * an operator fixes them once, and every waiting document should then carry on by itself.
 */
export function toActivityFailure(err: unknown, options: EclpActivityOptions = {}): unknown {
  if (!isEclpError(err)) return err;
  const details = err.toDetails();
  if (err instanceof EclpConfigurationError) {
    log.error('JD refused our configuration; fix it and waiting documents resume', { eclpMethod: err.method, code: err.code, hint: err.hint });
    return ApplicationFailure.create({
      type: err.name,
      message: `${err.message} (${err.hint})`,
      nonRetryable: false,
      nextRetryDelay: options.configurationRetryDelayMs ?? 5 * 60_000,
      details: [details],
    });
  }
  return ApplicationFailure.create({
    type: err.name,
    message: err.zhDesc ?? err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err instanceof EclpQuotaError ? err.retryAfterMs : undefined,
    details: [details],
  });
}

/** Runs one JD call, turning its failure into the activity failure above. */
export function jdCaller(options: EclpActivityOptions = {}) {
  return async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw toActivityFailure(err, options);
    }
  };
}

/**
 * A poll's failure: JD refusing to show one of our own documents is odd but no verdict on it, so it is
 * retried visibly (not BENIGN) like any other JD trouble.
 */
export function pollFailure(options: EclpActivityOptions = {}) {
  return (err: unknown): unknown =>
    err instanceof EclpBusinessError || err instanceof EclpValidationError
      ? ApplicationFailure.create({ type: FAILURE_TYPES.jdQueryRefused, message: err.zhDesc ?? err.message, nonRetryable: false, details: [err.toDetails()] })
      : toActivityFailure(err, options);
}

/** A poll's "JD has nothing new yet": expected, so BENIGN (no error logs, no failure metrics); Temporal asks again. */
export function notFinishedYet(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false, category: ApplicationFailureCategory.BENIGN });
}

/** JD's `{code, msg}` answer to a cancel or a close, as the activities hand it to the saga. */
export interface JdVerdictAnswer {
  /** JD's result code, or its error code when JD refused the call itself. */
  jdCode: string;
  jdMessage?: string;
}

/**
 * Asks JD for a cancel or a close and reads its verdict (`grantedResult` is the client's word for yes).
 * A business refusal of the call itself is a refusal, not a failure; a code JD has not documented is
 * settled by `settleUnknown` (the document's status at JD), and so is a refusal on a retry (an earlier
 * attempt may have been granted with its answer lost). Transport and gateway trouble fail the activity,
 * to be retried.
 */
export async function askJdVerdict(
  call: () => Promise<{ result: string; code: string; message?: string }>,
  grantedResult: string,
  settleUnknown: () => Promise<boolean>,
  options: EclpActivityOptions = {},
): Promise<JdVerdictAnswer & { granted: boolean }> {
  // A refusal on a retry may answer a request an earlier attempt already got granted (its answer was
  // lost): JD's state decides then, so a cancel JD carried out is never reported as refused.
  const refused = async (): Promise<boolean> => (Context.current().info.attempt > 1 ? settleUnknown() : false);
  let outcome;
  try {
    outcome = await call();
  } catch (err) {
    if (err instanceof EclpBusinessError) return { granted: await refused(), jdCode: err.code ?? 'unknown', ...(err.zhDesc !== undefined && { jdMessage: err.zhDesc }) };
    throw toActivityFailure(err, options);
  }
  const granted = outcome.result === 'unknown' ? await settleUnknown() : outcome.result === grantedResult || (await refused());
  return { granted, jdCode: outcome.code, ...(outcome.message !== undefined && { jdMessage: outcome.message }) };
}
