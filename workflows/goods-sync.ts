// Goods sync (商品同步): pre-flight against master data, create the goods at JD, store JD's number.
// JD refusals end the run as a visible failure carrying JD's words; everything else is retried.
import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createEclpActivities } from '../activities/eclp';
import type { createGoodsActivities } from '../activities/erp-goods';
import type { GoodsSyncStatus } from '../domain/statuses';
import { DocStatus, DocType, ErpDocNo, EclpDocNo, StatusSince } from './search-attributes';
import { eclpQueueOf } from './task-queues';

export interface GoodsSyncInput {
  sku: string;
}

export interface GoodsSyncResult {
  sku: string;
  status: 'SYNCED';
  jdGoodsNo: string;
  alreadySynced: boolean;
}

export const goodsSyncStatusQuery = defineQuery<{ sku: string; status: GoodsSyncStatus; jdGoodsNo?: string; reason?: string }>('status');

/** Mirrors JD_REJECTION_TYPES in activities/eclp.ts (workflow code may not import activity modules). */
const JD_REJECTIONS = ['EclpBusinessError', 'EclpValidationError'];

// Database activities run on the workflow's own queue; JD calls on its paired `eclp` queue.
const erp = proxyActivities<ReturnType<typeof createGoodsActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const eclpActivities = () =>
  proxyActivities<ReturnType<typeof createEclpActivities>>({
    taskQueue: eclpQueueOf(workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: JD_REJECTIONS },
  });

export async function goodsSync({ sku }: GoodsSyncInput): Promise<GoodsSyncResult> {
  const eclp = eclpActivities();
  let state: { status: GoodsSyncStatus; jdGoodsNo?: string; reason?: string } = { status: 'SYNCING' };
  setHandler(goodsSyncStatusQuery, () => ({ sku, ...state }));
  const setStatus = (next: typeof state) => {
    state = next;
    upsertSearchAttributes([
      { key: DocStatus, value: next.status },
      { key: StatusSince, value: new Date() },
      ...(next.jdGoodsNo ? [{ key: EclpDocNo, value: next.jdGoodsNo }] : []),
    ]);
  };
  upsertSearchAttributes([
    { key: DocType, value: 'GOODS' },
    { key: ErpDocNo, value: sku },
  ]);
  setStatus({ status: 'SYNCING' });

  const fail = async (reason: string, jdCode?: string): Promise<never> => {
    await erp.recordGoodsSyncFailed(sku, jdCode ? { reason, jdCode } : { reason });
    setStatus({ status: 'SYNC_FAILED', reason });
    throw ApplicationFailure.nonRetryable(reason, 'GoodsSyncFailed', { sku, jdCode });
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
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type && JD_REJECTIONS.includes(cause.type)) {
      const details = cause.details?.[0] as { code?: string } | undefined;
      return fail(`JD rejected the goods: ${cause.message}`, details?.code);
    }
    throw err;
  }
  await erp.recordGoodsSynced(sku, jdGoodsNo);
  setStatus({ status: 'SYNCED', jdGoodsNo });
  return { sku, status: 'SYNCED', jdGoodsNo, alreadySynced: false };
}
