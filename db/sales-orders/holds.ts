// 挂起 (hold, emulated: ECLP has none) and the follow-up after a cancel JD refused (issue 12 §4–5):
// the hold columns of an order, a hold of an order in review (no run exists there), the release, and
// what GET /v1/sales-orders/{orderNo} shows as `hold` and `followUp`.
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { CancelKind } from '../../domain/sales-order';
import { RETURN_STATUS, SALES_ORDER_STATUS, type ReturnStatus, type SalesOrderStatus } from '../../domain/statuses';
import { knownActorRole, writeOperationLog, type ActorRole } from '../operation-log';
import type { SalesOrderRow } from '../tables';
import { SALES_ORDER_DOC_TYPE } from './records';


export type SalesOrderHoldColumns = Pick<SalesOrderRow, 'hold_reason' | 'hold_until' | 'held_from' | 'held_at'>;

/** What an order shows of its current hold; null unless HELD. */
export interface SalesOrderHold {
  reason: string | null;
  /** When the operator means to look again (ISO 8601); past it the order is on the attention list. Never released automatically. */
  until: string | null;
  /** True once `until` has passed. */
  expired: boolean;
  /** REVIEW (held before approval), WMS_PICKING (cancelled at JD: the release pushes again) or FAILED. */
  heldFrom: SalesOrderStatus | null;
  heldFromLabel: string | null;
  heldAt: string | null;
  /** The release call, and what it will do. */
  release: string;
}

export function holdOf(orderNo: string, status: SalesOrderStatus, row: Partial<SalesOrderHoldColumns>, now = new Date()): SalesOrderHold | null {
  if (status !== 'HELD') return null;
  const heldFrom = row.held_from ?? null;
  const atJd = heldFrom === 'PUSHING' || heldFrom === 'WMS_PICKING';
  return {
    reason: row.hold_reason ?? null,
    until: row.hold_until?.toISOString() ?? null,
    expired: row.hold_until ? row.hold_until.getTime() <= now.getTime() : false,
    heldFrom,
    heldFromLabel: heldFrom ? SALES_ORDER_STATUS[heldFrom] : null,
    heldAt: row.held_at?.toISOString() ?? null,
    release: `POST /v1/sales-orders/${orderNo}/release ${atJd ? 'pushes it to JD again at once under the next revision' : 'brings it back to review'}`,
  };
}

/** The hold columns written with the status change to HELD (a run's decision, or a hold in review). */
export async function holdColumns(trx: Knex.Transaction, request: { requestId: string; orderNo: string }, reason: string, heldFrom: SalesOrderStatus): Promise<Record<string, unknown>> {
  // `until` comes from the API's own request row (a hold typed into the Temporal UI has none).
  const row = await trx<{ request_id: string; order_no: string; kind: string; hold_until: Date | null }>('cancel_requests').where({ request_id: request.requestId, order_no: request.orderNo, kind: 'hold' }).select('hold_until').first();
  return { hold_reason: reason, hold_until: row?.hold_until ?? null, held_from: heldFrom, held_at: trx.fn.now() };
}

export interface NewHoldInReview {
  requestId: string;
  orderNo: string;
  revision: number;
  reason: string;
  holdUntil?: string;
  actorRole: string;
}

/**
 * A hold of an order in review: HELD at once, the request decided HELD_IN_ERP, in one transaction.
 * False when the order left REVIEW meanwhile, or a request still waits for its run (the caller routes again).
 */
export async function holdSalesOrderInReview(db: Knex, request: NewHoldInReview): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('sales_orders')
      .where({ order_no: request.orderNo, status: 'REVIEW' })
      .whereNotExists((pending) => pending.select(trx.raw('1')).from('cancel_requests').where({ order_no: request.orderNo }).whereNull('verdict'))
      .update({
        status: 'HELD',
        status_since: trx.fn.now(),
        updated_at: trx.fn.now(),
        hold_reason: request.reason,
        hold_until: request.holdUntil ?? null,
        held_from: 'REVIEW',
        held_at: trx.fn.now(),
      });
    if (updated === 0) return false;
    await trx('cancel_requests')
      .insert({
        request_id: request.requestId,
        order_no: request.orderNo,
        push_revision: request.revision,
        kind: 'hold',
        reason: request.reason,
        actor_role: request.actorRole,
        source: 'api',
        hold_until: request.holdUntil ?? null,
        status_at_request: 'REVIEW',
        verdict: 'HELD_IN_ERP',
        resulting_status: 'HELD',
        decided_at: trx.fn.now(),
      })
      .onConflict('request_id')
      .ignore();
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: request.orderNo,
      action: 'hold',
      actorRole: knownActorRole(request.actorRole),
      detail: { pushRevision: request.revision, requestId: request.requestId, verdict: 'HELD_IN_ERP', reason: request.reason, source: 'api', ...(request.holdUntil !== undefined && { until: request.holdUntil }) },
    });
    return true;
  });
}

/**
 * HELD → REVIEW, the hold cleared (its story stays in the operation log). Answers the status the order
 * was held from; refuses (ConflictError `not-held`) an order that is not HELD.
 */
