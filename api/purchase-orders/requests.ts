// An operator's requests of a PO's run — cancel and close (the run's cancel inbox), link and repush (they
// resolve a PUSH_UNCONFIRMED push; repush also a FAILED one) — routed by the PO's state, signalled to the
// run, and answered with the verdict it writes (or 202 while it is open), as ../run-requests.ts does it.
import { randomUUID } from 'node:crypto';
import {
  findPurchaseOrderRequest,
  getPurchaseOrder,
  insertPendingPurchaseOrderRequest,
  withdrawPendingPurchaseOrderRequest,
  type PurchaseOrderRequestRecord,
} from '../../db/purchase-orders';
import { ConflictError } from '../../domain/errors';
import { routePurchaseOrderRequest, type PurchaseOrderRequestKind } from '../../domain/purchase-order';
import type { Actor } from '../auth';
import type { RouteResult } from '../route';
import { sendRunRequest } from '../run-requests';
import { purchaseOrderUrl, stateOf, verdictAnswer } from './answers';
import type { PurchaseOrderApiDeps } from './create';

/** The bodies of the four requests, as their schemas in domain/purchase-order.ts let them through. */
export type PurchaseOrderRequestInput =
  | { kind: 'cancel' | 'close'; reason: string; requestId?: string }
  | { kind: 'link'; poOrderNo: string; reason?: string; requestId?: string }
  | { kind: 'repush'; reason: string; requestId?: string };

export async function requestOfPurchaseOrder(deps: PurchaseOrderApiDeps, poNo: string, input: PurchaseOrderRequestInput, actor: Actor, rerouted = false): Promise<RouteResult> {
  const { db, documents, config } = deps;
  const { kind } = input;
  const requestId = input.requestId ?? randomUUID();
  const sender = { actorRole: actor.role, requestId };
  const again = () => requestOfPurchaseOrder(deps, poNo, { ...input, requestId }, actor, true);
  // The push revision the request was judged at: it is filed under it.
  let revision = 0;

  return sendRunRequest<PurchaseOrderRequestRecord>({
    requestId,
    rerouted,
    temporal: documents.temporal,
    find: () => findPurchaseOrderRequest(db, requestId),
    isThis: (stored) => stored.poNo === poNo && stored.kind === kind,
    reused: (stored) => new ConflictError(`Request id ${requestId} was already used for a ${stored.kind} of purchase order ${stored.poNo}`, 'request-id-reused'),
    isDecided: (stored) => stored.verdict !== null,
    judge: async () => {
      const po = await getPurchaseOrder(db, poNo);
      revision = po.pushRevision;
      const route = routePurchaseOrderRequest(po, kind);
      if (route.action === 'refuse') throw new ConflictError(route.message, route.reason, { ...stateOf(po), requestId });
      return { action: 'signal' };
    },
    recordPending: () =>
      insertPendingPurchaseOrderRequest(db, {
        requestId,
        poNo,
        revision,
        kind,
        ...(input.reason !== undefined && { reason: input.reason }),
        ...(input.kind === 'link' && { poOrderNo: input.poOrderNo }),
        actorRole: actor.role,
        source: 'api',
      }),
    withdraw: () => withdrawPendingPurchaseOrderRequest(db, requestId),
    workflowId: async () => (await getPurchaseOrder(db, poNo)).workflowId,
    signal: (workflowId) => signalRun(deps, workflowId, input, sender),
    notRunning: async (workflowId) => {
      const po = await getPurchaseOrder(db, poNo);
      return new ConflictError(`The workflow of purchase order ${poNo} (${workflowId}) is not running; the purchase order is ${po.status}`, 'workflow-not-running', stateOf(po));
    },
    again,
    answer: async (decided) => verdictAnswer({ ...decided, verdict: decided.verdict! }, await getPurchaseOrder(db, poNo)),
    waitMs: config.cancelWaitMs,
    undecided: () => ({
      status: 202,
      body: {
        requestId,
        poNo,
        kind,
        verdict: null,
        message: `The ${kind} is with the purchase order's workflow (a push to JD may still be running); its verdict will appear under requests of the purchase order`,
        poUrl: purchaseOrderUrl(poNo),
      },
      headers: { Location: purchaseOrderUrl(poNo) },
    }),
  });
}

function signalRun({ documents }: PurchaseOrderApiDeps, workflowId: string, input: PurchaseOrderRequestInput, sender: { actorRole: string; requestId: string }): Promise<boolean> {
  const actor = { role: sender.actorRole };
  switch (input.kind) {
    case 'cancel':
    case 'close':
      return documents.purchaseOrders.requestInbox(workflowId, input.kind, { reason: input.reason, ...sender });
    case 'link':
      return documents.purchaseOrders.resolvePush(workflowId, {
        action: 'link',
        poOrderNo: input.poOrderNo,
        ...(input.reason !== undefined && { reason: input.reason }),
        requestId: sender.requestId,
        actor,
        via: 'api',
      });
    case 'repush':
      return documents.purchaseOrders.resolvePush(workflowId, { action: 'repush', reason: input.reason, requestId: sender.requestId, actor, via: 'api' });
  }
}

export type { PurchaseOrderRequestKind };
