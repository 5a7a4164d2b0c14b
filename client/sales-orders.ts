// Starting and signalling the salesOrder workflow (one run per push revision, `SO:{orderNo}:{rev}`).
import type { Client } from '@temporalio/client';
import type { CancelKind } from '../domain/sales-order';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { SALES_ORDER_CANCEL_SIGNALS, type SalesOrderInput, type SalesOrderResult } from '../messages/sales-order';
import { signalRun, startPushRun, type PushRunStart } from './start';

export type SalesOrderStart = PushRunStart;

export function salesOrderClient(temporal: Client, taskQueue: string) {
  return {
    workflowId: workflowIds.salesOrder,

    handle: (orderNo: string, revision: number) => temporal.workflow.getHandle<(input: SalesOrderInput) => Promise<SalesOrderResult>>(workflowIds.salesOrder(orderNo, revision)),

    /**
     * Starts the run of one push revision. A repeated start joins the running run (USE_EXISTING); a run of
     * that revision that has already closed is never started again (the order has moved on).
     */
    start(input: SalesOrderInput & { jdWarehouseNo: string }): Promise<SalesOrderStart> {
      const { jdWarehouseNo, ...args } = input;
      return startPushRun<SalesOrderInput>(temporal, taskQueue, {
        workflowType: WORKFLOW_TYPES.salesOrder,
        workflowId: workflowIds.salesOrder(input.orderNo, input.revision),
        input: args,
        docType: 'SO',
        erpDocNo: input.orderNo,
        jdWarehouseNo,
      });
    },

    /** 打回审核 or a buyer refund, as the API sends it. False when the run is not running any more. */
    requestCancel(workflowId: string, kind: CancelKind, request: { reason: string; actorRole: string; requestId: string }): Promise<boolean> {
      return signalRun(temporal, workflowId, SALES_ORDER_CANCEL_SIGNALS[kind], { reason: request.reason, actor: { role: request.actorRole }, requestId: request.requestId, via: 'api' });
    },
  };
}

export type SalesOrderClient = ReturnType<typeof salesOrderClient>;
