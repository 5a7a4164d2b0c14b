// An operator's cancel of a return: routed by the return's state (409 once it was received, rejected or
// cancelled), recorded as pending, signalled to the return's run (the kit's cancel inbox: it asks JD with
// cancelRtwOrder once JD holds the return, or cancels a FAILED return in the ERP) and answered with the
// verdict the run writes (or 202 while it is open), as ../run-requests.ts does it.
import { randomUUID } from 'node:crypto';
import { findReturnRequest, getReturn, insertPendingReturnRequest, withdrawPendingReturnRequest, type ReturnRequestRecord } from '../../db/returns';
import { ConflictError } from '../../domain/errors';
import { routeReturnCancel } from '../../domain/return-order';
import type { Actor } from '../auth';
import type { RouteResult } from '../route';
import { sendRunRequest } from '../run-requests';
import { returnUrl, stateOf, verdictAnswer } from './answers';
import type { ReturnApiDeps } from './create';

export interface ReturnCancelInput {
  reason: string;
  requestId?: string | undefined;
}

export async function cancelReturn(deps: ReturnApiDeps, returnNo: string, input: ReturnCancelInput, actor: Actor, rerouted = false): Promise<RouteResult> {
  const { db, documents, config } = deps;
  const requestId = input.requestId ?? randomUUID();
  const again = () => cancelReturn(deps, returnNo, { ...input, requestId }, actor, true);
  // The push revision the request was judged at: it is filed under it.
  let revision = 0;

  return sendRunRequest<ReturnRequestRecord>({
    requestId,
    rerouted,
    temporal: documents.temporal,
    find: () => findReturnRequest(db, requestId),
    isThis: (stored) => stored.returnNo === returnNo && stored.kind === 'cancel',
    reused: (stored) => new ConflictError(`Request id ${requestId} was already used for a ${stored.kind} of return ${stored.returnNo}`, 'request-id-reused'),
    isDecided: (stored) => stored.verdict !== null,
    judge: async () => {
      const ret = await getReturn(db, returnNo);
      revision = ret.pushRevision;
      const route = routeReturnCancel(ret);
      if (route.action === 'refuse') throw new ConflictError(route.message, route.reason, { ...stateOf(ret), requestId });
      return { action: 'signal' };
    },
    recordPending: () => insertPendingReturnRequest(db, { requestId, returnNo, revision, kind: 'cancel', reason: input.reason, actorRole: actor.role, source: 'api' }),
    withdraw: () => withdrawPendingReturnRequest(db, requestId),
    workflowId: async () => (await getReturn(db, returnNo)).workflowId,
    signal: (workflowId) => documents.returns.requestCancel(workflowId, { reason: input.reason, actorRole: actor.role, requestId }),
    notRunning: async (workflowId) => {
      const ret = await getReturn(db, returnNo);
      return new ConflictError(`The workflow of return ${returnNo} (${workflowId}) is not running; the return is ${ret.status}`, 'workflow-not-running', stateOf(ret));
    },
    again,
    answer: async (decided) => verdictAnswer({ ...decided, verdict: decided.verdict! }, await getReturn(db, returnNo)),
    waitMs: config.cancelWaitMs,
    undecided: () => ({
      status: 202,
      body: {
        requestId,
        returnNo,
        kind: 'cancel',
        verdict: null,
        message: "The cancel is with the return's workflow (it asks JD once JD holds the return); its verdict will appear under requests of the return",
        returnUrl: returnUrl(returnNo),
      },
      headers: { Location: returnUrl(returnNo) },
    }),
  });
}
