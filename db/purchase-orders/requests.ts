// The operator's requests against a purchase order (cancel, close, link, repush): pending as the API
// signalled them, decided by the PO's run (verdict, log line and status change together).
import type { Knex } from 'knex';
import type { CancelSource } from '../../domain/cancel';
import { ConflictError } from '../../domain/errors';
import type { PurchaseOrderRequestKind, PurchaseOrderVerdict } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { knownActorRole, writeOperationLogOnce } from '../operation-log';
import { fileRequest, settleVerdict } from '../request-decisions';
import type { PurchaseOrderRequestRow, Writes } from '../tables';
import { PURCHASE_ORDER_DOC_TYPE, toPurchaseOrderRequest, type PurchaseOrderRequestRecord } from './records';
import { isShort } from './receipts';

export interface NewPurchaseOrderRequest {
  requestId: string;
  poNo: string;
  revision: number;
  kind: PurchaseOrderRequestKind;
  reason?: string | undefined;
  /** link: JD's PO number the operator gave. */
  poOrderNo?: string | undefined;
  actorRole: string;
  source: CancelSource;
}

function requestRow(r: NewPurchaseOrderRequest): Writes<PurchaseOrderRequestRow> {
  return {
    request_id: r.requestId,
    po_no: r.poNo,
    push_revision: r.revision,
    kind: r.kind,
    reason: r.reason ?? null,
    po_order_no: r.poOrderNo ?? null,
    actor_role: r.actorRole,
    source: r.source,
  };
}

/**
 * The API's record of a request, written before the signal: the run's decision trusts the source and
 * actor role only from such a row (a signal typed into the Temporal UI can claim anything). Returns the
 * stored request — another PO's or kind's when the id was taken first: the caller compares.
 */
export async function insertPendingPurchaseOrderRequest(db: Knex, request: NewPurchaseOrderRequest): Promise<PurchaseOrderRequestRecord> {
  await db('purchase_order_requests').insert(requestRow(request)).onConflict('request_id').ignore();
  return (await findPurchaseOrderRequest(db, request.requestId))!;
}

export async function findPurchaseOrderRequest(db: Knex | Knex.Transaction, requestId: string): Promise<PurchaseOrderRequestRecord | undefined> {
  const row = await db('purchase_order_requests').where({ request_id: requestId }).first();
  return row ? toPurchaseOrderRequest(row) : undefined;
}

/** The oldest request the API sent that the run has not decided (of `kind`, when given). */
export async function findPendingPurchaseOrderRequest(db: Knex | Knex.Transaction, poNo: string, kind?: PurchaseOrderRequestKind): Promise<PurchaseOrderRequestRecord | undefined> {
  const query = db('purchase_order_requests').where({ po_no: poNo }).whereNull('verdict').orderBy([{ column: 'requested_at' }, { column: 'request_id' }]);
  if (kind) query.where({ kind });
  const row = await query.first();
  return row ? toPurchaseOrderRequest(row) : undefined;
}

/** A signal that never reached a run (it had closed): its pending record would wait for a verdict forever. */
export async function withdrawPendingPurchaseOrderRequest(db: Knex, requestId: string): Promise<void> {
  await db('purchase_order_requests').where({ request_id: requestId }).whereNull('verdict').delete();
}

export async function listPurchaseOrderRequests(db: Knex, poNo: string): Promise<PurchaseOrderRequestRecord[]> {
  const rows = await db('purchase_order_requests').where({ po_no: poNo }).orderBy([{ column: 'requested_at' }, { column: 'request_id' }]);
  return rows.map((row) => toPurchaseOrderRequest(row));
}

export interface PurchaseOrderRequestDecision {
  poNo: string;
  revision: number;
  /** As the run took it in; `source` and `actorRole` are its claims, trusted only against the API's record. */
  request: Omit<NewPurchaseOrderRequest, 'poNo' | 'revision'> & { statusAtRequest: PurchaseOrderStatus };
  verdict: PurchaseOrderVerdict;
  /** The PO's status after the decision; a change is written with the verdict. */
  status: PurchaseOrderStatus;
  /** The status the run believes the PO is in. */
  from?: PurchaseOrderStatus;
  jdMessage?: string;
  idempotencyKey: string;
}

/**
 * The verdict, its log line (action = the request's kind) and the resulting status change, in one
 * transaction; a retry with the same idempotency key writes nothing. Whose request it was and under which
 * id it is filed: db/request-decisions.ts. A PO that ended since the run looked keeps its status and the
 * verdict says so (ALREADY_CANCELLED / ALREADY_RECEIVED). Refuses (ConflictError `revision-superseded`)
 * a PO no longer at `revision`.
 */
export async function recordPurchaseOrderRequestDecision(db: Knex, d: PurchaseOrderRequestDecision): Promise<void> {
  const { request, poNo, revision } = d;
  await db.transaction(async (trx) => {
    const current = await trx('purchase_orders').where({ po_no: poNo, push_revision: revision }).forUpdate().first();
    if (!current) {
      throw new ConflictError(`Purchase order ${poNo} is no longer at push revision ${revision}; request ${request.requestId} is not decided here`, 'revision-superseded');
    }
    const recorded = await trx('purchase_order_requests').where({ request_id: request.requestId }).forUpdate().first();
    const { requestId, source, actorRole } = fileRequest(
      recorded && { docNo: recorded.po_no, kind: recorded.kind, verdict: recorded.verdict, source: recorded.source, actorRole: recorded.actor_role },
      { docNo: poNo, revision, requestId: request.requestId, kind: request.kind },
    );
    const { verdict, status, movedOn } = settleVerdict<PurchaseOrderStatus, PurchaseOrderVerdict>(current.status, d, {
      CANCELLED: 'ALREADY_CANCELLED',
      RECEIVED: 'ALREADY_RECEIVED',
    });

    const first = await writeOperationLogOnce(trx, {
      docType: PURCHASE_ORDER_DOC_TYPE,
      docKey: poNo,
      action: request.kind,
      actorRole: knownActorRole(actorRole),
      detail: {
        pushRevision: revision,
        requestId,
        verdict,
        source,
        ...(request.reason !== undefined && { reason: request.reason }),
        ...(request.poOrderNo !== undefined && { poOrderNo: request.poOrderNo }),
        ...(d.jdMessage !== undefined && { jdMessage: d.jdMessage }),
        ...(movedOn && { runSaw: d.from, poWas: current.status }),
      },
      idempotencyKey: d.idempotencyKey,
    });
    if (!first) return;
    const decided = { verdict, resulting_status: status, jd_message: d.jdMessage ?? null, status_at_request: request.statusAtRequest, decided_at: trx.fn.now() };
    await trx('purchase_order_requests')
      .insert({ ...requestRow({ ...request, poNo, revision, requestId, source, actorRole }), ...decided })
      .onConflict('request_id')
      .merge(decided);
    if (current.status === status) return;
    const lines = status === 'RECEIVED' ? await trx('purchase_order_lines').where({ po_no: poNo }) : [];
    await trx('purchase_orders')
      .where({ po_no: poNo, push_revision: revision, status: current.status })
      .update({ status, status_since: trx.fn.now(), updated_at: trx.fn.now(), ...(status === 'RECEIVED' && { closed_short: lines.some(isShort) }) });
  });
}
