// How a JD failure becomes an activity failure: EclpError → ApplicationFailure with the class name as its
// type (messages/failure-types.ts lists the ones workflows branch on) and JD's details attached, so
// Temporal knows which failures are worth retrying and when.
import { ApplicationFailure, log } from '@temporalio/activity';
import { EclpConfigurationError, EclpQuotaError, isEclpError } from '../../eclp';

export interface EclpActivityOptions {
  /** How long to wait before retrying after JD refused our credentials or clock (an operator must act). */
  configurationRetryDelayMs?: number;
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
