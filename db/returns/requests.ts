// The operator's cancel requests against a return: pending as the API signalled them, decided by the
// return's run (verdict, log line and status change together; db/request-decisions.ts files them).
import type { Knex } from 'knex';
import type { CancelSource } from '../../domain/cancel';
import type { ReturnVerdict } from '../../domain/return-order';
import type { ReturnStatus } from '../../domain/statuses';
import { recordRequestDecision, type RequestTable } from '../request-decisions';
import type { ReturnRequestRow, Writes } from '../tables';
import { toReturnRequest, type ReturnRequestRecord } from './records';
import { RETURNS } from './transitions';

export interface NewReturnRequest {
  requestId: string;
  returnNo: string;
  revision: number;
  kind: 'cancel';
  reason?: string | undefined;
  actorRole: string;
  source: CancelSource;
}

function requestRow(r: NewReturnRequest): Writes<ReturnRequestRow> {
  return { request_id: r.requestId, return_no: r.returnNo, push_revision: r.revision, kind: r.kind, reason: r.reason ?? null, actor_role: r.actorRole, source: r.source };
}

/**
 * The API's record of a request, written before the signal: the run's decision trusts the source and
 * actor role only from such a row. Returns the stored request — another return's when the id was taken
 * first: the caller compares.
 */
export async function insertPendingReturnRequest(db: Knex, request: NewReturnRequest): Promise<ReturnRequestRecord> {
  await db('return_requests').insert(requestRow(request)).onConflict('request_id').ignore();
  return (await findReturnRequest(db, request.requestId))!;
}

export async function findReturnRequest(db: Knex | Knex.Transaction, requestId: string): Promise<ReturnRequestRecord | undefined> {
  const row = await db('return_requests').where({ request_id: requestId }).first();
  return row ? toReturnRequest(row) : undefined;
}

/** The oldest request the API sent that the run has not decided. */
export async function findPendingReturnRequest(db: Knex | Knex.Transaction, returnNo: string): Promise<ReturnRequestRecord | undefined> {
  const row = await db('return_requests').where({ return_no: returnNo }).whereNull('verdict').orderBy([{ column: 'requested_at' }, { column: 'request_id' }]).first();
  return row ? toReturnRequest(row) : undefined;
}

/** A signal that never reached a run (it had closed): its pending record would wait for a verdict forever. */
export async function withdrawPendingReturnRequest(db: Knex, requestId: string): Promise<void> {
  await db('return_requests').where({ request_id: requestId }).whereNull('verdict').delete();
}

export async function listReturnRequests(db: Knex | Knex.Transaction, returnNo: string): Promise<ReturnRequestRecord[]> {
  const rows = await db('return_requests').where({ return_no: returnNo }).orderBy([{ column: 'requested_at' }, { column: 'request_id' }]);
  return rows.map((row) => toReturnRequest(row));
}

export interface ReturnRequestDecision {
  returnNo: string;
  revision: number;
  /** As the run took it in; `source` and `actorRole` are its claims, trusted only against the API's record. */
  request: Omit<NewReturnRequest, 'returnNo' | 'revision'> & { statusAtRequest: ReturnStatus };
  verdict: ReturnVerdict;
  /** The return's status after the decision; a change is written with the verdict. */
  status: ReturnStatus;
  /** The status the run believes the return is in. */
  from?: ReturnStatus;
  jdMessage?: string;
  idempotencyKey: string;
}

const RETURN_REQUESTS: RequestTable = { document: RETURNS, table: 'return_requests', key: 'return_no', wasKey: 'returnWas' };

/**
 * The verdict, its log line (action 'cancel') and the resulting status change, in one transaction
 * (db/request-decisions.ts); a retry with the same idempotency key writes nothing. A return that ended
 * since the run looked keeps its status and the verdict says how it ended (ALREADY_RECEIVED /
 * ALREADY_REJECTED / ALREADY_CANCELLED). Refuses (ConflictError `revision-superseded`) a return no longer
 * at `revision`.
 */
export async function recordReturnRequestDecision(db: Knex, d: ReturnRequestDecision): Promise<void> {
  const { request } = d;
  await recordRequestDecision<ReturnStatus, ReturnVerdict>(db, RETURN_REQUESTS, {
    ...d,
    docNo: d.returnNo,
    action: request.kind,
    endedAs: { RECEIVED: 'ALREADY_RECEIVED', REJECTED: 'ALREADY_REJECTED', CANCELLED: 'ALREADY_CANCELLED' },
    columns: { reason: request.reason ?? null },
    detail: request.reason !== undefined ? { reason: request.reason } : {},
  });
}
