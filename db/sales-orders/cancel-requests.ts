// Cancel requests (打回审核, buyer refunds) raised against a sales order: pending as the API signalled
// them, decided by the order's workflow (verdict, log line and status change together), or cancelled by
// the ERP itself while nothing was pushed.
import type { Knex } from 'knex';
import type { CancelKind } from '../../domain/sales-order';
import type { SalesOrderStatus } from '../../domain/statuses';
import { knownActorRole, writeOperationLog } from '../operation-log';
import { recordRequestDecision, type RequestTable } from '../request-decisions';
import type { SalesOrderCancelRequestRow, Writes } from '../tables';
import { SALES_ORDER_DOC_TYPE, toSalesOrderCancelRequest, type SalesOrderCancelRequestRecord } from './records';
import { SALES_ORDERS } from './transitions';
import { holdColumns } from './holds';

const SALES_ORDER_REQUESTS: RequestTable = { document: SALES_ORDERS, table: 'cancel_requests', key: 'order_no', wasKey: 'orderWas' };
import type { CancelSource, CancelVerdict } from '../../domain/cancel';

export interface NewSalesOrderCancelRequest {
  requestId: string;
  orderNo: string;
  revision: number;
  kind: CancelKind;
  reason: string;
  actorRole: string;
  source: CancelSource;
  /** A hold's `until` (ISO 8601), carried to the order when the hold is decided. */
  holdUntil?: string;
}

function cancelRow(r: NewSalesOrderCancelRequest): Writes<SalesOrderCancelRequestRow, { hold_until: string | null }> {
  const row = { request_id: r.requestId, order_no: r.orderNo, push_revision: r.revision, kind: r.kind, reason: r.reason, actor_role: r.actorRole, source: r.source };
  return r.holdUntil === undefined ? row : { ...row, hold_until: r.holdUntil };
}

const REQUEST_ACTIONS: Record<CancelKind, string> = { sendBack: 'send_back', buyerRefund: 'buyer_refund', hold: 'hold' };

/**
 * The API's record of a request, written before the signal: the workflow's decision trusts the source
 * and actor role only from such a row (a signal typed into the Temporal UI can claim anything). Returns
 * the stored request — another order's or kind's when the id was taken first by a concurrent call.
 */
export async function insertPendingSalesOrderCancelRequest(db: Knex, request: NewSalesOrderCancelRequest): Promise<SalesOrderCancelRequestRecord> {
  await db('cancel_requests').insert(cancelRow(request)).onConflict('request_id').ignore();
  return (await findSalesOrderCancelRequest(db, request.requestId))!;
}

/** A request the API sent whose run has not decided it (the order must not be approved or cancelled meanwhile). */
export async function findPendingSalesOrderCancelRequest(db: Knex | Knex.Transaction, orderNo: string): Promise<SalesOrderCancelRequestRecord | undefined> {
  const row = await db('cancel_requests').where({ order_no: orderNo }).whereNull('verdict').orderBy('requested_at').first();
  return row ? toSalesOrderCancelRequest(row) : undefined;
}

/** A signal that never reached a run (it had closed): its pending record would block the order forever. */
export async function withdrawPendingSalesOrderCancelRequest(db: Knex, requestId: string): Promise<void> {
  await db('cancel_requests').where({ request_id: requestId }).whereNull('verdict').delete();
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
  /** As the run took it in; `source` and `actorRole` are its claims, trusted only against the API's record. */
  request: NewSalesOrderCancelRequest & { statusAtRequest: SalesOrderStatus };
  verdict: CancelVerdict;
  /** The order's status after the decision; a change is written with the verdict. */
  status: SalesOrderStatus;
  /** The status the run believes the order is in; absent from runs started before this was passed. */
  from?: SalesOrderStatus;
  jdMessage?: string;
  idempotencyKey: string;
}

/**
 * The verdict, its log line and the resulting status change, in one transaction. Whose request it was
 * and under which id it is filed: db/request-decisions.ts (fileRequest).
 * - An order that moved on since the run looked (an ERP-side cancel) keeps its status; the verdict then
 *   says so (ALREADY_CANCELLED / ALREADY_SHIPPED).
 */
