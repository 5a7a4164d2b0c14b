// How the sales-order routes answer: the order's URL, its state in a 409, a cancel verdict as 200 or 409.
import { ConflictError } from '../../domain/errors';
import { cancelVerdictMessage, holdOutcomeOf } from '../../domain/sales-order';
import { SALES_ORDER_STATUS } from '../../domain/statuses';
import type { SalesOrderCancelRequestRecord, SalesOrderRecord } from '../../db/sales-orders';
import type { RouteResult } from '../route';

export const orderUrl = (orderNo: string) => `/v1/sales-orders/${orderNo}`;

/** The order's state for a 409 answer (`status` itself is the problem's HTTP status there). */
export function stateOf(order: Pick<SalesOrderRecord, 'status' | 'statusLabel' | 'pushRevision' | 'workflowId' | 'wayBill'>) {
  return { currentStatus: order.status, currentStatusLabel: order.statusLabel, pushRevision: order.pushRevision, workflowId: order.workflowId, wayBill: order.wayBill };
}

/** The order's run still has to decide a request the API sent: nothing else may move the order meanwhile. */
export function cancelPending(order: SalesOrderRecord, pending: SalesOrderCancelRequestRecord, what: 'approved' | 'cancelled' | 'held' | 'released'): ConflictError {
  return new ConflictError(
    `Sales order ${order.orderNo} has an undecided ${pending.kind} (request ${pending.requestId}); it can be ${what} once that is decided`,
    'cancel-pending',
    { ...stateOf(order), pendingRequestId: pending.requestId, pendingKind: pending.kind },
  );
}

export function notInReview(order: SalesOrderRecord): ConflictError {
  if (order.status === 'HELD') {
    return new ConflictError(
      `Sales order ${order.orderNo} is HELD (${order.statusLabel}); a held order cannot be approved: release it first with POST /v1/sales-orders/${order.orderNo}/release`,
      'held',
      { ...stateOf(order), hold: order.hold },
    );
  }
  return new ConflictError(`Sales order ${order.orderNo} is ${order.status} (${order.statusLabel}); only an order in review can be approved`, 'not-in-review', stateOf(order));
}

/** A decided request: 200 with the verdict, or the 409 the API gives when it can tell from Postgres alone. */
export function verdictAnswer(request: SalesOrderCancelRequestRecord & { verdict: NonNullable<SalesOrderCancelRequestRecord['verdict']> }, wayBill: string | null): RouteResult {
  const { verdict } = request;
  const status = request.resultingStatus ?? undefined;
  const body = {
    requestId: request.requestId,
    orderNo: request.orderNo,
    kind: request.kind,
    verdict,
    status,
    statusLabel: status ? SALES_ORDER_STATUS[status] : undefined,
    jdMessage: request.jdMessage,
    // 挂起: which of the ways a hold can go happened (HELD_BEFORE_APPROVAL, CANCELLED_AT_JD_HELD, REFUSED_BY_JD, …).
    ...(request.kind === 'hold' && { outcome: holdOutcomeOf(verdict, request.statusAtRequest) }),
    message: cancelVerdictMessage(verdict, request, wayBill),
    orderUrl: orderUrl(request.orderNo),
  };
  if (verdict === 'ALREADY_SHIPPED' || verdict === 'ALREADY_CANCELLED') {
    const { status: currentStatus, statusLabel: currentStatusLabel, ...rest } = body;
    throw new ConflictError(body.message, verdict === 'ALREADY_SHIPPED' ? 'already-shipped' : 'already-cancelled', { ...rest, currentStatus, currentStatusLabel, wayBill });
  }
  return { status: 200, body };
}
