// How the return routes answer: the return's URL, its state in a 409, a cancel's verdict as 200 or 409.
import type { ReturnRecord, ReturnRequestRecord } from '../../db/returns';
import type { ReturnVerdict } from '../../domain/return-order';
import { RETURN_STATUS } from '../../domain/statuses';
import type { RouteResult } from '../route';
import { decidedRequestAnswer } from '../run-requests';

export const returnUrl = (returnNo: string) => `/v1/returns/${returnNo}`;

/** The return's state for a 409 answer (`status` itself is the problem's HTTP status there). */
export function stateOf(ret: Pick<ReturnRecord, 'status' | 'statusLabel' | 'pushRevision' | 'workflowId' | 'eclpRtwNo'>) {
  return { currentStatus: ret.status, currentStatusLabel: ret.statusLabel, pushRevision: ret.pushRevision, workflowId: ret.workflowId, eclpRtwNo: ret.eclpRtwNo };
}

type Decided = ReturnRequestRecord & { verdict: ReturnVerdict };

/** What the verdict means for the return, in the words an operator reads in the answer. */
export function returnVerdictMessage(request: Decided, ret: Pick<ReturnRecord, 'eclpRtwNo' | 'replacementOrderNo'>): string {
  const { returnNo } = request;
  const jd = request.jdMessage ? `: ${request.jdMessage}` : '';
  // A cancelled exchange's replacement is sent back, refunded or put before an operator (it may have shipped).
  const replacement = ret.replacementOrderNo ? `; what becomes of its replacement order ${ret.replacementOrderNo} shows on the return (replacementOrder, attention)` : '';
  const verdict: ReturnVerdict = request.verdict;
  switch (verdict) {
    case 'CANCELLED_AT_JD':
      return `JD cancelled its return ${ret.eclpRtwNo ?? ''}`.trimEnd() + `; ${returnNo} is cancelled${replacement}`;
    case 'CANCELLED_IN_ERP':
      return `JD held no return for ${returnNo} (its push failed); it is cancelled without asking JD${replacement}`;
    case 'REFUSED_BY_JD':
      return `JD refused${jd}; ${returnNo} carries on as ${request.resultingStatus ?? 'before'}`;
    case 'ALREADY_RECEIVED':
      return `Return ${returnNo} was received at the warehouse before the cancel was decided`;
    case 'ALREADY_REJECTED':
      return `Return ${returnNo} was rejected by the warehouse before the cancel was decided`;
    case 'ALREADY_CANCELLED':
      return `Return ${returnNo} was already cancelled when the cancel was decided`;
  }
}

/** Verdicts that say the cancel came too late: a 409, with the reasons of the API's own routing refusals. */
const CONFLICT_REASONS: Partial<Record<ReturnVerdict, string>> = {
  ALREADY_RECEIVED: 'already-received',
  ALREADY_REJECTED: 'already-rejected',
  ALREADY_CANCELLED: 'already-cancelled',
};

/** A decided cancel: 200 with the verdict, or the 409 of a return that had ended before it was decided. */
export function verdictAnswer(request: Decided, ret: ReturnRecord): RouteResult {
  const { verdict } = request;
  const status = request.resultingStatus ?? undefined;
  const body = {
    requestId: request.requestId,
    returnNo: request.returnNo,
    kind: request.kind,
    verdict,
    status,
    statusLabel: status ? RETURN_STATUS[status] : undefined,
    jdMessage: request.jdMessage,
    message: returnVerdictMessage(request, ret),
    returnUrl: returnUrl(request.returnNo),
  };
  return decidedRequestAnswer(body, CONFLICT_REASONS[verdict], stateOf(ret));
}
