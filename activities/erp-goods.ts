// ERP-side steps of the goods sync: read and check master data before JD is asked, record the outcome.
import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { findGoods } from '../db/master-data';
import { writeOperationLogOnce } from '../db/operation-log';

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

/** Key for exactly-once log rows: stable across retries of one activity, distinct between activities. */
export function activityKey(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return `${workflowExecution?.workflowId}/${workflowExecution?.runId}/${activityId}`;
}

function currentWorkflowId(): string | null {
  return Context.current().info.workflowExecution?.workflowId ?? null;
}

export function createGoodsActivities(deps: { db: Knex }) {
  const { db } = deps;
  return {
    /** Pre-flight with no JD call: the reasons here are ones an operator fixes in master data. */
    async prepareGoodsSync(sku: string): Promise<GoodsSyncPreflight> {
      const goods = await findGoods(db, sku);
      if (!goods) return { kind: 'invalid', reason: `SKU ${sku} does not exist in master data` };
      if (goods.jdGoodsNo) return { kind: 'already-synced', jdGoodsNo: goods.jdGoodsNo };
      const category = await db('categories').where({ code: goods.categoryCode }).first();
      if (!category) {
        return {
          kind: 'invalid',
          reason: `Category ${goods.categoryCode} of SKU ${sku} has no JD category mapping (京东分类对应关系); map it with PUT /v1/categories/${goods.categoryCode}, then sync again`,
        };
      }
      if (goods.barcodes.length === 0) return { kind: 'invalid', reason: `SKU ${sku} has no barcode; JD matches goods by barcode` };
      await db('goods')
        .where({ sku })
        .whereNull('jd_goods_no')
        .update({ sync_status: 'SYNCING', sync_workflow_id: currentWorkflowId(), updated_at: db.fn.now() });
      return {
        kind: 'ready',
        goods: {
          sku,
          name: goods.name,
          barcodes: goods.barcodes,
          thirdCategoryNo: category.jd_third_category_no,
          safeDays: goods.safeDays,
          serialManaged: goods.serialManaged,
        },
      };
    },

    async recordGoodsSynced(sku: string, jdGoodsNo: string): Promise<void> {
      await db.transaction(async (trx) => {
        const first = await writeOperationLogOnce(trx, {
          docType: 'goods',
          docKey: sku,
          action: 'synced',
          actorRole: 'system',
          detail: { jdGoodsNo },
          idempotencyKey: activityKey(),
        });
        if (!first) return;
        await trx('goods')
          .where({ sku })
          .update({ jd_goods_no: jdGoodsNo, sync_status: 'SYNCED', sync_error: null, synced_at: trx.fn.now(), updated_at: trx.fn.now() });
      });
    },

    async recordGoodsSyncFailed(sku: string, failure: { reason: string; jdCode?: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const first = await writeOperationLogOnce(trx, {
          docType: 'goods',
          docKey: sku,
          action: 'sync_failed',
          actorRole: 'system',
          detail: failure,
          idempotencyKey: activityKey(),
        });
        if (!first) return;
        // Never overwrite a success: a late failure record must not hide a JD number we hold.
        await trx('goods').where({ sku }).whereNull('jd_goods_no').update({ sync_status: 'SYNC_FAILED', sync_error: failure.reason, updated_at: trx.fn.now() });
      });
    },
  };
}