export async function recordSalesOrderCancelDecision(db: Knex, d: SalesOrderCancelDecision): Promise<void> {
  const { request } = d;
  // A run re-approved in the instant after it put the order back in review is refused (revision-superseded):
  // a verdict there would describe an order that moved on.
  await recordRequestDecision<SalesOrderStatus, CancelVerdict>(db, SALES_ORDER_REQUESTS, {
    ...d,
    docNo: request.orderNo,
    revision: request.revision,
    action: REQUEST_ACTIONS[request.kind],
    endedAs: { CANCELLED: 'ALREADY_CANCELLED', SHIPPED: 'ALREADY_SHIPPED' },
    columns: { reason: request.reason },
    detail: { reason: request.reason },
    // Back in review the next approval pushes a new JD order; the old number stays in the log.
    // HELD: the JD order is gone as for REVIEW; the hold's reason, until, origin and time go on the order.
    onStatusChange: async (status, trx) => {
      if (status === 'REVIEW') return { eclp_so_no: null, way_bill: null, failure_reason: null };
      if (status !== 'HELD') return {};
      const held = await holdColumns(trx, { requestId: request.requestId, orderNo: request.orderNo }, request.reason, d.from ?? request.statusAtRequest);
      return { eclp_so_no: null, way_bill: null, ...held };
    },
  });
  if (d.verdict === 'REFUSED_BY_JD' && request.kind === 'buyerRefund') await flagShippingReplacement(db, request.orderNo, d.jdMessage);
}

/**
 * An exchange's replacement order whose refund JD refused will ship although its return brought nothing
 * back (rejected or cancelled): the return gets an attention item, once, so the operator acts on it.
 */
async function flagShippingReplacement(db: Knex, orderNo: string, jdMessage: string | undefined): Promise<void> {
  await db.transaction(async (trx) => {
    const flagged = await trx('returns')
      .where({ replacement_order_no: orderNo })
      .whereIn('status', ['REJECTED', 'CANCELLED'])
      .whereNull('attention')
      .update({
        attention: `Replacement order ${orderNo} will ship: JD refused its refund${jdMessage ? ` (${jdMessage})` : ''}, although this return brought nothing back. Recover the goods or charge the customer.`,
        attention_since: trx.fn.now(),
        updated_at: trx.fn.now(),
      })
      .returning(['return_no']);
    for (const { return_no } of flagged) {
      await writeOperationLog(trx, { docType: 'RTN', docKey: return_no, action: 'attention', actorRole: 'system', detail: { replacementOrderNo: orderNo, why: 'replacement-refund-refused', ...(jdMessage !== undefined && { jdMessage }) } });
    }
  });
}

/**
 * A buyer refund for an order still in review (or held: nothing at JD either): nothing was pushed, so the
 * ERP cancels on its own. False when the order left REVIEW/HELD meanwhile (the caller then routes the request again).
 */
export async function cancelSalesOrderInReview(db: Knex, request: NewSalesOrderCancelRequest): Promise<boolean> {
  return db.transaction(async (trx) => {
    const before = await trx('sales_orders').where({ order_no: request.orderNo }).whereIn('status', ['REVIEW', 'HELD']).forUpdate().first();
    if (!before) return false;
    const updated = await trx('sales_orders')
      .where({ order_no: request.orderNo, status: before.status })
      // A request still with the order's run decides first (it may be the one that moves the order).
      .whereNotExists((pending) => pending.select(trx.raw('1')).from('cancel_requests').where({ order_no: request.orderNo }).whereNull('verdict'))
      .update({ status: 'CANCELLED', status_since: trx.fn.now(), updated_at: trx.fn.now() });
    if (updated === 0) return false;
    await trx('cancel_requests')
      .insert({ ...cancelRow(request), status_at_request: before.status, verdict: 'CANCELLED_IN_ERP', resulting_status: 'CANCELLED', decided_at: trx.fn.now() })
      .onConflict('request_id')
      .ignore();
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: request.orderNo,
      action: 'buyer_refund',
      actorRole: knownActorRole(request.actorRole),
      detail: { pushRevision: request.revision, requestId: request.requestId, verdict: 'CANCELLED_IN_ERP', reason: request.reason, source: request.source },
    });
    return true;
  });
}
