// Expecting the ECLP client to fail.
import { EclpError } from '../../eclp';

/** The EclpError `promise` rejects with; anything else (or no failure) fails the test. */
export async function caughtEclpError(promise: Promise<unknown>): Promise<EclpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EclpError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
