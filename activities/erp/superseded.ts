// A document write refused because the document moved on (another push revision, or out of the status
// the step starts from: a ConflictError from db/) fails alike on every retry: the run must stop.
import { ApplicationFailure } from '@temporalio/activity';
import { ConflictError } from '../../domain/errors';

/** Runs `write`; a ConflictError becomes a non-retryable failure of `failureType` (the document's "superseded"). */
export async function orSuperseded<T>(failureType: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof ConflictError) throw ApplicationFailure.create({ type: failureType, message: err.message, nonRetryable: true, details: [{ reason: err.reason }] });
    throw err;
  }
}
