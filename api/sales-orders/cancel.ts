// 打回审核 and buyer refunds: routed by the order's state, signalled to its run when JD may have to be
// asked, and answered with the verdict the run writes to Postgres (or 202 while it is still open).
import { randomUUID } from 'node:crypto';
import {
  cancelSalesOrderInReview,
  findPendingSalesOrderCancelRequest,
  findSalesOrderCancelRequest,
  getSalesOrder,
  insertPendingSalesOrderCancelRequest,
  withdrawPendingSalesOrderCancelRequest,
  type NewSalesOrderCancelRequest,
  type SalesOrderCancelRequestRecord,
} from '../../db/sales-orders';
import { ConflictError } from '../../domain/errors';
import { routeCancelRequest, type CancelKind, type CancelRequestBody } from '../../domain/sales-order';
import type { Actor } from '../auth';
import type { RouteResult } from '../route';
import { withTemporal } from '../temporal-errors';
import { cancelPending, orderUrl, stateOf, verdictAnswer } from './answers';
import type { SalesOrderApiDeps } from './approve';

/** How often the API looks for the run's verdict while the caller waits. */
const VERDICT_POLL_MS = 100;

export async function requestSalesOrderCancel(deps: SalesOrderApiDeps, orderNo: string, kind: CancelKind, body: CancelRequestBody, actor: Actor, rerouted = false): Promise<RouteResult> {
  const { db } = deps;
  const requestId = body.requestId ?? randomUUID();
  const again = () => requestSalesOrderCancel(deps, orderNo, kind, { ...body, requestId }, actor, true);
  const known = await findSalesOrderCancelRequest(db, requestId);
  if (known) {
    if (known.orderNo !== orderNo || known.kind !== kind) throw requestIdTaken(requestId, known);
    // A retried call: answer from the record and never decide twice. A request still pending is signalled
    // again (the run drops a repeated id) in case the first signal never arrived (Temporal was down).
    if (!known.verdict && !(await signal(deps, known.orderNo, kind, body.reason, actor, requestId, rerouted))) return again();
    return awaitVerdict(deps, requestId, orderNo, kind);
  }
  const order = await getSalesOrder(db, orderNo);
  const request: NewSalesOrderCancelRequest = { requestId, orderNo, revision: order.pushRevision, kind, reason: body.reason, actorRole: actor.role, source: 'api' };
  const route = routeCancelRequest(order, kind);
  if (route.action === 'refuse') throw new ConflictError(route.message, route.reason, { ...stateOf(order), requestId });
  if (route.action === 'cancel-in-erp') {
    const pending = await findPendingSalesOrderCancelRequest(db, orderNo);
    if (pending) throw cancelPending(order, pending, 'cancelled');
    if (await cancelSalesOrderInReview(db, request)) return awaitVerdict(deps, requestId, orderNo, kind);
    if (!rerouted) return again();
    throw new ConflictError(`Sales order ${orderNo} changed while the request was handled; send it again`, 'order-changed', stateOf(order));
  }
  // Recorded before the signal: the run trusts a request's source and actor role only from this record.
  const stored = await insertPendingSalesOrderCancelRequest(db, request);
  if (stored.orderNo !== orderNo || stored.kind !== kind) throw requestIdTaken(requestId, stored);
  if (!(await signal(deps, orderNo, kind, body.reason, actor, requestId, rerouted))) return again();
  return awaitVerdict(deps, requestId, orderNo, kind);
}

/**
 * Signals the order's run. False when the run had closed (it shipped, say): the pending record is
 * withdrawn and the caller judges the order as it is now (once; a second time is a 409).
 */
async function signal(deps: SalesOrderApiDeps, orderNo: string, kind: CancelKind, reason: string, actor: Actor, requestId: string, rerouted: boolean): Promise<boolean> {
  const { db, documents } = deps;
  const order = await getSalesOrder(db, orderNo);
  let delivered: boolean;
  try {
    delivered = order.workflowId !== null && (await withTemporal(() => documents.salesOrders.requestCancel(order.workflowId!, kind, { reason, actorRole: actor.role, requestId }), documents.temporal));
  } catch (err) {
    // Temporal is down (503): the answer says nothing happened, so nothing may stay behind. Should the
    // signal have reached the run after all, its verdict is still recorded, attributed to Temporal.
    await withdrawPendingSalesOrderCancelRequest(db, requestId);
    throw err;
  }
  if (delivered) return true;
  await withdrawPendingSalesOrderCancelRequest(db, requestId);
  if (!rerouted) return false;
  throw new ConflictError(`The workflow of sales order ${orderNo} (${order.workflowId}) is not running; the order is ${order.status}`, 'workflow-not-running', stateOf(order));
}

function requestIdTaken(requestId: string, owner: SalesOrderCancelRequestRecord): ConflictError {
  return new ConflictError(`Request id ${requestId} was already used for a ${owner.kind} of sales order ${owner.orderNo}`, 'request-id-reused');
}

/** Waits up to CANCEL_WAIT_MS for the run's verdict; 202 with the order URL if it is still open. */
async function awaitVerdict({ db, config }: SalesOrderApiDeps, requestId: string, orderNo: string, kind: CancelKind): Promise<RouteResult> {
  const deadline = Date.now() + config.cancelWaitMs;
  for (;;) {
    const request = await findSalesOrderCancelRequest(db, requestId);
    if (request?.verdict) return verdictAnswer({ ...request, verdict: request.verdict }, (await getSalesOrder(db, orderNo)).wayBill);
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(VERDICT_POLL_MS, Math.max(0, deadline - Date.now()))));
  }
  return {
    status: 202,
    body: {
      requestId,
      orderNo,
      kind,
      verdict: null,
      message: "The request is with the order's workflow (a push to JD may still be running); its verdict will appear under cancelRequests of the order",
      orderUrl: orderUrl(orderNo),
    },
    headers: { Location: orderUrl(orderNo) },
  };
}
