// Cancel requests (打回审核, buyer refunds) raised against a sales order: pending as the API signalled
// them, decided by the order's workflow (verdict, log line and status change together), or cancelled by
// the ERP itself while nothing was pushed.
import type { Knex } from 'knex';
import { ConflictError } from '../../domain/errors';
import type { CancelKind } from '../../domain/sales-order';
import type { SalesOrderStatus } from '../../domain/statuses';
import { writeOperationLog, writeOperationLogOnce, type ActorRole } from '../operation-log';
import type { SalesOrderCancelRequestRow, Writes } from '../tables';
import { SALES_ORDER_DOC_TYPE, toSalesOrderCancelRequest, type SalesOrderCancelRequestRecord } from './records';
import type { CancelSource, CancelVerdict } from '../../domain/cancel';

export interface NewSalesOrderCancelRequest {
  requestId: string;
  orderNo: string;
  revision: number;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  source: CancelSource;
}

function cancelRow(r: NewSalesOrderCancelRequest): Writes<SalesOrderCancelRequestRow> {
  return { request_id: r.requestId, order_no: r.orderNo, push_revision: r.revision, kind: r.kind, reason: r.reason, actor_role: r.actorRole, source: r.source };
}

/** The API's record of a request it signalled; the workflow may have decided it already, then this does nothing. */
export async function insertPendingSalesOrderCancelRequest(db: Knex, request: NewSalesOrderCancelRequest): Promise<void> {
  await db('cancel_requests').insert(cancelRow(request)).onConflict('request_id').ignore();
}

export async function findSalesOrderCancelRequest(db: Knex, requestId: string): Promise<SalesOrderCancelRequestRecord | undefined> {
  const row = await db('cancel_requests').where({ request_id: requestId }).first();
  return row ? toSalesOrderCancelRequest(row) : undefined;
}

export async function listSalesOrderCancelRequests(db: Knex, orderNo: string): Promise<SalesOrderCancelRequestRecord[]> {
  const rows = await db('cancel_requests').where({ order_no: orderNo }).orderBy([{ column: 'requested_at' }, { column: 'request_id' }]);
  return rows.map((row) => toSalesOrderCancelRequest(row));
}

export interface SalesOrderCancelDecision {
  request: NewSalesOrderCancelRequest & { statusAtRequest: SalesOrderStatus };
  verdict: CancelVerdict;
  /** The order's status after the decision; a change is written with the verdict. */
  status: SalesOrderStatus;
  jdMessage?: string;
  idempotencyKey: string;
}

/** The verdict, its log line and the resulting status change, in one transaction. */
export async function recordSalesOrderCancelDecision(db: Knex, d: SalesOrderCancelDecision): Promise<void> {
  const { request } = d;
  await db.transaction(async (trx) => {
    const first = await writeOperationLogOnce(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: request.orderNo,
      action: request.kind === 'sendBack' ? 'send_back' : 'buyer_refund',
      actorRole: knownRole(request.actorRole),
      detail: {
        pushRevision: request.revision,
        requestId: request.requestId,
        verdict: d.verdict,
        reason: request.reason,
        source: request.source,
        ...(d.jdMessage !== undefined && { jdMessage: d.jdMessage }),
      },
      idempotencyKey: d.idempotencyKey,
    });
    if (!first) return;
    const decided = { verdict: d.verdict, resulting_status: d.status, jd_message: d.jdMessage ?? null, status_at_request: request.statusAtRequest, decided_at: trx.fn.now() };
    await trx('cancel_requests')
      .insert({ ...cancelRow(request), ...decided })
      .onConflict('request_id')
      .merge(decided);
    const current = await trx('sales_orders').where({ order_no: request.orderNo, push_revision: request.revision }).first();
    // Re-approved in the instant after this run put it back in review: a verdict here would describe an order that moved on.
    if (!current) {
      throw new ConflictError(`Sales order ${request.orderNo} is no longer at push revision ${request.revision}; request ${request.requestId} is not decided here`, 'revision-superseded');
    }
    if (current.status === d.status) return;
    // Back in review the next approval pushes a new JD order; the old number stays in the log.
    const clear = d.status === 'REVIEW' ? { eclp_so_no: null, way_bill: null, failure_reason: null } : {};
    await trx('sales_orders')
      .where({ order_no: request.orderNo, push_revision: request.revision })
      .update({ ...clear, status: d.status, status_since: trx.fn.now(), updated_at: trx.fn.now() });
  });
}

/**
 * A buyer refund for an order still in review: nothing was pushed, so the ERP cancels on its own.
 * False when the order left REVIEW meanwhile (the caller then routes the request again).
 */
export async function cancelSalesOrderInReview(db: Knex, request: NewSalesOrderCancelRequest): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('sales_orders')
      .where({ order_no: request.orderNo, status: 'REVIEW' })
      .update({ status: 'CANCELLED', status_since: trx.fn.now(), updated_at: trx.fn.now() });
    if (updated === 0) return false;
    await trx('cancel_requests')
      .insert({ ...cancelRow(request), status_at_request: 'REVIEW', verdict: 'CANCELLED_IN_ERP', resulting_status: 'CANCELLED', decided_at: trx.fn.now() })
      .onConflict('request_id')
      .ignore();
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: request.orderNo,
      action: 'buyer_refund',
      actorRole: knownRole(request.actorRole),
      detail: { pushRevision: request.revision, requestId: request.requestId, verdict: 'CANCELLED_IN_ERP', reason: request.reason, source: request.source },
    });
    return true;
  });
}

/** Roles typed into the Temporal UI are free text; the log keeps the known ones and files the rest under operator. */
function knownRole(role: string): ActorRole {
  return role === 'erp' || role === 'operator' || role === 'admin' || role === 'system' ? role : 'operator';
}
