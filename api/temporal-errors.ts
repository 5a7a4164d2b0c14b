// Temporal being unreachable is an outage, not a bug in the request: answer 503 with Retry-After so the
// ERP retries, instead of a 500 that looks like our fault.
import { isGrpcDeadlineError, isGrpcServiceError, ServiceError } from '@temporalio/client';
import { HttpProblem, problems } from './problem';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
export const TEMPORAL_RETRY_AFTER_SECONDS = 5;

const causes = (err: unknown) => [err, err instanceof ServiceError ? err.cause : undefined];

export function isTemporalUnavailable(err: unknown): boolean {
  return causes(err).some(
    (e) => isGrpcDeadlineError(e) || (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)),
  );
}

/** A deadline, unlike a refused connection, leaves open whether the server carried the call out. */
function isTemporalDeadline(err: unknown): boolean {
  return causes(err).some((e) => isGrpcDeadlineError(e) || (isGrpcServiceError(e) && e.code === GRPC_DEADLINE_EXCEEDED));
}

/**
 * How long one request's Temporal call may take before the API answers 503. Against a stopped server the
 * SDK's own gRPC retries (10 attempts with backoff) would otherwise hold the request for about 20 s.
 */
export const TEMPORAL_CALL_TIMEOUT_MS = 5_000;
/** Lets a call already in flight report the gRPC deadline itself before the timer answers for it. */
const DEADLINE_GRACE_MS = 250;

/** The part of a Temporal `Client` (or `Connection`) that scopes a gRPC deadline over a callback. */
export interface TemporalDeadlineScope {
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
}

class TemporalCallTimeout extends Error {}

/**
 * Runs a Temporal call and turns "Temporal is down" into 503 with Retry-After, answering within
 * `timeoutMs`. Pass the client: its calls then carry a gRPC deadline, so an attempt the SDK retries after
 * the 503 fails instead of starting a workflow the caller was told about as not started. Without it the
 * answer is still bounded, but a late retry inside the SDK may still succeed.
 */
export async function withTemporal<T>(call: () => Promise<T>, client?: TemporalDeadlineScope, timeoutMs = TEMPORAL_CALL_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const attempt = client ? client.withDeadline(deadline, call) : call();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalCallTimeout()), timeoutMs + DEADLINE_GRACE_MS);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } catch (err) {
    if (err instanceof TemporalCallTimeout || isTemporalDeadline(err)) {
      attempt.catch(() => undefined); // after a timeout, its deadline failure arrives once we have answered
      throw problems.unavailable(`The workflow service (Temporal) did not answer within ${timeoutMs / 1000} s. Retry after Retry-After seconds.`, TEMPORAL_RETRY_AFTER_SECONDS);
    }
    if (isTemporalUnavailable(err)) {
      throw problems.unavailable('The workflow service (Temporal) is unreachable; nothing was changed. Retry after Retry-After seconds.', TEMPORAL_RETRY_AFTER_SECONDS);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the run of a document that is stored already (a PO, a return: the row comes before the run, whose
 * pre-flight reads it). The run's workflow id, or undefined when that revision's run had already closed (the
 * document moved on). Temporal down is a 503 that says the document is stored and that the same request
 * again starts its push.
 */
export async function startStoredDocumentRun(
  document: string,
  start: () => Promise<{ workflowId: string; started: boolean }>,
  client: TemporalDeadlineScope,
): Promise<string | undefined> {
  try {
    const run = await withTemporal(start, client);
    return run.started ? run.workflowId : undefined;
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 503) {
      throw problems.unavailable(
        `${document} is stored, but its push to JD could not start: the workflow service (Temporal) is unreachable. Send the same request again after Retry-After seconds to start it.`,
        TEMPORAL_RETRY_AFTER_SECONDS,
      );
    }
    throw err;
  }
}
