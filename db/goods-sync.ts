// The goods' sync state (同步状态): requested by the API, claimed and concluded by the goodsSync saga.
// A goods row that holds a JD number is never set back: late or repeated writes leave it as it is.
import type { Knex } from 'knex';
import { GOODS_DOC_TYPE } from './master-data';
import { writeOperationLog, writeOperationLogOnce, type ActorRole } from './operation-log';

/** The API started (or joined) the sync workflow: SYNCING under that workflow, with its log line. */
export async function markGoodsSyncRequested(db: Knex, input: { sku: string; workflowId: string; actorRole: ActorRole }): Promise<void> {
  const { sku, workflowId } = input;
  await db.transaction(async (trx) => {
    await trx('goods').where({ sku }).whereNull('jd_goods_no').update({ sync_status: 'SYNCING', sync_error: null, sync_workflow_id: workflowId, updated_at: trx.fn.now() });
    await writeOperationLog(trx, { docType: GOODS_DOC_TYPE, docKey: sku, action: 'sync_requested', actorRole: input.actorRole, detail: { workflowId } });
  });
}

/** The saga passed its pre-flight and is about to ask JD. */
export async function markGoodsSyncing(db: Knex, sku: string, workflowId: string | null): Promise<void> {
  await db('goods').where({ sku }).whereNull('jd_goods_no').update({ sync_status: 'SYNCING', sync_workflow_id: workflowId, updated_at: db.fn.now() });
}

/** The saga's outcome and its log line in one transaction; a retried activity finds its line and changes nothing. */
async function recordOutcome(
  db: Knex,
  entry: { sku: string; action: string; detail: Record<string, unknown>; idempotencyKey: string },
  update: (trx: Knex.Transaction) => Promise<unknown>,
): Promise<void> {
  await db.transaction(async (trx) => {
    const first = await writeOperationLogOnce(trx, {
      docType: GOODS_DOC_TYPE,
      docKey: entry.sku,
      action: entry.action,
      actorRole: 'system',
      detail: entry.detail,
      idempotencyKey: entry.idempotencyKey,
    });
    if (first) await update(trx);
  });
}

export async function recordGoodsSynced(db: Knex, input: { sku: string; jdGoodsNo: string; idempotencyKey: string }): Promise<void> {
  const { sku, jdGoodsNo } = input;
  await recordOutcome(db, { sku, action: 'synced', detail: { jdGoodsNo }, idempotencyKey: input.idempotencyKey }, (trx) =>
    trx('goods').where({ sku }).update({ jd_goods_no: jdGoodsNo, sync_status: 'SYNCED', sync_error: null, synced_at: trx.fn.now(), updated_at: trx.fn.now() }),
  );
}

export async function recordGoodsSyncFailed(db: Knex, input: { sku: string; failure: { reason: string; jdCode?: string }; idempotencyKey: string }): Promise<void> {
  const { sku, failure } = input;
  await recordOutcome(db, { sku, action: 'sync_failed', detail: failure, idempotencyKey: input.idempotencyKey }, (trx) =>
    // Never overwrite a success: a late failure record must not hide a JD number we hold.
    trx('goods').where({ sku }).whereNull('jd_goods_no').update({ sync_status: 'SYNC_FAILED', sync_error: failure.reason, updated_at: trx.fn.now() }),
  );
}
