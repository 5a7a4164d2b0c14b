// Requests a document's run decides (打回审核 and refunds of sales orders; cancel, close, link and repush of
// purchase orders), all handled the same way: recorded as pending in Postgres, signalled to the run, and
// answered with the verdict the run writes (or 202 while it is still open). The documents differ only in
// how they judge a request, what they store and how they word the answer; the protocol is this one.
import { ConflictError } from '../domain/errors';
import type { RouteResult } from './route';
import { withTemporal, type TemporalDeadlineScope } from './temporal-errors';

/** How often the API looks for the run's verdict while the caller waits. */
const VERDICT_POLL_MS = 100;

export interface RunRequest<R> {
  requestId: string;
  /**
   * Set on the second pass, after the run had closed under the first: the document is judged once more,
   * and a run gone a second time is a 409 instead of a third pass.
   */
  rerouted: boolean;
  temporal: TemporalDeadlineScope;
  /** The stored request under this id, decided or not. */
  find(): Promise<R | undefined>;
  /** Whether a stored request is this one (same document and kind): a request id names one request. */
  isThis(stored: R): boolean;
  /** The 409 for an id already used for another document or kind. */
  reused(stored: R): Error;
  isDecided(stored: R): boolean;
  /**
   * Judges the document as Postgres has it: throws a refusal, says the run has to decide (`signal`), that
   * the request was decided without the run (`decided`: e.g. an order still in review, cancelled by the
   * ERP itself), or answers outright.
   */
  judge(): Promise<{ action: 'signal' } | { action: 'decided' } | { action: 'answer'; answer: RouteResult }>;
  /**
   * Records the request as pending before the signal (the run trusts source and actor role only from
   * this record); answers the stored request, another's when a concurrent call took the id first.
   */
  recordPending(): Promise<R>;
  /** Removes the pending record of a signal that reached no run. */
  withdraw(): Promise<void>;
  /** The run to signal, read now (null: the document has none). */
  workflowId(): Promise<string | null>;
  /** Signals the run; false when it is not running any more. */
  signal(workflowId: string): Promise<boolean>;
  /** The 409 when the run has closed on the second pass too. */
  notRunning(workflowId: string | null): Promise<Error>;
  /** The same request once more, rerouted (`rerouted: true`). */
  again(): Promise<RouteResult>;
  /** A decided request: 200 with the verdict, or a 409 where the answer is a conflict. */
  answer(decided: R): Promise<RouteResult>;
  /** How long the caller waits for the verdict (CANCEL_WAIT_MS). */
  waitMs: number;
  /** The 202 while the run has not decided. */
  undecided(): RouteResult;
}

export async function sendRunRequest<R>(request: RunRequest<R>): Promise<RouteResult> {
  const known = await request.find();
  if (known) {
    if (!request.isThis(known)) throw request.reused(known);
    // A retried call: answer from the record and never decide twice. A request still pending is signalled
    // again (the run drops a repeated id) in case the first signal never arrived (Temporal was down).
    if (!request.isDecided(known) && !(await signalRun(request))) return request.again();
    return awaitVerdict(request);
  }
  const judged = await request.judge();
  if (judged.action === 'answer') return judged.answer;
  if (judged.action === 'decided') return awaitVerdict(request);
  const stored = await request.recordPending();
  if (!request.isThis(stored)) throw request.reused(stored);
  if (!(await signalRun(request))) return request.again();
  return awaitVerdict(request);
}

/**
 * Signals the document's run. False when the run had closed (it shipped, say): the pending record is
 * withdrawn and the caller judges the document as it is now (once; a second time is a 409).
 */
async function signalRun<R>(request: RunRequest<R>): Promise<boolean> {
  const workflowId = await request.workflowId();
  let delivered: boolean;
  try {
    delivered = workflowId !== null && (await withTemporal(() => request.signal(workflowId), request.temporal));
  } catch (err) {
    // Temporal is down (503): the answer says nothing happened, so nothing may stay behind. Should the
    // signal have reached the run after all, its verdict is still recorded, attributed to Temporal.
    await request.withdraw();
    throw err;
  }
  if (delivered) return true;
  await request.withdraw();
  if (!request.rerouted) return false;
  throw await request.notRunning(workflowId);
}

/** Waits up to `waitMs` for the run's verdict; the 202 if it is still open then. */
async function awaitVerdict<R>(request: RunRequest<R>): Promise<RouteResult> {
  const deadline = Date.now() + request.waitMs;
  for (;;) {
    const stored = await request.find();
    if (stored && request.isDecided(stored)) return request.answer(stored);
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(VERDICT_POLL_MS, Math.max(0, deadline - Date.now()))));
  }
  return request.undecided();
}

/**
 * A decided request's answer: 200 with the verdict; or, when the verdict says the request came too late for
 * the document (`conflict`, the 409's reason), the 409 of the API's own routing refusals, carrying the
 * document's current state in place of the status the verdict left.
 */
export function decidedRequestAnswer<B extends { message: string; status?: string | undefined; statusLabel?: string | undefined }>(
  body: B,
  conflict: string | undefined,
  state: Record<string, unknown>,
): RouteResult {
  if (conflict === undefined) return { status: 200, body };
  const { status: _status, statusLabel: _label, ...rest } = body;
  throw new ConflictError(body.message, conflict, { ...rest, ...state });
}
