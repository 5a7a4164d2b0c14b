// Operator requests (send-back, refund, PO cancel/close/link/repush), the same for every document: how a
// run's decision is filed (whose request it was, under which id, which verdict stands when the document
// moved on while the run was deciding) and how a request's decision reads back.
import type { CancelSource } from '../domain/cancel';

/** What Postgres holds under a request id (the API's pending row, or an earlier decision), table-neutral. */
export interface RecordedRequest {
  docNo: string;
  kind: string;
  verdict: string | null;
  source: CancelSource;
  actorRole: string;
}

/** The request as the run took it in: its source and actor role are claims. */
export interface RequestClaim {
  docNo: string;
  revision: number;
  requestId: string;
  kind: string;
}

/**
 * - The request counts as the API's (source, actor role) only when the API recorded it first for this
 *   document and kind, still undecided; anything else is a signal from the Temporal UI/CLI, whatever its
 *   payload claims.
 * - A request id another document (or an earlier decision) owns is filed under the run's own key
 *   `{docNo}:{revision}#{requestId}`, so it can neither overwrite that verdict nor land on that document.
 */
export function fileRequest(recorded: RecordedRequest | undefined, claim: RequestClaim): { requestId: string; source: CancelSource; actorRole: string } {
  const owned = recorded !== undefined && recorded.docNo === claim.docNo && recorded.kind === claim.kind && recorded.verdict === null;
  const fromApi = owned && recorded.source === 'api';
  return {
    requestId: recorded === undefined || owned ? claim.requestId : `${claim.docNo}:${claim.revision}#${claim.requestId}`,
    source: fromApi ? 'api' : 'temporal',
    actorRole: fromApi ? recorded.actorRole : 'operator',
  };
}

/**
 * A document that moved on since the run looked (`from`) keeps the status it has; the verdict then says
 * how it ended (`endedAs`, e.g. CANCELLED → ALREADY_CANCELLED) where it ended, else the run's verdict stands.
 */
export function settleVerdict<S extends string, V extends string>(
  current: S,
  decision: { verdict: V; status: S; from?: S | undefined },
  endedAs: Partial<Record<S, V>>,
): { verdict: V; status: S; movedOn: boolean } {
  const movedOn = decision.from !== undefined && current !== decision.from && current !== decision.status;
  if (!movedOn) return { verdict: decision.verdict, status: decision.status, movedOn };
  return { verdict: endedAs[current] ?? decision.verdict, status: current, movedOn };
}

/** The columns every request table shares (cancel_requests, purchase_order_requests). */
interface RequestRowCommon<S, V> {
  actor_role: string;
  source: CancelSource;
  status_at_request: S | null;
  verdict: V | null;
  resulting_status: S | null;
  jd_message: string | null;
  requested_at: Date;
  decided_at: Date | null;
}

/** Who asked and how it was decided, as every request record shows it. */
export function requestDecisionFields<S, V>(row: RequestRowCommon<S, V>) {
  return {
    actorRole: row.actor_role,
    source: row.source,
    statusAtRequest: row.status_at_request,
    verdict: row.verdict,
    resultingStatus: row.resulting_status,
    jdMessage: row.jd_message,
    requestedAt: row.requested_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}
