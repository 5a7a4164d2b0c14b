// Starting and signalling the returnOrder workflow (售后单, `RTN:{returnNo}:{rev}`: one run per push revision).
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { cancelReturnSignal, type ReturnOrderInput, type ReturnOrderResult } from '../messages/return-order';
import { signalRun, startPushRun, type PushRunStart } from './start';

export type ReturnStart = PushRunStart;

export function returnClient(temporal: Client, taskQueue: string) {
  return {
    workflowId: workflowIds.returnOrder,

    handle: (returnNo: string, revision: number) => temporal.workflow.getHandle<(input: ReturnOrderInput) => Promise<ReturnOrderResult>>(workflowIds.returnOrder(returnNo, revision)),

    /**
     * Starts the push of a return. A repeated start joins the running run (USE_EXISTING); a run of that
     * revision that has closed is never started again (the return has moved on).
     */
    start(input: ReturnOrderInput & { jdWarehouseNo: string }): Promise<ReturnStart> {
      const { jdWarehouseNo, ...args } = input;
      return startPushRun<ReturnOrderInput>(temporal, taskQueue, {
        workflowType: WORKFLOW_TYPES.returnOrder,
        workflowId: workflowIds.returnOrder(input.returnNo, input.revision),
        input: args,
        docType: 'RTN',
        erpDocNo: input.returnNo,
        jdWarehouseNo,
      });
    },

    /** Cancel through the run's cancel inbox, as the API sends it. False when the run is not running any more. */
    requestCancel(workflowId: string, request: { reason: string; actorRole: string; requestId: string }): Promise<boolean> {
      return signalRun(temporal, workflowId, cancelReturnSignal, { reason: request.reason, actor: { role: request.actorRole }, requestId: request.requestId, via: 'api' });
    },
  };
}

export type ReturnClient = ReturnType<typeof returnClient>;
