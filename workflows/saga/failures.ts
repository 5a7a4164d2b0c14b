// Reading an activity's failure inside a workflow: which type it carried, and JD's words when JD refused.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { JD_REJECTION_TYPES } from '../../messages/failure-types';

/** The ApplicationFailure type an activity failed with, if any. */
export function failureTypeOf(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause.type ?? undefined : undefined;
}

/** The activity failed with one of `types`: its message and JD's code (when JD gave one). */
export function failureOfType(error: unknown, types: readonly string[]): { type: string; message: string; jdCode?: string } | undefined {
  const type = failureTypeOf(error);
  if (type === undefined || !types.includes(type)) return undefined;
  const cause = (error as ActivityFailure).cause as ApplicationFailure;
  const details = cause.details?.[0] as { code?: string } | undefined;
  return { type, message: cause.message, ...(details?.code !== undefined && { jdCode: details.code }) };
}

/** JD refused the call itself (EclpBusinessError, EclpValidationError). */
export function jdRejectionOf(error: unknown): { message: string; jdCode?: string } | undefined {
  return failureOfType(error, JD_REJECTION_TYPES);
}

/** The activity ran out of its schedule-to-close time (a poll that waited past its cap). */
export function isActivityTimeout(error: unknown): boolean {
  // The server also ends a retrying activity when its next attempt would start past the schedule-to-close
  // limit: then the cause is the last attempt's own failure and only the retry state says "timed out".
  return error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === 'TIMEOUT');
}
