// Starting goods syncs. The workflow ID is the SKU, so a repeated request joins the running sync.
import type { Client } from '@temporalio/client';
import type { GoodsSyncInput, GoodsSyncResult } from '../messages/goods-sync';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { startDocument } from './start';

export function goodsSyncClient(temporal: Client, taskQueue: string) {
  return {
    workflowId: workflowIds.goodsSync,

    handle: (sku: string) => temporal.workflow.getHandle<(input: GoodsSyncInput) => Promise<GoodsSyncResult>>(workflowIds.goodsSync(sku)),

    async start(sku: string): Promise<{ workflowId: string }> {
      const workflowId = workflowIds.goodsSync(sku);
      await startDocument<GoodsSyncInput>(temporal, taskQueue, { workflowType: WORKFLOW_TYPES.goodsSync, workflowId, input: { sku }, docType: 'GOODS', erpDocNo: sku });
      return { workflowId };
    },
  };
}

export type GoodsSyncClient = ReturnType<typeof goodsSyncClient>;
