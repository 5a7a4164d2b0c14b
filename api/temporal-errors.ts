// Temporal being unreachable is an outage, not a bug in the request: answer 503 with Retry-After so the
// ERP retries, instead of a 500 that looks like our fault.
import { isGrpcDeadlineError, isGrpcServiceError, ServiceError } from '@temporalio/client';
import { problems } from './problem';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
export const TEMPORAL_RETRY_AFTER_SECONDS = 5;

export function isTemporalUnavailable(err: unknown): boolean {
  const candidates = [err, err instanceof ServiceError ? err.cause : undefined];
  return candidates.some(
    (e) => isGrpcDeadlineError(e) || (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)),
  );
}

export async function withTemporal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isTemporalUnavailable(err)) {
      throw problems.unavailable('The workflow service (Temporal) is unreachable; nothing was changed. Retry shortly.', TEMPORAL_RETRY_AFTER_SECONDS);
    }
    throw err;
  }
}
