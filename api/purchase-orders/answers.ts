// How the purchase-order routes answer: the PO's URL, its state in a 409, a request's verdict as 200 or 409.
import type { PurchaseOrderRecord, PurchaseOrderRequestRecord } from '../../db/purchase-orders';
import type { PurchaseOrderVerdict } from '../../domain/purchase-order';
import { PURCHASE_ORDER_STATUS } from '../../domain/statuses';
import type { RouteResult } from '../route';
import { decidedRequestAnswer } from '../run-requests';

export const purchaseOrderUrl = (poNo: string) => `/v1/purchase-orders/${poNo}`;

/** The PO's state for a 409 answer (`status` itself is the problem's HTTP status there). */
export function stateOf(po: Pick<PurchaseOrderRecord, 'status' | 'statusLabel' | 'pushRevision' | 'workflowId' | 'poOrderNo'>) {
  return { currentStatus: po.status, currentStatusLabel: po.statusLabel, pushRevision: po.pushRevision, workflowId: po.workflowId, poOrderNo: po.poOrderNo };
}

type Decided = PurchaseOrderRequestRecord & { verdict: PurchaseOrderVerdict };

/** What the verdict means for the PO, in the words an operator reads in the answer. */
export function purchaseOrderVerdictMessage(request: Decided, po: Pick<PurchaseOrderRecord, 'poOrderNo'>): string {
  const { poNo } = request;
  const jd = request.jdMessage ? `: ${request.jdMessage}` : '';
  const verdict: PurchaseOrderVerdict = request.verdict;
  switch (verdict) {
    case 'CANCELLED_AT_JD':
      return `JD cancelled its purchase order ${po.poOrderNo ?? ''}`.trimEnd() + `; ${poNo} is cancelled`;
    case 'CANCELLED_IN_ERP':
      return `JD held no live purchase order for ${poNo}; it is cancelled without asking JD`;
    case 'REFUSED_BY_JD':
      return `JD refused${jd}; ${poNo} carries on as ${request.resultingStatus ?? 'before'}`;
    case 'CLOSED_AT_JD':
      return `JD closed ${poNo}: it ends received with what arrived, the rest recorded short`;
    case 'LINKED':
      return `JD's purchase order ${request.poOrderNo ?? po.poOrderNo} is linked to ${poNo}; what JD receives on it is booked from now on`;
    case 'LINK_REFUSED':
      return `JD's purchase order ${request.poOrderNo ?? ''} is not ${poNo}'s${jd}; ${poNo} still waits to be linked or pushed again`;
    case 'REPUSHED':
      return `${poNo} is pushed to JD again under a new revision`;
    case 'ALREADY_RECEIVED':
      return `Purchase order ${poNo} was received in full before the ${request.kind} was decided`;
    case 'ALREADY_CANCELLED':
      return `Purchase order ${poNo} was already cancelled when the ${request.kind} was decided`;
    case 'NOT_APPLICABLE':
      return `A ${request.kind} does not apply to purchase order ${poNo} as it was when the ${request.kind} was decided (${request.resultingStatus ?? 'its status changed'})`;
  }
}

/** Verdicts that say the request came too late for the PO: a 409, like the API's own routing refusals. */
const CONFLICT_REASONS: Partial<Record<PurchaseOrderVerdict, string>> = {
  ALREADY_RECEIVED: 'already-received',
  ALREADY_CANCELLED: 'already-cancelled',
  // The PO moved between the API's routing and the run's decision.
  NOT_APPLICABLE: 'not-applicable',
};

/** A decided request: 200 with the verdict, or the 409 of a PO that had moved on before it was decided. */
export function verdictAnswer(request: Decided, po: PurchaseOrderRecord): RouteResult {
  const { verdict } = request;
  const status = request.resultingStatus ?? undefined;
  const body = {
    requestId: request.requestId,
    poNo: request.poNo,
    kind: request.kind,
    verdict,
    status,
    statusLabel: status ? PURCHASE_ORDER_STATUS[status] : undefined,
    jdMessage: request.jdMessage,
    message: purchaseOrderVerdictMessage(request, po),
    poUrl: purchaseOrderUrl(request.poNo),
  };
  return decidedRequestAnswer(body, CONFLICT_REASONS[verdict], stateOf(po));
}
