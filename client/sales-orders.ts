// Starting and signalling the salesOrder workflow (one run per push revision, `SO:{orderNo}:{rev}`).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CancelKind } from '../domain/sales-order';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { SALES_ORDER_CANCEL_SIGNALS, type SalesOrderInput, type SalesOrderResult } from '../messages/sales-order';
import { DocStatus, StatusSince, WarehouseNo } from '../messages/search-attributes';
import { startDocument } from './start';

export type SalesOrderStart = { workflowId: string; started: true } | { workflowId: string; started: false; reason: 'run-closed' };

export function salesOrderClient(temporal: Client, taskQueue: string) {
  return {
    workflowId: workflowIds.salesOrder,

    handle: (orderNo: string, revision: number) => temporal.workflow.getHandle<(input: SalesOrderInput) => Promise<SalesOrderResult>>(workflowIds.salesOrder(orderNo, revision)),

    /**
     * Starts the run of one push revision. A repeated start joins the running run (USE_EXISTING); a run of
     * that revision that has already closed is never started again (the order has moved on).
     */
    async start(input: SalesOrderInput & { jdWarehouseNo: string }): Promise<SalesOrderStart> {
      const { jdWarehouseNo, ...args } = input;
      const workflowId = workflowIds.salesOrder(input.orderNo, input.revision);
      try {
        await startDocument<SalesOrderInput>(temporal, taskQueue, {
          workflowType: WORKFLOW_TYPES.salesOrder,
          workflowId,
          input: args,
          docType: 'SO',
          erpDocNo: input.orderNo,
          searchAttributes: [
            { key: DocStatus, value: 'PUSHING' },
            { key: StatusSince, value: new Date() },
            { key: WarehouseNo, value: jdWarehouseNo },
          ],
          once: true,
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false, reason: 'run-closed' };
        throw err;
      }
      return { workflowId, started: true };
    },

    /** 打回审核 or a buyer refund, as the API sends it. False when the run is not running any more. */
    async requestCancel(workflowId: string, kind: CancelKind, request: { reason: string; actorRole: string; requestId: string }): Promise<boolean> {
      try {
        await temporal.workflow.getHandle(workflowId).signal(SALES_ORDER_CANCEL_SIGNALS[kind], { reason: request.reason, actor: { role: request.actorRole }, requestId: request.requestId, via: 'api' });
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
  };
}

export type SalesOrderClient = ReturnType<typeof salesOrderClient>;