export async function releaseHeldSalesOrder(db: Knex, input: { orderNo: string; actorRole: ActorRole; reason?: string }): Promise<{ heldFrom: SalesOrderStatus | null; pushRevision: number }> {
  return db.transaction(async (trx) => {
    const row = await trx<{ order_no: string; status: SalesOrderStatus; push_revision: number } & SalesOrderHoldColumns>('sales_orders').where({ order_no: input.orderNo }).forUpdate().first();
    if (!row) throw new NotFoundError(`No sales order "${input.orderNo}"`, 'not-found');
    if (row.status !== 'HELD') {
      throw new ConflictError(`Sales order ${input.orderNo} is ${row.status} (${SALES_ORDER_STATUS[row.status]}), not held: there is nothing to release`, 'not-held', {
        currentStatus: row.status,
        currentStatusLabel: SALES_ORDER_STATUS[row.status],
        pushRevision: row.push_revision,
      });
    }
    await trx('sales_orders')
      .where({ order_no: input.orderNo, status: 'HELD' })
      .update({ status: 'REVIEW', status_since: trx.fn.now(), updated_at: trx.fn.now(), hold_reason: null, hold_until: null, held_from: null, held_at: null });
    await writeOperationLog(trx, {
      docType: SALES_ORDER_DOC_TYPE,
      docKey: input.orderNo,
      action: 'released',
      actorRole: input.actorRole,
      detail: { pushRevision: row.push_revision, heldFrom: row.held_from, heldAt: row.held_at?.toISOString() ?? null, ...(input.reason !== undefined && { reason: input.reason }) },
    });
    return { heldFrom: row.held_from, pushRevision: row.push_revision };
  });
}

// ---------------------------------------------------------------- the follow-up of a refused cancel

/** What an order shows after JD refused a send-back, refund or hold of its current push (`followUp`); null otherwise. */
export interface SalesOrderFollowUp {
  /** The refused request. */
  requestId: string;
  kind: CancelKind;
  reason: string;
  refusedAt: string;
  /** JD's own words. */
  jdMessage: string | null;
  /** `waiting-for-shipment` while JD picks; `return-draft` (refund) or `shipped-despite-refusal` once shipped. */
  state: 'waiting-for-shipment' | 'return-draft' | 'shipped-despite-refusal';
  /** What happens next, in one sentence. */
  next: string;
  /** The refund's return draft once the order shipped. */
  returnDraft: { returnNo: string; status: ReturnStatus; statusLabel: string; href: string; confirm?: string } | null;
}

const KIND_WORDS: Record<CancelKind, string> = { sendBack: 'send-back (打回审核)', buyerRefund: 'refund', hold: 'hold (挂起)' };

export async function salesOrderFollowUp(db: Knex | Knex.Transaction, order: { orderNo: string; status: SalesOrderStatus; pushRevision: number }): Promise<SalesOrderFollowUp | null> {
  if (order.status !== 'WMS_PICKING' && order.status !== 'SHIPPED') return null;
  const refused = await db('cancel_requests')
    .where({ order_no: order.orderNo, push_revision: order.pushRevision, verdict: 'REFUSED_BY_JD' })
    .orderBy([{ column: 'decided_at', order: 'desc' }, { column: 'request_id' }]);
  if (refused.length === 0) return null;
  // A refused refund outweighs a refused send-back or hold: it is the one that leads to a return.
  const request = refused.find((r) => r.kind === 'buyerRefund') ?? refused[0]!;
  const base = {
    requestId: request.request_id,
    kind: request.kind,
    reason: request.reason,
    refusedAt: (request.decided_at ?? request.requested_at).toISOString(),
    jdMessage: request.jd_message,
  };
  const what = KIND_WORDS[request.kind];
  if (order.status === 'WMS_PICKING') {
    const next =
      request.kind === 'buyerRefund'
        ? 'JD will ship the order despite the refund: when it ships, a return draft (type RETURN, the shipped lines, the refund reason) is created for an operator to confirm with POST /v1/returns/{returnNo}/confirm'
        : `JD will ship the order despite the ${what}; nothing is done automatically: tell the buyer, or create a return (POST /v1/returns) once it has shipped`;
    return { ...base, state: 'waiting-for-shipment', next, returnDraft: null };
  }
  if (request.kind !== 'buyerRefund') {
    return { ...base, state: 'shipped-despite-refusal', next: `The order shipped despite the ${what}; no return draft was created: create a return (POST /v1/returns) if the goods must come back`, returnDraft: null };
  }
  const draft = await db<{ return_no: string; status: ReturnStatus; cancel_request_id: string | null }>('returns').where({ cancel_request_id: request.request_id }).select('return_no', 'status').first();
  if (!draft) return { ...base, state: 'return-draft', next: 'The order shipped; its return draft is being created', returnDraft: null };
  const isDraft = draft.status === 'DRAFT';
  return {
    ...base,
    state: 'return-draft',
    next: isDraft
      ? `The order shipped despite the refund: return draft ${draft.return_no} waits for an operator: POST /v1/returns/${draft.return_no}/confirm pushes it to JD`
      : `The order shipped despite the refund; its return ${draft.return_no} was confirmed and is ${draft.status} (${RETURN_STATUS[draft.status]})`,
    returnDraft: {
      returnNo: draft.return_no,
      status: draft.status,
      statusLabel: RETURN_STATUS[draft.status],
      href: `/v1/returns/${draft.return_no}`,
      ...(isDraft && { confirm: `POST /v1/returns/${draft.return_no}/confirm` }),
    },
  };
}
