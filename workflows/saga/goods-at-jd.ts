// Goods JD does not have yet, created by goods-sync child workflows (all at once) before a document that
// needs them goes to JD: the purchase order's push and the go-live check use it.
import { ApplicationFailure, ChildWorkflowFailure, ParentClosePolicy, executeChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { GoodsSyncInput, GoodsSyncResult } from '../../messages/goods-sync';
import { WORKFLOW_TYPES, workflowIds } from '../../messages/ids';

/** A SKU JD refused (or whose sync failed its own pre-flight), with JD's words and code. */
export interface GoodsSyncFailure {
  sku: string;
  message: string;
  jdCode?: string;
}

/**
 * Syncs every SKU, each by its own child run; answers per SKU (in the order given) undefined when JD
 * has the goods now, else why not. A sync the API already runs for the SKU is joined by a run of our own
 * under a document-scoped ID (`GOODS:{sku}@{our workflow id}`): creating goods at JD is idempotent (JD
 * answers the existing number), so both end with the same JD goods number.
 */
export async function syncGoodsAtJd(skus: readonly string[]): Promise<Array<GoodsSyncFailure | undefined>> {
  const sync = async (sku: string): Promise<GoodsSyncFailure | undefined> => {
    const child = (workflowId: string) =>
      executeChild<(input: GoodsSyncInput) => Promise<GoodsSyncResult>>(WORKFLOW_TYPES.goodsSync, {
        workflowId,
        args: [{ sku }],
        // The goods exist for every later document: a cancelled document must not cut their creation short.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    try {
      try {
        await child(workflowIds.goodsSync(sku));
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await child(`${workflowIds.goodsSync(sku)}@${workflowInfo().workflowId}`);
      }
      return undefined;
    } catch (err) {
      if (!(err instanceof ChildWorkflowFailure)) throw err;
      const cause = err.cause;
      const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as { jdCode?: string } | undefined) : undefined;
      return { sku, message: cause?.message ?? err.message, ...(details?.jdCode !== undefined && details.jdCode !== null && { jdCode: details.jdCode }) };
    }
  };
  return Promise.all(skus.map(sync));
}
