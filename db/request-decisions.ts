// Operator requests (send-back, refund, PO cancel/close/link/repush, return cancel), the same for every
// document: how a run's decision is filed (whose request it was, under which id, which verdict stands when
// the document moved on while the run was deciding), written, and read back.
import type { Knex } from 'knex';
import type { CancelSource } from '../domain/cancel';
import { ConflictError } from '../domain/errors';
import type { DocumentTable } from './document-transition';
import { knownActorRole, writeOperationLogOnce } from './operation-log';

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

/** Where a document kind keeps its requests, beside the document itself. */
export interface RequestTable {
  document: DocumentTable;
  table: 'cancel_requests' | 'purchase_order_requests' | 'return_requests';
  /** The request row's document-number column. */
  key: 'order_no' | 'po_no' | 'return_no';
  /** The log detail's key for the status the document had moved on to, e.g. `returnWas`. */
  wasKey: string;
}

/** A run's decision on one request, as the document's repository hands it over. */
export interface DecisionWrite<S extends string, V extends string> {
  docNo: string;
  revision: number;
  /** As the run took it in: `source` and `actorRole` are claims, trusted only against the API's record. */
  request: { requestId: string; kind: string; actorRole: string; source: CancelSource; statusAtRequest: S };
  verdict: V;
  /** The document's status after the decision; a change is written with the verdict. */
  status: S;
  /** The status the run believes the document is in. */
  from?: S | undefined;
  jdMessage?: string | undefined;
  idempotencyKey: string;
  /** The log line's action. */
  action: string;
  /** The verdict where the document had ended meanwhile (e.g. CANCELLED → ALREADY_CANCELLED). */
  endedAs: Partial<Record<S, V>>;
  /** The document's own request columns (reason, …), besides the number, revision, kind and the claims. */
  columns: Record<string, unknown>;
  /** The log detail's own fields (reason, …). */
  detail: Record<string, unknown>;
  /** Further document columns written with a status change. */
  onStatusChange?: (status: S, trx: Knex.Transaction) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

interface DocumentRow {
  status: string;
  push_revision: number;
}

interface RequestRow {
  kind: string;
  verdict: string | null;
  source: CancelSource;
  actor_role: string;
  [column: string]: unknown;
}

/**
 * The verdict, its log line and the resulting status change, in one transaction with the document's row
 * locked; a retry with the same idempotency key writes nothing. Filed by fileRequest, settled by
 * settleVerdict. Refuses (ConflictError `revision-superseded`) a document no longer at `revision`.
 */
export async function recordRequestDecision<S extends string, V extends string>(db: Knex, where: RequestTable, d: DecisionWrite<S, V>): Promise<void> {
  const { document } = where;
  const { request, docNo, revision } = d;
  // Plain strings: one query for every document kind (their typed rows differ only in columns this does not name).
  const documents: string = document.table;
  const requests: string = where.table;
  await db.transaction(async (trx) => {
    const current = await trx<DocumentRow>(documents).where({ [document.key]: docNo, push_revision: revision }).forUpdate().first();
    if (!current) {
      throw new ConflictError(`${document.noun} ${docNo} is no longer at push revision ${revision}; request ${request.requestId} is not decided here`, 'revision-superseded');
    }
    const recorded = await trx<RequestRow>(requests).where({ request_id: request.requestId }).forUpdate().first();
    const { requestId, source, actorRole } = fileRequest(
      recorded && { docNo: String(recorded[where.key]), kind: recorded.kind, verdict: recorded.verdict, source: recorded.source, actorRole: recorded.actor_role },
      { docNo, revision, requestId: request.requestId, kind: request.kind },
    );
    const { verdict, status, movedOn } = settleVerdict<S, V>(current.status as S, d, d.endedAs);

    const first = await writeOperationLogOnce(trx, {
      docType: document.docType,
      docKey: docNo,
      action: d.action,
      actorRole: knownActorRole(actorRole),
      detail: {
        pushRevision: revision,
        requestId,
        verdict,
        source,
        ...d.detail,
        ...(d.jdMessage !== undefined && { jdMessage: d.jdMessage }),
        ...(movedOn && { runSaw: d.from, [where.wasKey]: current.status }),
      },
      idempotencyKey: d.idempotencyKey,
    });
    if (!first) return;
    const decided = { verdict, resulting_status: status, jd_message: d.jdMessage ?? null, status_at_request: request.statusAtRequest, decided_at: trx.fn.now() };
    await trx(requests)
      .insert({ request_id: requestId, [where.key]: docNo, push_revision: revision, kind: request.kind, actor_role: actorRole, source, ...d.columns, ...decided })
      .onConflict('request_id')
      .merge(decided);
    if (current.status === status) return;
    await trx(documents)
      .where({ [document.key]: docNo, push_revision: revision, status: current.status })
      .update({ ...(await d.onStatusChange?.(status, trx)), status, status_since: trx.fn.now(), updated_at: trx.fn.now() });
  });
}
