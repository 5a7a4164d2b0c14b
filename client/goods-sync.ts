// Starting goods syncs. The workflow ID is the SKU, so a repeated request joins the running sync.
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { GoodsSyncInput, GoodsSyncResult } from '../messages/goods-sync';
import { WORKFLOW_TYPES, workflowIds } from '../messages/ids';
import { DocType, ErpDocNo } from '../messages/search-attributes';

export function goodsSyncClient(temporal: Client, taskQueue: string) {
  return {
    workflowId: workflowIds.goodsSync,

    handle: (sku: string) => temporal.workflow.getHandle<(input: GoodsSyncInput) => Promise<GoodsSyncResult>>(workflowIds.goodsSync(sku)),

    async start(sku: string): Promise<{ workflowId: string }> {
      const workflowId = workflowIds.goodsSync(sku);
      await temporal.workflow.start<(input: GoodsSyncInput) => Promise<GoodsSyncResult>>(WORKFLOW_TYPES.goodsSync, {
        workflowId,
        taskQueue,
        args: [{ sku }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [
          { key: DocType, value: 'GOODS' },
          { key: ErpDocNo, value: sku },
        ],
      });
      return { workflowId };
    },
  };
}

export type GoodsSyncClient = ReturnType<typeof goodsSyncClient>;
