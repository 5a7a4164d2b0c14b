// Goods sync (商品同步): pre-flight against master data, create the goods at JD, store JD's number.
// JD refusals end the run as a visible failure carrying JD's words; everything else is retried.
import { ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EclpActivities } from '../activities/eclp';
import type { ErpActivities } from '../activities/erp';
import { FAILURE_TYPES } from '../messages/failure-types';
import { goodsSyncStatusQuery, type GoodsSyncInput, type GoodsSyncResult, type GoodsSyncState } from '../messages/goods-sync';
import { ERP_ACTIVITY_OPTIONS, jdCallOptions } from './saga/activity-options';
import { jdRejectionOf } from './saga/failures';
import { identifyDocument, publishStatus } from './saga/visibility';

// Database activities run on the workflow's own queue; JD calls on its paired `eclp` queue.
const erp = proxyActivities<ErpActivities>(ERP_ACTIVITY_OPTIONS);

export async function goodsSync({ sku }: GoodsSyncInput): Promise<GoodsSyncResult> {
  const eclp = proxyActivities<EclpActivities>(jdCallOptions(workflowInfo().taskQueue));
  let state: Omit<GoodsSyncState, 'sku'> = { status: 'SYNCING' };
  setHandler(goodsSyncStatusQuery, () => ({ sku, ...state }));
  const setStatus = (next: typeof state) => {
    state = next;
    publishStatus({ status: next.status, changed: true, eclpDocNo: next.jdGoodsNo });
  };
  identifyDocument('GOODS', sku);
  setStatus({ status: 'SYNCING' });

  const fail = async (reason: string, jdCode?: string): Promise<never> => {
    await erp.recordGoodsSyncFailed(sku, jdCode ? { reason, jdCode } : { reason });
    setStatus({ status: 'SYNC_FAILED', reason });
    throw ApplicationFailure.nonRetryable(reason, FAILURE_TYPES.goodsSyncFailed, { sku, jdCode });
  };

  const preflight = await erp.prepareGoodsSync(sku);
  if (preflight.kind === 'already-synced') {
    setStatus({ status: 'SYNCED', jdGoodsNo: preflight.jdGoodsNo });
    return { sku, status: 'SYNCED', jdGoodsNo: preflight.jdGoodsNo, alreadySynced: true };
  }
  if (preflight.kind === 'invalid') return fail(preflight.reason);

  let jdGoodsNo: string;
  try {
    ({ jdGoodsNo } = await eclp.transportGoodsInfo(preflight.goods));
  } catch (err) {
    const rejected = jdRejectionOf(err);
    if (rejected) return fail(`JD rejected the goods: ${rejected.message}`, rejected.jdCode);
    throw err;
  }
  await erp.recordGoodsSynced(sku, jdGoodsNo);
  setStatus({ status: 'SYNCED', jdGoodsNo });
  return { sku, status: 'SYNCED', jdGoodsNo, alreadySynced: false };
}
