// The operator's requests against a purchase order (cancel, close, link, repush): pending as the API
// signalled them, decided by the PO's run (verdict, log line and status change together).
import type { Knex } from 'knex';
import type { CancelSource } from '../../domain/cancel';
import type { PurchaseOrderRequestKind, PurchaseOrderVerdict } from '../../domain/purchase-order';
import type { PurchaseOrderStatus } from '../../domain/statuses';
import { recordRequestDecision, type RequestTable } from '../request-decisions';
import type { PurchaseOrderRequestRow, Writes } from '../tables';
import { toPurchaseOrderRequest, type PurchaseOrderRequestRecord } from './records';
import { isShort } from './receipts';
import { PURCHASE_ORDERS } from './transitions';

const PURCHASE_ORDER_REQUESTS: RequestTable = { document: PURCHASE_ORDERS, table: 'purchase_order_requests', key: 'po_no', wasKey: 'poWas' };

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
  const { request } = d;
  await recordRequestDecision<PurchaseOrderStatus, PurchaseOrderVerdict>(db, PURCHASE_ORDER_REQUESTS, {
    ...d,
    docNo: d.poNo,
    action: request.kind,
    endedAs: { CANCELLED: 'ALREADY_CANCELLED', RECEIVED: 'ALREADY_RECEIVED' },
    columns: { reason: request.reason ?? null, po_order_no: request.poOrderNo ?? null },
    detail: { ...(request.reason !== undefined && { reason: request.reason }), ...(request.poOrderNo !== undefined && { poOrderNo: request.poOrderNo }) },
    // Closed by the operator with less than ordered: the list's closedShort filter finds it.
    onStatusChange: async (status, trx) => (status === 'RECEIVED' ? { closed_short: (await trx('purchase_order_lines').where({ po_no: d.poNo })).some(isShort) } : {}),
  });
}
