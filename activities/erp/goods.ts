// ERP-side steps of the goods sync: read and check master data before JD is asked, record the outcome.
import type { Knex } from 'knex';
import { markGoodsSyncing, recordGoodsSynced, recordGoodsSyncFailed } from '../../db/goods-sync';
import { findCategory, findGoods } from '../../db/master-data';
import { activityKey, callingWorkflowId } from '../context';

/** What JD needs to create goods (eclp-api.md §3.1), in our terms. */
export interface GoodsForJd {
  sku: string;
  name: string;
  barcodes: string[];
  thirdCategoryNo: string;
  safeDays: number;
  serialManaged: boolean;
}

export type GoodsSyncPreflight =
  | { kind: 'ready'; goods: GoodsForJd }
  | { kind: 'already-synced'; jdGoodsNo: string }
  | { kind: 'invalid'; reason: string };

export function createGoodsSyncActivities(deps: { db: Knex }) {
  const { db } = deps;
  return {
    /** Pre-flight with no JD call: the reasons here are ones an operator fixes in master data. */
    async prepareGoodsSync(sku: string): Promise<GoodsSyncPreflight> {
      const goods = await findGoods(db, sku);
      if (!goods) return { kind: 'invalid', reason: `SKU ${sku} does not exist in master data` };
      if (goods.jdGoodsNo) return { kind: 'already-synced', jdGoodsNo: goods.jdGoodsNo };
      const category = await findCategory(db, goods.categoryCode);
      if (!category) {
        return {
          kind: 'invalid',
          reason: `Category ${goods.categoryCode} of SKU ${sku} has no JD category mapping (京东分类对应关系); map it with PUT /v1/categories/${goods.categoryCode}, then sync again`,
        };
      }
      if (goods.barcodes.length === 0) return { kind: 'invalid', reason: `SKU ${sku} has no barcode; JD matches goods by barcode` };
      await markGoodsSyncing(db, sku, callingWorkflowId());
      return {
        kind: 'ready',
        goods: {
          sku,
          name: goods.name,
          barcodes: goods.barcodes,
          thirdCategoryNo: category.jdThirdCategoryNo,
          safeDays: goods.safeDays,
          serialManaged: goods.serialManaged,
        },
      };
    },

    async recordGoodsSynced(sku: string, jdGoodsNo: string): Promise<void> {
      await recordGoodsSynced(db, { sku, jdGoodsNo, idempotencyKey: activityKey() });
    },

    /** Never overwrites a success: a late failure record must not hide a JD number we hold. */
    async recordGoodsSyncFailed(sku: string, failure: { reason: string; jdCode?: string }): Promise<void> {
      await recordGoodsSyncFailed(db, { sku, failure, idempotencyKey: activityKey() });
    },
  };
}
