// 打回审核 and buyer refunds: routed by the order's state, signalled to its run when JD may have to be
// asked, and answered with the verdict the run writes to Postgres (or 202 while it is still open).
import { randomUUID } from 'node:crypto';
import {
  cancelSalesOrderInReview,
  findSalesOrderCancelRequest,
  getSalesOrder,
  insertPendingSalesOrderCancelRequest,
  type NewSalesOrderCancelRequest,
} from '../../db/sales-orders';
import { ConflictError } from '../../domain/errors';
import { routeCancelRequest, type CancelKind, type CancelRequestBody } from '../../domain/sales-order';
import type { Actor } from '../auth';
import type { RouteResult } from '../route';
import { withTemporal } from '../temporal-errors';
import { orderUrl, stateOf, verdictAnswer } from './answers';
import type { SalesOrderApiDeps } from './approve';

/** How often the API looks for the run's verdict while the caller waits. */
const VERDICT_POLL_MS = 100;

export async function requestSalesOrderCancel(deps: SalesOrderApiDeps, orderNo: string, kind: CancelKind, body: CancelRequestBody, actor: Actor, rerouted = false): Promise<RouteResult> {
  const { db, documents } = deps;
  const requestId = body.requestId ?? randomUUID();
  const again = () => requestSalesOrderCancel(deps, orderNo, kind, { ...body, requestId }, actor, true);
  const known = await findSalesOrderCancelRequest(db, requestId);
  if (known) {
    // A retried call: answer from the record and never signal twice.
    if (known.orderNo !== orderNo || known.kind !== kind) {
      throw new ConflictError(`Request id ${requestId} was already used for a ${known.kind} of sales order ${known.orderNo}`, 'request-id-reused');
    }
    return awaitVerdict(deps, requestId, orderNo, kind);
  }
  const order = await getSalesOrder(db, orderNo);
  const request: NewSalesOrderCancelRequest = { requestId, orderNo, revision: order.pushRevision, kind, reason: body.reason, actorRole: actor.role, source: 'api' };
  const route = routeCancelRequest(order, kind);
  if (route.action === 'refuse') throw new ConflictError(route.message, route.reason, { ...stateOf(order), requestId });
  if (route.action === 'cancel-in-erp') {
    if (await cancelSalesOrderInReview(db, request)) return awaitVerdict(deps, requestId, orderNo, kind);
    if (!rerouted) return again();
    throw new ConflictError(`Sales order ${orderNo} changed while the request was handled; send it again`, 'order-changed', stateOf(order));
  }
  const signalled = await withTemporal(() => documents.salesOrders.requestCancel(order.workflowId!, kind, { reason: body.reason, actorRole: actor.role, requestId }), documents.temporal);
  if (!signalled) {
    // The run ended between our read and the signal (it shipped, say): judge the order as it is now.
    if (!rerouted) return again();
    throw new ConflictError(`The workflow of sales order ${orderNo} (${order.workflowId}) is not running; the order is ${order.status}`, 'workflow-not-running', stateOf(order));
  }
  await insertPendingSalesOrderCancelRequest(db, request);
  return awaitVerdict(deps, requestId, orderNo, kind);
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
