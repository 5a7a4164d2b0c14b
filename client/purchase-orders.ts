// Starting and signalling the purchaseOrder workflow (`PO:{poNo}:{rev}`: one run per push revision it
// starts with; a repush moves on to the next revision inside the same run).
import type { Client } from '@temporalio/client';
import type { PurchaseOrderInboxKind } from '../domain/purchase-order';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import {
  PURCHASE_ORDER_INBOX_SIGNALS,
  resolvePushSignal,
  serialBatchSignal,
  type PurchaseOrderInput,
  type PurchaseOrderResult,
  type ResolvePushPayload,
} from '../messages/purchase-order';
import { signalRun, startPushRun, type PushRunStart } from './start';

export type PurchaseOrderStart = PushRunStart;

export function purchaseOrderClient(temporal: Client, taskQueue: string) {
  return {
    workflowId: workflowIds.purchaseOrder,

    handle: (poNo: string, revision: number) => temporal.workflow.getHandle<(input: PurchaseOrderInput) => Promise<PurchaseOrderResult>>(workflowIds.purchaseOrder(poNo, revision)),

    /**
     * Starts the push of a PO. A repeated start joins the running run (USE_EXISTING); a run of that
     * revision that has closed is never started again (the PO has moved on).
     */
    start(input: PurchaseOrderInput & { jdWarehouseNo: string }): Promise<PurchaseOrderStart> {
      const { jdWarehouseNo, ...args } = input;
      return startPushRun<PurchaseOrderInput>(temporal, taskQueue, {
        workflowType: WORKFLOW_TYPES.purchaseOrder,
        workflowId: workflowIds.purchaseOrder(input.poNo, input.revision),
        input: args,
        docType: 'PO',
        erpDocNo: input.poNo,
        jdWarehouseNo,
      });
    },

    /** Cancel or close through the run's cancel inbox, as the API sends it. False when the run is not running any more. */
    requestInbox(workflowId: string, kind: PurchaseOrderInboxKind, request: { reason: string; actorRole: string; requestId: string }): Promise<boolean> {
      return signalRun(temporal, workflowId, PURCHASE_ORDER_INBOX_SIGNALS[kind], { reason: request.reason, actor: { role: request.actorRole }, requestId: request.requestId, via: 'api' });
    },

    /** Link JD's PO or push again (PUSH_UNCONFIRMED, FAILED). False when the run is not running any more. */
    resolvePush(workflowId: string, payload: ResolvePushPayload): Promise<boolean> {
      return signalRun(temporal, workflowId, resolvePushSignal, payload);
    },

    /** A serial batch the API stored: the run uploads it once JD holds the PO. False when the run is gone. */
    sendSerialBatch(workflowId: string, batchId: string): Promise<boolean> {
      return signalRun(temporal, workflowId, serialBatchSignal, { batchId });
    },
  };
}

export type PurchaseOrderClient = ReturnType<typeof purchaseOrderClient>;
