// 打回审核 and buyer refunds: routed by the order's state, signalled to its run when JD may have to be
// asked, and answered with the verdict the run writes to Postgres (or 202 while it is still open). The
// protocol is the one every document's requests follow (../run-requests.ts).
import { randomUUID } from 'node:crypto';
import {
  cancelSalesOrderInReview,
  findPendingSalesOrderCancelRequest,
  findSalesOrderCancelRequest,
  getSalesOrder,
  holdSalesOrderInReview,
  insertPendingSalesOrderCancelRequest,
  withdrawPendingSalesOrderCancelRequest,
  type NewSalesOrderCancelRequest,
  type SalesOrderCancelRequestRecord,
} from '../../db/sales-orders';
import { ConflictError } from '../../domain/errors';
import { routeCancelRequest, type CancelKind, type CancelRequestBody, type HoldRequestBody } from '../../domain/sales-order';
import type { Actor } from '../auth';
import type { RouteResult } from '../route';
import { sendRunRequest } from '../run-requests';
import { cancelPending, orderUrl, stateOf, verdictAnswer } from './answers';
import type { SalesOrderApiDeps } from './approve';

/** A hold (挂起) goes the same way: a third kind of cancel whose `until` rides on the request row. */
export async function requestSalesOrderCancel(
  deps: SalesOrderApiDeps,
  orderNo: string,
  kind: CancelKind,
  body: CancelRequestBody & Partial<Pick<HoldRequestBody, 'until'>>,
  actor: Actor,
  rerouted = false,
): Promise<RouteResult> {
  const { db, documents, config } = deps;
  const requestId = body.requestId ?? randomUUID();
  // The order's revision as judged: the request is filed under it.
  let revision = 0;
  const newRequest = (): NewSalesOrderCancelRequest => ({
    requestId,
    orderNo,
    revision,
    kind,
    reason: body.reason,
    actorRole: actor.role,
    source: 'api',
    ...(body.until !== undefined && { holdUntil: body.until }),
  });
  const again = () => requestSalesOrderCancel(deps, orderNo, kind, { ...body, requestId }, actor, true);
  return sendRunRequest<SalesOrderCancelRequestRecord>({
    requestId,
    rerouted,
    temporal: documents.temporal,
    find: () => findSalesOrderCancelRequest(db, requestId),
    isThis: (stored) => stored.orderNo === orderNo && stored.kind === kind,
    reused: (stored) => requestIdTaken(requestId, stored),
    isDecided: (stored) => stored.verdict !== null,
    judge: async () => {
      const order = await getSalesOrder(db, orderNo);
      revision = order.pushRevision;
      const route = routeCancelRequest(order, kind);
      if (route.action === 'refuse') throw new ConflictError(route.message, route.reason, { ...stateOf(order), requestId });
      if (route.action === 'signal') return { action: 'signal' };
      const pending = await findPendingSalesOrderCancelRequest(db, orderNo);
      if (pending) throw cancelPending(order, pending, route.action === 'hold-in-erp' ? 'held' : 'cancelled');
      // Nothing was pushed: the ERP cancels (or holds) the order itself, and the verdict is there at once.
      const decided = route.action === 'hold-in-erp' ? await holdSalesOrderInReview(db, newRequest()) : await cancelSalesOrderInReview(db, newRequest());
      if (decided) return { action: 'decided' };
      if (!rerouted) return { action: 'answer', answer: await again() };
      throw new ConflictError(`Sales order ${orderNo} changed while the request was handled; send it again`, 'order-changed', stateOf(order));
    },
    recordPending: () => insertPendingSalesOrderCancelRequest(db, newRequest()),
    withdraw: () => withdrawPendingSalesOrderCancelRequest(db, requestId),
    workflowId: async () => (await getSalesOrder(db, orderNo)).workflowId,
    signal: (workflowId) => documents.salesOrders.requestCancel(workflowId, kind, { reason: body.reason, actorRole: actor.role, requestId }),
    notRunning: async (workflowId) => {
      const order = await getSalesOrder(db, orderNo);
      return new ConflictError(`The workflow of sales order ${orderNo} (${workflowId}) is not running; the order is ${order.status}`, 'workflow-not-running', stateOf(order));
    },
    again: again,
    answer: async (decided) => verdictAnswer({ ...decided, verdict: decided.verdict! }, (await getSalesOrder(db, orderNo)).wayBill),
    waitMs: config.cancelWaitMs,
    undecided: () => ({
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
    }),
  });
}

function requestIdTaken(requestId: string, owner: SalesOrderCancelRequestRecord): ConflictError {
  return new ConflictError(`Request id ${requestId} was already used for a ${owner.kind} of sales order ${owner.orderNo}`, 'request-id-reused');
}
